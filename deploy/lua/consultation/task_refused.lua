-- task_refused: intake refused a task's case.submit.  A refusal may pass
-- (intake's catalog or org tree reloaded), so the task is tried again at
-- `retry_at`, up to `most` tries in all; then it is a dead letter: out of
-- the outbox, in `dead` with the reason, journaled, until an operator
-- sends it again (task_retry).  ARGV: prefix, task id, now, reason, most
-- tries, retry_at (system clock ms), the tries the daemon counted with
-- this one, the task's topic.task as a dead letter.
-- Answers {'ok', 'retry'|'dead', events...} or {'ok', 'gone'}.
local prefix, tid, now, reason, most, retry_at, planned, event = unpack (ARGV)
local tk = prefix .. 'task:' .. tid
if redis.call ('HGET', tk, 'state') ~= 'pending' then
    redis.call ('ZREM', prefix .. 'outbox', tid)
    return {'ok', 'gone'}
end
local tries = tonumber (redis.call ('HGET', tk, 'tries') or '0') + 1
if plan_moved (tries, planned) then
    return moved ()
end
redis.call ('HSET', tk, 'tries', tries, 'error', reason, 'at', now)
if tries < tonumber (most) then
    redis.call ('ZADD', prefix .. 'outbox', 'XX', retry_at, tid)
    return {'ok', 'retry'}
end
redis.call ('HSET', tk, 'state', 'dead')
redis.call ('ZREM', prefix .. 'outbox', tid)
redis.call ('ZADD', prefix .. 'dead', now, tid)
local out = {}
emit (prefix, out, 'topic.task', event)
return {'ok', 'dead', unpack (out)}
