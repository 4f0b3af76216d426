-- fund_topics: a batch of consultation's journal, as far as the fund needs
-- it, and the fund's cursor on that journal moves past it, together.
-- Per topic, cg:{fund}:topic:<id> keeps its scope (the community) and
-- where its resolution stands: open, adopted or rejected.
-- ARGV: prefix, cursor key, expected, new, then per item: topic id, what
-- ('created', 'adopted' or 'rejected'), scope (created) or '', when.
-- Answers {'ok'} or {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
for i = 5, #ARGV - 3, 4 do
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
