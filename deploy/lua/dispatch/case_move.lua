-- case_move: one case moves from one state to another, if it is still in
-- the state the caller saw (compare and set), once per request id.
-- ARGV: prefix, rid, id, from, to, now, score, step, topic, body,
--       then field/value pairs to set on the case.
-- Answers {'ok', seq}, {'done', answer} for a repeated rid,
-- {'missing', ''} or {'state', current}.
local prefix, rid, id, from, to, now, score, step, topic, body =
    ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = prefix .. 'case:' .. id
local c = redis.call ('HMGET', key, 'state', 'center', 'unit')
if not c[1] then
    return {'missing', ''}
end
if c[1] ~= from then
    return {'state', c[1]}
end
redis.call ('HSET', key, 'state', to, 'updated', now)
for i = 11, #ARGV - 1, 2 do
    redis.call ('HSET', key, ARGV[i], ARGV[i + 1])
end
redis.call ('RPUSH', key .. ':steps', step)
queue_drop (prefix, id, c[2], c[3], from)
queue_put (prefix, id, c[2], c[3], to, score)
local seq = journal_append (prefix, topic, body)
rid_remember (prefix, rid, 'ok')
return {'ok', seq}
