-- topic_attend: members are registered present at the open meeting (the
-- attendance register); each must be on the roster of the body that meets.
-- ARGV: prefix, rid, id, now, actor, member...
local prefix, rid, id, now, actor = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local n, name, body = open_meeting (prefix, id)
if not n then
    return name
end
local key = tkey (prefix, id)
for i = 6, #ARGV do
    if redis.call ('SISMEMBER', key .. ':roster:' .. body, ARGV[i]) == 0 then
        return refuse ('forbidden', 'members', string.format (
            '%s is not on the roster of %s for topic %s; only its members attend stage %d (%s)',
            ARGV[i], body, id, n, name))
    end
end
local sk = skey (prefix, id, n)
for i = 6, #ARGV do
    redis.call ('SADD', sk .. ':present', ARGV[i])
end
redis.call ('HSET', sk, 'attended', redis.call ('SCARD', sk .. ':present'))
local out = {}
emit (prefix, out, 'topic.attended', {id = id, n = n, name = name, actor = actor,
      at = tonumber (now)})
rid_remember (prefix, rid, 'ok')
return {'ok', 'ok', unpack (out)}
