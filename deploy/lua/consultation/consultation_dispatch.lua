-- consultation_dispatch: a batch of the dispatch journal, and
-- consultation's cursor on it moves past.  A hot spot opens a draft topic
-- (once per hot spot).  The tasks a case carries follow it: closed with
-- it; dead letters when dispatch rejects it as invalid (无效); carried on
-- by the case dispatch merged it into.
-- ARGV: prefix, cursor key, expected, new, now, count, then per item
-- 'hotspot', hot spot id, the topic id the daemon chose ('' when it found
-- the hot spot had one), its topic.created, the topic spec (lib.lua
-- read_spec); or 'closed' | 'rejected' | 'merged', case id, the reason
-- (rejected) or the case it went into (merged), n, then n task ids, each
-- with its topic.task after the change: every task the daemon found
-- dispatched on the case, counting those an earlier item of the batch
-- merged into it.
-- Answers {'ok', 'ok', events...}, or {'moved', cursor} when the cursor
-- or what the daemon read has moved (nothing is changed then).
local prefix, ckey, now = ARGV[1], ARGV[2], ARGV[5]

local function dispatched (tid, case)
    local t = redis.call ('HMGET', prefix .. 'task:' .. tid, 'state', 'case_id')
    return t[1] == 'dispatched' and t[2] == case
end

-- Every item, read first: the plan must hold before anything is written.
-- A task dispatched on a case now must have its event in the case's item.
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
        item.extra, item.tasks, item.order = ARGV[i + 2], {}, {}
        local n = tonumber (ARGV[i + 3])
        i = i + 4
        for _ = 1, n do
            item.tasks[ARGV[i]] = ARGV[i + 1]
            item.order[#item.order + 1] = ARGV[i]
            i = i + 2
        end
        for _, tid in ipairs (redis.call ('SMEMBERS', prefix .. 'case:' .. item.ref)) do
            if dispatched (tid, item.ref) and not item.tasks[tid] then
                return {'moved', redis.call ('GET', ckey) or '0'}
            end
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
        local from = prefix .. 'case:' .. item.ref
        for _, tid in ipairs (item.order) do
            if dispatched (tid, item.ref) then
                local tk = prefix .. 'task:' .. tid
                if item.kind == 'closed' then
                    redis.call ('HSET', tk, 'state', 'closed', 'at', now)
                elseif item.kind == 'rejected' then
                    redis.call ('HSET', tk, 'state', 'dead', 'error', item.extra, 'at', now)
                    redis.call ('ZADD', prefix .. 'dead', now, tid)
                else
                    redis.call ('HSET', tk, 'case_id', item.extra, 'at', now)
                    redis.call ('SADD', prefix .. 'case:' .. item.extra, tid)
                end
                redis.call ('SREM', from, tid)
                emit (prefix, out, 'topic.task', item.tasks[tid])
            end
        end
    end
end
return {'ok', 'ok', unpack (out)}
