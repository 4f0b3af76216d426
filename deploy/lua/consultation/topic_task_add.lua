-- topic_task_add: an adopted resolution gets a task, which waits in the
-- outbox until intake has taken it as a case (task_linked).  The task id
-- <topic>-<n> is the case's ext_ref, so no retry can make two cases.
-- ARGV: prefix, rid, id, now, text, category, grid, address, most tasks
local prefix, rid, id, now, text, category, grid, address, most = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = tkey (prefix, id)
local state = redis.call ('HGET', key, 'state')
if not state then
    return refuse ('not_found', 'id', 'there is no topic ' .. id)
end
if state ~= 'decided' and state ~= 'implementing' then
    return refuse ('conflict', 'id', string.format (
        'topic %s is %s; tasks carry out an adopted resolution until its result is published',
        id, state))
end
if tonumber (redis.call ('HGET', key, 'ntasks')) >= tonumber (most) then
    return refuse ('conflict', 'id', 'a topic has at most ' .. most .. ' tasks')
end
local count = redis.call ('HINCRBY', key, 'ntasks', 1)
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
task_event (prefix, out, tid)
rid_remember (prefix, rid, tid)
return {'ok', tid, unpack (out)}
