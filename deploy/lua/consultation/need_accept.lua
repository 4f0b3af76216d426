-- need_accept: one side of a match accepts it (the need's, or the
-- offer's); when both have, the match and its need are accepted and the
-- community's month counts one more matched.  Once per request id.
-- ARGV: prefix, rid, match, side ('need' or 'offer'), actor, now, month,
-- match.accepted (the match as it will stand).
local prefix, rid, match, side, actor, now, month, body = unpack (ARGV, 1, 8)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local mk = prefix .. 'match:' .. match
local m = redis.call ('HMGET', mk, 'state', 'need_by', 'offer_by', 'need', 'community')
if m[1] ~= 'proposed' then
    return refuse ('conflict', 'id', 'match ' .. match .. ' is ' .. tostring (m[1]) ..
                   ': both sides have accepted it already')
end
local mine, other = m[2], m[3]
if side == 'offer' then
    mine, other = m[3], m[2]
end
if mine then
    return refuse ('conflict', 'side', 'the ' .. side .. ' side of match ' .. match ..
                   ' accepted it already (' .. mine .. ')')
end
redis.call ('HSET', mk, side .. '_by', actor, 'at', now)
if other then
    redis.call ('HSET', mk, 'state', 'accepted')
    redis.call ('HSET', prefix .. 'need:' .. m[4], 'state', 'accepted')
    redis.call ('HINCRBY', prefix .. 'stats:' .. m[5] .. ':' .. month, 'matched', 1)
end
local out = {}
emit (prefix, out, 'match.accepted', body)
rid_remember (prefix, rid, match)
return {'ok', match, unpack (out)}
