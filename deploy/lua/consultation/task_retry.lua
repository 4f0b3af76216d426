-- task_retry: an operator sends a dead letter again, once per request id,
-- perhaps with another category or grid (checked by the daemon).  It goes
-- back to the outbox as a new round: its case.submit names the round in
-- its ext_ref and request id (`<tid>#<round>`), so a case that dispatch
-- rejected is not simply answered again.  ARGV: prefix, rid, task id, now,
-- category, grid, address ('' keeps each), its topic.task as pending.
local prefix, rid, tid, now, category, grid, address, event = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local tk = prefix .. 'task:' .. tid
local state = redis.call ('HGET', tk, 'state')
if not state then
    return refuse ('not_found', 'task', 'there is no task ' .. tid)
end
if state ~= 'dead' then
    return refuse ('conflict', 'task', string.format (
        'task %s is %s; only a dead letter (refused too often, or its case rejected) is sent '
        .. 'again', tid, state))
end
for _, f in ipairs ({{'category', category}, {'grid', grid}, {'address', address}}) do
    if f[2] ~= '' then
        redis.call ('HSET', tk, f[1], f[2])
    end
end
redis.call ('HINCRBY', tk, 'round', 1)
redis.call ('HSET', tk, 'state', 'pending', 'at', now)
redis.call ('HDEL', tk, 'error', 'tries', 'case_id')
redis.call ('ZREM', prefix .. 'dead', tid)
redis.call ('ZADD', prefix .. 'outbox', 0, tid)
local out = {}
emit (prefix, out, 'topic.task', event)
rid_remember (prefix, rid, tid)
return {'ok', tid, unpack (out)}
