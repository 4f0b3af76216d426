-- need_decline: one side declines a proposed match, before both have
-- accepted it: the match is declined, the need open again (and may
-- expire: back in needs_due at its date), the offer open again and back
-- among its town's open offers.  Once per request id.
-- ARGV: prefix, rid, match, who ("need:ACTOR" or "offer:ACTOR"), now, the
-- offer's town, its line there, match.declined.
local prefix, rid, match, by, now, town, line, body = unpack (ARGV, 1, 8)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local mk = prefix .. 'match:' .. match
local m = redis.call ('HMGET', mk, 'state', 'need', 'offer')
if m[1] ~= 'proposed' then
    return refuse ('conflict', 'id', 'match ' .. match .. ' is ' .. tostring (m[1]) ..
                   ': only a match not yet accepted by both sides is declined')
end
redis.call ('HSET', mk, 'state', 'declined', 'declined_by', by, 'at', now)
local nk, ok = prefix .. 'need:' .. m[2], prefix .. 'offer:' .. m[3]
redis.call ('HSET', nk, 'state', 'open')
redis.call ('HDEL', nk, 'match', 'volunteer')
redis.call ('ZADD', prefix .. 'needs_due', redis.call ('HGET', nk, 'until'), m[2])
redis.call ('HSET', ok, 'state', 'open')
redis.call ('HDEL', ok, 'match')
redis.call ('HSET', prefix .. 'offers:' .. town, m[3], line)
local out = {}
emit (prefix, out, 'match.declined', body)
rid_remember (prefix, rid, match)
return {'ok', match, unpack (out)}
