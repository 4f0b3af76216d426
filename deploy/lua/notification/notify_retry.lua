-- notify_retry: a dead letter goes back to the outbox, from its first
-- route, due now, and is no longer bound to expire.
-- ARGV: prefix, rid, id, now, the journal entry that ends its alarm
-- (notify.retried, msgpack, or '' when the delivery has no case), its case
-- (or '').
-- A dead letter that raised the console's alarm (an urgent notice,
-- `failed`, notify_settle) journals the entry: the alarm ends, and its
-- case's alarm:<case> goes with its entry in alarms:<center> (alarm_end).
-- Answers {'ok'} or {'not_found'}, then topic, seq, body when journaled;
-- a repeated rid gets the first answer (and journals nothing).
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
    redis.call ('PERSIST', key)
    redis.call ('ZADD', prefix .. 'outbox', ARGV[4], id)
    answer = 'ok'
    if redis.call ('HDEL', key, 'dead', 'failed') == 2 and ARGV[5] ~= '' then
        if (ARGV[6] or '') ~= '' then
            alarm_end (prefix, ARGV[4], ARGV[6])
        end
        rid_remember (prefix, rid, answer)
        return {answer, 'notify.retried', journal_append (prefix, 'notify.retried', ARGV[5]),
                ARGV[5]}
    end
end
rid_remember (prefix, rid, answer)
return {answer}
