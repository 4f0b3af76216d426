-- topic_decide: the open meeting's ballot closes and its decision is
-- recorded, computed here from the register and the ballots: a quorum of
-- the body present (quorum_met), then adopted when the ayes pass the
-- approval share of those present (majority_for), with the stage's rule
-- (its body's, or the topic's own); both from common/cg_share.h.
-- A meeting without quorum cannot decide.  An adopted stage opens the next
-- publication, if that comes next; a rejected one ends the topic.
-- ARGV: prefix, rid, id, now, publish_ms (how long the publication may
-- take), the stage the daemon planned for, its topic.decided for each
-- outcome (adopted, rejected), and the next publication's
-- topic.stage_opened ('' when a meeting comes next).
local prefix, rid, id, now, publish_ms, planned, adopted, rejected, opened = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local n, name = open_meeting (prefix, id)
if not n then
    return name
end
local key = tkey (prefix, id)
local sk = skey (prefix, id, n)
local s = redis.call ('HMGET', sk, 'expected', 'attended', 'yes', 'qn', 'qd', 'an', 'ad')
local expected, present, yes = tonumber (s[1]), tonumber (s[2]), tonumber (s[3])
local qn, qd, an, ad = tonumber (s[4]), tonumber (s[5]), tonumber (s[6]), tonumber (s[7])
local nstages = tonumber (redis.call ('HGET', key, 'nstages'))
if not quorum_met (present, expected, qn, qd) then
    return refuse ('conflict', 'close', string.format (
        'no quorum: %d of %d members present at stage %d (%s); the rule needs %d/%d of them '
        .. '(%d) present to decide', present, expected, n, name, qn, qd,
        math.ceil (expected * qn / qd)))
end
local publication = n < nstages and redis.call ('HGET', skey (prefix, id, n + 1), 'body') == ''
if plan_moved (n, planned) or publication ~= (opened ~= '') then
    return moved ()
end
local decision = majority_for (yes, present, an, ad) and 'adopted' or 'rejected'
redis.call ('HSET', sk, 'state', 'closed', 'closed', now, 'decision', decision)
local out = {}
emit (prefix, out, 'topic.decided', decision == 'adopted' and adopted or rejected)
if decision == 'rejected' then
    redis.call ('HSET', key, 'state', 'rejected')
elseif publication then
    redis.call ('HSET', key, 'state', 'decided')
    open_publication (prefix, out, id, n + 1, now, tonumber (now) + tonumber (publish_ms), opened)
end
rid_remember (prefix, rid, 'ok')
return {'ok', 'ok', unpack (out)}
