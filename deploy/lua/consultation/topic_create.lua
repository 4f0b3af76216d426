-- topic_create: a topic is raised, once per request id.
-- ARGV: prefix, rid, now, id (the next free, as the daemon read
-- topic_seq), its topic.created, then the topic spec (lib.lua read_spec).
-- Answers {'ok', id, events...}, {'done', id} or {'moved', ''}.
local prefix, rid, now, id, created = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
if not topic_id_free (prefix, id) then
    return moved ()
end
local spec = read_spec (ARGV, 6)
local out = {}
topic_make (prefix, out, spec, now, id, created)
rid_remember (prefix, rid, id)
return {'ok', id, unpack (out)}
