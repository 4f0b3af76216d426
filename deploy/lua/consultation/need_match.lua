-- need_match: a need and an offer are proposed to each other (a match,
-- 配对): the need is matched (and no longer expires), the offer taken
-- (no longer proposed to other needs).  Once per request id.
-- ARGV: prefix, rid, need, offer, match id, the offer's town, its
-- volunteer (or ''), need.matched, then the count and the field/value
-- pairs of the match.  Answers {'ok', match, events...}, {'done', match}
-- or {'refused', ...} when the need or the offer moved on meanwhile.
local prefix, rid, need, offer, match, town, volunteer, body = unpack (ARGV, 1, 8)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local nk, ok = prefix .. 'need:' .. need, prefix .. 'offer:' .. offer
local ns = redis.call ('HGET', nk, 'state')
if ns ~= 'open' and ns ~= 'expired' then
    return refuse ('conflict', 'id', 'need ' .. need .. ' is ' .. tostring (ns) ..
                   ': only an open or expired need is matched')
end
if redis.call ('HGET', ok, 'state') ~= 'open' then
    return refuse ('conflict', 'offer', 'offer ' .. offer .. ' was taken meanwhile')
end
local n = tonumber (ARGV[9])
redis.call ('HSET', prefix .. 'match:' .. match, unpack (ARGV, 10, 9 + 2 * n))
redis.call ('HSET', nk, 'state', 'matched', 'match', match)
if volunteer ~= '' then
    redis.call ('HSET', nk, 'volunteer', volunteer)
end
redis.call ('HSET', ok, 'state', 'taken', 'match', match)
redis.call ('HDEL', prefix .. 'offers:' .. town, offer)
redis.call ('ZREM', prefix .. 'needs_due', need)
local out = {}
emit (prefix, out, 'need.matched', body)
rid_remember (prefix, rid, match)
return {'ok', match, unpack (out)}
