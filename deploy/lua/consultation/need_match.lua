-- need_match: a need and an offer are proposed to each other (a match,
-- 配对): the need is matched (and no longer expires), the offer taken
-- (no longer proposed to other needs).  Once per request id.
-- ARGV: prefix, rid, the daemon's refusal (code, field, message; code ''
-- when it found an offer), need, offer, match id, the offer's town, its
-- volunteer (or ''), need.matched, then the count and the field/value
-- pairs of the match.  The rid comes first: a retry of a match made gets
-- it, though its offer is taken by then.  Answers {'ok', match,
-- events...}, {'done', match} or {'refused', ...}: the daemon's, or when
-- the need or the offer moved on meanwhile.
local prefix, rid, code, field, message = unpack (ARGV, 1, 5)
local need, offer, match, town, volunteer, body = unpack (ARGV, 6, 11)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
if code ~= '' then
    return refuse (code, field, message)
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
local n = tonumber (ARGV[12])
redis.call ('HSET', prefix .. 'match:' .. match, unpack (ARGV, 13, 12 + 2 * n))
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
