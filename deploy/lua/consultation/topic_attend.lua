-- topic_attend: members are registered present at the open meeting (the
-- attendance register); each must be on the roster of the body that meets.
-- ARGV: prefix, rid, id, now, the stage the daemon planned for, its
-- topic.attended, member...
local prefix, rid, id, planned, attended = ARGV[1], ARGV[2], ARGV[3], ARGV[5], ARGV[6]
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local n, name, body = open_meeting (prefix, id)
if not n then
    return name
end
for i = 7, #ARGV do
    local refusal = not_on_roster (prefix, id, body, ARGV[i], 'members', n, name, 'attend')
    if refusal then
        return refusal
    end
end
if plan_moved (n, planned) then
    return moved ()
end
local sk = skey (prefix, id, n)
for i = 7, #ARGV do
    redis.call ('SADD', sk .. ':present', ARGV[i])
end
redis.call ('HSET', sk, 'attended', redis.call ('SCARD', sk .. ':present'))
local out = {}
emit (prefix, out, 'topic.attended', attended)
rid_remember (prefix, rid, 'ok')
return {'ok', 'ok', unpack (out)}
