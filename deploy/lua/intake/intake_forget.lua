-- intake_forget: cases the archive holds durably (its case.archived)
-- leave intake's Redis: the case's hash req:<id> (its sealed records and
-- callers), and its mark among the withdrawn; intake's cursor on the
-- archive journal moves in the same call.  What stays is the source's
-- reference in `ext` (source|ext_ref -> id), so that the hotline's repeat
-- of an old order is still answered with its case, not made a new one.
-- The merge index needs nothing: its entries leave with the merge window,
-- which is far shorter than a case's life.
-- ARGV: prefix, cursor key, expected cursor, new cursor, then case ids.
-- Answers {'ok', deleted} or {'moved', cursor}.
local prefix = ARGV[1]
local ok, cur = cursor_advance (ARGV[2], ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local deleted = 0
for at = 5, #ARGV do
    deleted = deleted + redis.call ('DEL', prefix .. 'req:' .. ARGV[at])
    redis.call ('SREM', prefix .. 'withdrawn', ARGV[at])
end
return {'ok', deleted}
