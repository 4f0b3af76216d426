-- fund_points: points earned for a batch of a journal the fund follows
-- (dispatch's: valid cases) or of its own entries (confirmed volunteer
-- minutes), and the fund's cursor on it, together: each act counts once
-- whatever is killed (DESIGN.md §3).
-- ARGV: prefix, cursor key, expected, new, now, then the awards
-- (points_earn).  Answers {'ok'} or {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local L = ledger_new (prefix, ARGV[5])
points_earn (L, ARGV, 6)
ledger_commit (L)
return {'ok'}
