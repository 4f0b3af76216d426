-- notify_retry: a dead letter goes back to the outbox, from its first
-- route, due now, and is no longer bound to expire.
-- ARGV: prefix, rid, id, now.
-- Answers {'ok'} or {'not_found'}; a repeated rid gets the first answer.
local prefix, rid, id = ARGV[1], ARGV[2], ARGV[3]
local first = rid_answer (prefix, rid)
if first then
    return {first}
end
local answer = 'not_found'
local key = prefix .. 'd:' .. id
if redis.call ('ZREM', prefix .. 'dead_letters', id) == 1
   and redis.call ('HGET', key, 'state') == 'dead' then
    redis.call ('HSET', key, 'state', 'queued', 'route', 0, 'attempt', 0, 'held', 0)
    redis.call ('HDEL', key, 'dead')
    redis.call ('PERSIST', key)
    redis.call ('ZADD', prefix .. 'outbox', ARGV[4], id)
    answer = 'ok'
end
rid_remember (prefix, rid, answer)
return {answer}
