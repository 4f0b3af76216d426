-- intake_withdraw: the source withdraws a case it raised (a device vendor
-- cancels an alarm), once.
-- ARGV: prefix, rid, ext (source|ext_ref), source, reason (or ""), now, keep
-- (intake/ext_keep_days in ms: a reference older than that is not known).
-- Answers {'new', id, seq, case.withdrawn body}, {'repeat', id, 0} or
-- {'missing'}.
local prefix, rid, ext, source, reason, now, keep = unpack (ARGV)
now, keep = tonumber (now), tonumber (keep)
local done = rid_answer (prefix, rid)
if done then
    return {'repeat', done, 0}
end
local known = ext_find (prefix, now, keep, {ext})[ext]
if not known then
    return {'missing'}
end
local id = known[1]
if redis.call ('SADD', prefix .. 'withdrawn', id) == 0 then
    rid_remember (prefix, rid, id)
    return {'repeat', id, 0}
end
local event = {v = 1, id = id, source = source, at = now}
if reason ~= '' then event.reason = reason end
local body = cmsgpack.pack (event)
local seq = journal_append (prefix, 'case.withdrawn', body)
rid_remember (prefix, rid, id)
return {'new', id, seq, body}
