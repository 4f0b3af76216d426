-- topic_publish: the text of an open publication is published, once; a
-- published text never changes.  The implementation result waits until
-- every task of the resolution is closed.  Publishing the resolution opens
-- the publication of the result.  The topic is listed for the public under
-- its community and every node above it, from its first publication.
-- ARGV: prefix, rid, id, now, stage name, text, result_ms, the stage the
-- daemon planned for, its topic.published, the next publication's
-- topic.stage_opened ('' when this is the last), then the org codes the
-- topic is listed under.
local prefix, rid, id, now, want, text, result_ms, planned, published, opened = unpack (ARGV, 1, 10)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = tkey (prefix, id)
local nstages = redis.call ('HGET', key, 'nstages')
if not nstages then
    return refuse ('not_found', 'id', 'there is no topic ' .. id)
end
nstages = tonumber (nstages)
local n = stage_named (prefix, id, nstages, want)
local sk = n and skey (prefix, id, n)
if not n or redis.call ('HGET', sk, 'body') ~= '' then
    return refuse ('invalid', 'stage', string.format ('topic %s has no publication "%s"', id, want))
end
local state = redis.call ('HGET', sk, 'state')
if state == 'closed' then
    return refuse ('conflict', 'stage', string.format (
        'stage %d (%s) was published; a published text is immutable', n, want))
end
if state ~= 'open' then
    return refuse ('conflict', 'stage', string.format (
        'stage %d (%s) is not open: what it publishes is not decided yet', n, want))
end
if n == nstages then
    local open = 0
    local tasks = redis.call ('ZRANGE', key .. ':tasks', 0, -1)
    for _, tid in ipairs (tasks) do
        if redis.call ('HGET', prefix .. 'task:' .. tid, 'state') ~= 'closed' then
            open = open + 1
        end
    end
    if open > 0 then
        return refuse ('conflict', 'stage', string.format (
            'the implementation result is published once every task is closed: %d of %d open',
            open, #tasks))
    end
end
if plan_moved (n, planned) or (n < nstages) ~= (opened ~= '') then
    return moved ()
end
redis.call ('HSET', sk, 'state', 'closed', 'closed', now, 'text', text)
redis.call ('ZREM', prefix .. 'due', id .. '|' .. n)
redis.call ('ZADD', prefix .. 'published', 'NX', now, id)
for i = 11, #ARGV do
    redis.call ('ZADD', prefix .. 'published:' .. ARGV[i], 'NX', now, id)
end
local out = {}
emit (prefix, out, 'topic.published', published)
if n < nstages then
    redis.call ('HSET', key, 'state', 'implementing')
    open_publication (prefix, out, id, n + 1, now, tonumber (now) + tonumber (result_ms), opened)
else
    redis.call ('HSET', key, 'state', 'done')
end
rid_remember (prefix, rid, 'ok')
return {'ok', 'ok', unpack (out)}
