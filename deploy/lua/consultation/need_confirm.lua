-- need_confirm: the person served confirms the service of an accepted
-- match, with the code they were given when the need was posted (its
-- hash: the code is never stored).  The match and the need are served,
-- the community's month counts it, its minutes and its volunteer, and
-- need.served tells the time bank (civgrid-fund credits it once per
-- match).  Once per request id; a second confirmation is refused.
-- ARGV: prefix, rid, match, need, person, code hash, minutes, actor, now,
-- month, volunteer (or ''), need.served.
local prefix, rid, match, need, person, hash, minutes, actor, now, month, volunteer, body =
    unpack (ARGV, 1, 12)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local mk, nk = prefix .. 'match:' .. match, prefix .. 'need:' .. need
local state = redis.call ('HGET', mk, 'state')
if state == 'served' then
    return refuse ('conflict', 'id', 'match ' .. match .. ' was confirmed already, by ' ..
                   tostring (redis.call ('HGET', mk, 'served_by')) .. '; it is credited once')
end
if state ~= 'accepted' then
    return refuse ('conflict', 'id', 'match ' .. match .. ' is ' .. tostring (state) ..
                   ': both sides accept it before it is carried out and confirmed')
end
local n = redis.call ('HMGET', nk, 'person', 'code_hash', 'community')
if n[1] ~= person then
    return refuse ('forbidden', 'person', person .. ' is not the person served by need ' ..
                   need .. ': only they confirm it')
end
if n[2] ~= hash then
    return refuse ('forbidden', 'code', 'that is not the confirmation code of need ' .. need ..
                   ' (the person served was given it when the need was posted)')
end
redis.call ('HSET', mk, 'state', 'served', 'served_by', actor, 'minutes', minutes, 'at', now)
redis.call ('HSET', nk, 'state', 'served', 'minutes', minutes)
local sk = prefix .. 'stats:' .. n[3] .. ':' .. month
redis.call ('HINCRBY', sk, 'served', 1)
redis.call ('HINCRBY', sk, 'minutes', minutes)
if volunteer ~= '' then
    redis.call ('SADD', sk .. ':vol', volunteer)
end
local out = {}
emit (prefix, out, 'need.served', body)
rid_remember (prefix, rid, match)
return {'ok', match, unpack (out)}
