-- consultation_dispatch: a batch of the dispatch journal, and
-- consultation's cursor on it moves past.  A hot spot opens a draft topic
-- (once per hot spot); a closed case that carries a task closes the task;
-- a case dispatch rejected as invalid (无效) makes its task a dead letter.
-- ARGV: prefix, cursor key, expected, new, now, count, then per item
-- 'hotspot', hot spot id, the topic id the daemon chose ('' when it found
-- the hot spot had one), its topic.created, the topic spec (lib.lua
-- read_spec); or 'closed' | 'rejected', case id, reason, the task's
-- topic.task ('' when the daemon found no open task on the case).
-- Answers {'ok', 'ok', events...}, or {'moved', cursor} when the cursor
-- or what the daemon read has moved (nothing is changed then).
local prefix, ckey, now = ARGV[1], ARGV[2], ARGV[5]

local function open_task (case)
    local tid = redis.call ('HGET', prefix .. 'case_task', case)
    if tid and redis.call ('HGET', prefix .. 'task:' .. tid, 'state') == 'dispatched' then
        return tid
    end
    return nil
end

-- Every item, read first: the plan must hold before anything is written.
local items = {}
local i = 7
for _ = 1, tonumber (ARGV[6]) do
    local item = {kind = ARGV[i], ref = ARGV[i + 1]}
    if item.kind == 'hotspot' then
        item.id, item.created = ARGV[i + 2], ARGV[i + 3]
        item.spec, i = read_spec (ARGV, i + 4)
        if redis.call ('HEXISTS', prefix .. 'hotspot', item.ref) == 0
        and (item.id == '' or not topic_id_free (prefix, item.id)) then
            return {'moved', redis.call ('GET', ckey) or '0'}
        end
    else
        item.reason, item.event = ARGV[i + 2], ARGV[i + 3]
        i = i + 4
        if open_task (item.ref) and item.event == '' then
            return {'moved', redis.call ('GET', ckey) or '0'}
        end
    end
    items[#items + 1] = item
end
local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local out = {}
for _, item in ipairs (items) do
    if item.kind == 'hotspot' then
        if redis.call ('HEXISTS', prefix .. 'hotspot', item.ref) == 0 then
            redis.call ('HSET', prefix .. 'hotspot', item.ref, item.id)
            topic_make (prefix, out, item.spec, now, item.id, item.created)
        end
    else
        local tid = open_task (item.ref)
        if tid and item.event ~= '' then
            local tk = prefix .. 'task:' .. tid
            if item.kind == 'closed' then
                redis.call ('HSET', tk, 'state', 'closed', 'at', now)
            else
                redis.call ('HSET', tk, 'state', 'dead', 'error', item.reason, 'at', now)
                redis.call ('HDEL', prefix .. 'case_task', item.ref)
                redis.call ('ZADD', prefix .. 'dead', now, tid)
            end
            emit (prefix, out, 'topic.task', item.event)
        end
    end
end
return {'ok', 'ok', unpack (out)}
