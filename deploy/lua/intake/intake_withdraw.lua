-- intake_withdraw: the source withdraws a case it raised (a device vendor
-- cancels an alarm), once.
-- ARGV: prefix, rid, ext (source|ext_ref), source, reason (or ""), now.
-- Answers {'new', id, seq, case.withdrawn body}, {'repeat', id, 0} or
-- {'missing'}.
local prefix, rid, ext, source, reason, now = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'repeat', done, 0}
end
local id = redis.call ('HGET', prefix .. 'ext', ext)
if not id then
    return {'missing'}
end
if redis.call ('SADD', prefix .. 'withdrawn', id) == 0 then
    rid_remember (prefix, rid, id)
    return {'repeat', id, 0}
end
local event = {v = 1, id = id, source = source, at = tonumber (now)}
if reason ~= '' then event.reason = reason end
local body = cmsgpack.pack (event)
local seq = journal_append (prefix, 'case.withdrawn', body)
rid_remember (prefix, rid, id)
return {'new', id, seq, body}
