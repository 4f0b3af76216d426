-- notify_retry: a dead letter goes back to the outbox, from its first
-- route, due now.  ARGV: prefix, rid, id, now.
-- Answers {'ok'} or {'not_found'}; a repeated rid gets the first answer.
local prefix, rid, id = ARGV[1], ARGV[2], ARGV[3]
local first = rid_answer (prefix, rid)
if first then
    return {first}
end
local answer = 'not_found'
if redis.call ('HDEL', prefix .. 'dead', id) == 1 then
    redis.call ('LREM', prefix .. 'deadletter', 0, id)
    redis.call ('HSET', prefix .. 'd:' .. id, 'state', 'queued', 'route', 0, 'attempt', 0,
                'held', 0)
    redis.call ('ZADD', prefix .. 'outbox', ARGV[4], id)
    answer = 'ok'
end
rid_remember (prefix, rid, answer)
return {answer}
