-- consultation_dispatch: a batch of the dispatch journal, and
-- consultation's cursor on it moves past.  A hot spot opens a draft topic
-- (once per hot spot); a closed case that carries a task closes the task.
-- ARGV: prefix, cursor key, expected, new, now, count, then per item
-- 'hotspot', hot spot id, topic spec (lib.lua read_spec) or 'closed', case.
local prefix, ckey, now = ARGV[1], ARGV[2], ARGV[5]
local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local out = {}
local i = 7
for _ = 1, tonumber (ARGV[6]) do
    local kind, ref = ARGV[i], ARGV[i + 1]
    i = i + 2
    if kind == 'hotspot' then
        local spec
        spec, i = read_spec (ARGV, i)
        if redis.call ('HEXISTS', prefix .. 'hotspot', ref) == 0 then
            redis.call ('HSET', prefix .. 'hotspot', ref, topic_make (prefix, out, spec, now))
        end
    else
        local tid = redis.call ('HGET', prefix .. 'case_task', ref)
        local tk = tid and prefix .. 'task:' .. tid
        if tid and redis.call ('HGET', tk, 'state') ~= 'closed' then
            redis.call ('HSET', tk, 'state', 'closed', 'at', now)
            task_event (prefix, out, tid)
        end
    end
end
return {'ok', 'ok', unpack (out)}
