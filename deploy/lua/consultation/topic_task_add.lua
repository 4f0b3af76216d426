-- topic_task_add: an adopted resolution gets a task, which waits in the
-- outbox until intake has taken it as a case (task_linked).  The task id
-- <topic>-<n> is the case's ext_ref, so no retry can make two cases.
-- ARGV: prefix, rid, id, now, text, category, grid, address, most tasks,
-- the task number the daemon planned, its topic.task.
local prefix, rid, id, now, text, category, grid, address, most, planned, event = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = tkey (prefix, id)
local t = redis.call ('HMGET', key, 'state', 'ntasks')
if not t[1] then
    return refuse ('not_found', 'id', 'there is no topic ' .. id)
end
if t[1] ~= 'decided' and t[1] ~= 'implementing' then
    return refuse ('conflict', 'id', string.format (
        'topic %s is %s; tasks carry out an adopted resolution until its result is published',
        id, t[1]))
end
local count = tonumber (t[2]) + 1
if count > tonumber (most) then
    return refuse ('conflict', 'id', 'a topic has at most ' .. most .. ' tasks')
end
if plan_moved (count, planned) then
    return moved ()
end
redis.call ('HSET', key, 'ntasks', count)
local tid = id .. '-' .. count
local f = {'id', tid, 'topic', id, 'state', 'pending', 'text', text, 'category', category,
           'grid', grid, 'at', now}
if address ~= '' then
    f[#f + 1] = 'address'
    f[#f + 1] = address
end
redis.call ('HSET', prefix .. 'task:' .. tid, unpack (f))
redis.call ('ZADD', key .. ':tasks', count, tid)
redis.call ('ZADD', prefix .. 'outbox', 0, tid)
local out = {}
emit (prefix, out, 'topic.task', event)
rid_remember (prefix, rid, tid)
return {'ok', tid, unpack (out)}
