-- need_volunteer: a volunteer (志愿者) is registered, or registered again
-- with new skills, areas or hours; once per request id.
-- ARGV: prefix, rid, id, now, skills (comma list), areas (comma list), its
-- volunteer.registered, then the count and the field/value pairs of the
-- volunteer (volunteer.view) as a hash keeps it.  Answers {'ok', id, events...} or
-- {'done', id}.
local prefix, rid, id, now, skills, areas, body = unpack (ARGV, 1, 7)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = prefix .. 'vol:' .. id
redis.call ('DEL', key)
local n = tonumber (ARGV[8])
redis.call ('HSET', key, 'skills', skills, 'areas', areas, unpack (ARGV, 9, 8 + 2 * n))
redis.call ('ZADD', prefix .. 'volunteers', now, id)
local out = {}
emit (prefix, out, 'volunteer.registered', body)
rid_remember (prefix, rid, id)
return {'ok', id, unpack (out)}
