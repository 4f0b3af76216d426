-- topic_create: a topic is raised, once per request id.
-- ARGV: prefix, rid, now, then the topic spec (lib.lua read_spec).
-- Answers {'ok', id, events...} or {'done', id}.
local prefix, rid, now = ARGV[1], ARGV[2], ARGV[3]
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local spec = read_spec (ARGV, 4)
local out = {}
local id = topic_make (prefix, out, spec, now)
rid_remember (prefix, rid, id)
return {'ok', id, unpack (out)}
