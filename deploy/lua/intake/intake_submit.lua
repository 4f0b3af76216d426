-- intake_submit: a new request becomes a case, once.
-- ARGV: prefix, rid, ext (source|ext_ref, or ""), id, record, topic, body
-- Answers {'new', id, seq} or {'repeat', id, 0}.
local prefix, rid, ext, id, record, topic, body = unpack (ARGV)
local done = rid_answer (prefix, rid)
if done then
    return {'repeat', done, 0}
end
if ext ~= '' then
    local first = redis.call ('HGET', prefix .. 'ext', ext)
    if first then
        rid_remember (prefix, rid, first)
        return {'repeat', first, 0}
    end
    redis.call ('HSET', prefix .. 'ext', ext, id)
end
redis.call ('SET', prefix .. 'req:' .. id, record)
local seq = journal_append (prefix, topic, body)
rid_remember (prefix, rid, id)
return {'new', id, seq}
