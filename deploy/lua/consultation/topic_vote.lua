-- topic_vote: one member, one vote per ballot.  The voter must be on the
-- body's roster and registered present; a second vote is refused, unless
-- the topic's rule lets a member change an open vote while the ballot is
-- open.  A secret ballot keeps who voted, never how.
-- ARGV: prefix, rid, id, now, member, choice (yes, no, abstain)
local prefix, rid, id, now, member, choice = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local n, name, body = open_meeting (prefix, id)
if not n then
    return name
end
local key = tkey (prefix, id)
if redis.call ('SISMEMBER', key .. ':roster:' .. body, member) == 0 then
    return refuse ('forbidden', 'member', string.format (
        '%s is not on the roster of %s for topic %s; only its members vote at stage %d (%s)',
        member, body, id, n, name))
end
local sk = skey (prefix, id, n)
if redis.call ('SISMEMBER', sk .. ':present', member) == 0 then
    return refuse ('forbidden', 'member', string.format (
        '%s is not registered present at the meeting of stage %d (%s); only members present vote',
        member, n, name))
end
local rule = redis.call ('HMGET', key, 'secret', 'revote')
local secret = rule[1] == '1'
if redis.call ('SADD', sk .. ':voters', member) == 0 then
    if secret or rule[2] ~= '1' then
        return refuse ('conflict', 'member', string.format (
            '%s has already voted on the ballot of stage %d (%s): one member, one vote', member,
            n, name))
    end
    local before = redis.call ('HGET', sk .. ':ballots', member)
    redis.call ('HINCRBY', sk, before, -1)
else
    redis.call ('HINCRBY', sk, 'voted', 1)
end
redis.call ('HINCRBY', sk, choice, 1)
if not secret then
    redis.call ('HSET', sk .. ':ballots', member, choice)
end
local out = {}
emit (prefix, out, 'topic.voted', {id = id, n = n, name = name, member = member,
      choice = (not secret) and choice or nil, at = tonumber (now)})
rid_remember (prefix, rid, 'ok')
return {'ok', 'ok', unpack (out)}
