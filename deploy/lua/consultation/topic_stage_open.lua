-- topic_stage_open: the next meeting stage opens, only when every stage
-- before it is closed (a stage cannot open before the one before it
-- closes); publications open by themselves (lib.lua open_publication).
-- ARGV: prefix, rid, id, now, actor, place, stage name ('' = the next),
-- the stage the daemon planned to open, its topic.stage_opened.
local prefix, rid, id, now, actor, place, want, planned, opened = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = tkey (prefix, id)
local t = redis.call ('HMGET', key, 'state', 'nstages')
if not t[1] then
    return refuse ('not_found', 'id', 'there is no topic ' .. id)
end
local n, state, name, body = current_stage (prefix, id, tonumber (t[2]))
if t[1] == 'rejected' or not n then
    return refuse ('conflict', 'id', string.format ('topic %s is %s; no stage can open', id, t[1]))
end
if want ~= '' and want ~= name then
    local wanted = stage_named (prefix, id, tonumber (t[2]), want)
    if not wanted then
        return refuse ('invalid', 'stage', string.format ('topic %s has no stage "%s"', id, want))
    end
    if wanted < n then
        return refuse ('conflict', 'stage', string.format ('stage %d (%s) is already closed',
                       wanted, want))
    end
    return refuse ('conflict', 'stage', string.format (
        'stage %d (%s) cannot open before stage %d (%s) closes: the stages go in order',
        wanted, want, n, name))
end
if state == 'open' then
    return refuse ('conflict', 'stage', string.format (
        'stage %d (%s) is open; the next stage cannot open before it closes', n, name))
end
if body == '' then
    return refuse ('conflict', 'stage', string.format (
        'stage %d (%s) is a publication; it opens when the stage before it is decided', n, name))
end
local expected = redis.call ('SCARD', key .. ':roster:' .. body)
if expected == 0 then
    return refuse ('conflict', 'stage', string.format (
        'nobody is on the roster of %s for topic %s; the meeting of stage %d (%s) has no members',
        body, id, n, name))
end
if plan_moved (n, planned) then
    return moved ()
end
redis.call ('HSET', skey (prefix, id, n), 'state', 'open', 'opened', now, 'place', place,
            'expected', expected, 'attended', 0, 'voted', 0, 'yes', 0, 'no', 0, 'abstain', 0)
redis.call ('HSET', key, 'state', 'deliberating')
local out = {}
emit (prefix, out, 'topic.stage_opened', opened)
rid_remember (prefix, rid, 'ok')
return {'ok', 'ok', unpack (out)}
