-- task_linked: intake took a task as a case; the task and the case now
-- point at each other and the task leaves the outbox.  Repeats change
-- nothing.  ARGV: prefix, task id, case id, now, its topic.task.
local prefix, tid, case, now, event = unpack (ARGV)
local tk = prefix .. 'task:' .. tid
redis.call ('ZREM', prefix .. 'outbox', tid)
if redis.call ('HGET', tk, 'state') ~= 'pending' then
    return {'ok', 'repeat'}
end
redis.call ('HSET', tk, 'state', 'dispatched', 'case_id', case, 'at', now)
redis.call ('HDEL', tk, 'error', 'tries')
redis.call ('SADD', prefix .. 'case:' .. case, tid)
local out = {}
emit (prefix, out, 'topic.task', event)
return {'ok', 'linked', unpack (out)}
