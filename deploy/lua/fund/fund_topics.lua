-- fund_topics: a batch of consultation's journal, as far as the fund needs
-- it, and the fund's cursor on that journal moves past it, together.
-- Per topic, cg:{fund}:topic:<id> keeps its scope (the community) and
-- where its resolution stands: open, adopted or rejected.
-- Members registered present at a meeting earn their points (attend) in
-- the same call (points_earn, lib.lua).
-- ARGV: prefix, cursor key, expected, new, now, the awards, then per item:
-- topic id, what ('created', 'adopted' or 'rejected'), scope (created) or
-- '', when.
-- Answers {'ok'} or {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local L = ledger_new (prefix, ARGV[5])
local from = points_earn (L, ARGV, 6)
ledger_commit (L)
for i = from, #ARGV - 3, 4 do
    local id, what, scope, at = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    local key = prefix .. 'topic:' .. id
    if what == 'created' then
        redis.call ('HSET', key, 'scope', scope)
        redis.call ('HSETNX', key, 'state', 'open')
    else
        redis.call ('HSET', key, 'state', what, 'at', at)
    end
end
return {'ok'}
