-- topic_vote: one member, one vote per ballot.  The voter must be on the
-- body's roster and registered present; a second vote is refused, unless
-- the topic's rule lets a member change an open vote while the ballot is
-- open.  A secret ballot keeps who voted, never how: the voter mark and a
-- count, nothing that pairs them (the daemon's topic.voted for it names no
-- choice, and the daemon has Redis rewrite the AOF, which logs this
-- script's writes together, after it: docs/CONSULTATION.md).
-- ARGV: prefix, rid, id, now, member, choice (yes, no, abstain), the stage
-- the daemon planned for, its topic.voted.
local prefix, rid, id, now, member, choice, planned, voted = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local n, name, body = open_meeting (prefix, id)
if not n then
    return name
end
local refusal = not_on_roster (prefix, id, body, member, 'member', n, name, 'vote')
if refusal then
    return refusal
end
local key = tkey (prefix, id)
local sk = skey (prefix, id, n)
if redis.call ('SISMEMBER', sk .. ':present', member) == 0 then
    return refuse ('forbidden', 'member', string.format (
        '%s is not registered present at the meeting of stage %d (%s); only members present vote',
        member, n, name))
end
local rule = redis.call ('HMGET', key, 'secret', 'revote')
local secret = rule[1] == '1'
local again = redis.call ('SISMEMBER', sk .. ':voters', member) == 1
if again and (secret or rule[2] ~= '1') then
    return refuse ('conflict', 'member', string.format (
        '%s has already voted on the ballot of stage %d (%s): one member, one vote', member,
        n, name))
end
if plan_moved (n, planned) then
    return moved ()
end
if again then
    redis.call ('HINCRBY', sk, redis.call ('HGET', sk .. ':ballots', member), -1)
else
    redis.call ('SADD', sk .. ':voters', member)
    redis.call ('HINCRBY', sk, 'voted', 1)
end
redis.call ('HINCRBY', sk, choice, 1)
if not secret then
    redis.call ('HSET', sk .. ':ballots', member, choice)
end
local out = {}
emit (prefix, out, 'topic.voted', voted)
rid_remember (prefix, rid, 'ok')
return {'ok', 'ok', unpack (out)}
