-- intake_reseal: one record of a case sealed again under the newest key
-- (services/intake/reseal.c).  The record is written only while it is
-- still the one that was read: a request that changed it since (a merge
-- wrote record:<n>, the case left for the archive) wins, and the pass
-- reads it again next time.  record.resealed goes on the journal, for the
-- archive to copy the record again (it never holds the key).
-- ARGV: prefix, id, field, the record as read, the record sealed again,
-- the version, now.
-- Answers {1, seq, body} (written) or {0} (it had changed or gone).
local prefix, id, field, old, new, version, now = unpack (ARGV)
local key = prefix .. 'req:' .. id
if redis.call ('HGET', key, field) ~= old then
    return {0}
end
redis.call ('HSET', key, field, new)
local body = cmsgpack.pack ({v = 1, id = id, version = tonumber (version), at = tonumber (now)})
return {1, journal_append (prefix, 'record.resealed', body), body}
