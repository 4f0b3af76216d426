-- need_post: a need (需求) or an offer (供给) is posted, once per request
-- id.  A need joins the lists of its community and the needs that may
-- expire, and counts as posted in its community's month; an offer joins
-- the open offers of its town, as the line matching reads.
-- ARGV: prefix, rid, 'need' or 'offer', id, now, month, town, the offer's
-- line (or ''), the event's topic and body, then the count and the
-- field/value pairs of its hash.  Answers {'ok', id, events...} or
-- {'done', the first post's id}.
local prefix, rid, what, id, now, month, town, line, topic, body = unpack (ARGV, 1, 10)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = prefix .. what .. ':' .. id
local n = tonumber (ARGV[11])
redis.call ('HSET', key, unpack (ARGV, 12, 11 + 2 * n))
local h = redis.call ('HMGET', key, 'community', 'until')
if what == 'need' then
    redis.call ('ZADD', prefix .. 'needs', now, id)
    redis.call ('ZADD', prefix .. 'needs:' .. h[1], now, id)
    redis.call ('ZADD', prefix .. 'needs_due', h[2], id)
    redis.call ('HINCRBY', prefix .. 'stats:' .. h[1] .. ':' .. month, 'posted', 1)
else
    redis.call ('HSET', prefix .. 'offers:' .. town, id, line)
end
local out = {}
emit (prefix, out, topic, body)
rid_remember (prefix, rid, id)
return {'ok', id, unpack (out)}
