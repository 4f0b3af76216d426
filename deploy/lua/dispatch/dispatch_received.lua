-- dispatch_received: a batch of case.received events becomes dispatched
-- cases, and dispatch's cursor on the intake journal moves past them.
-- ARGV: prefix, cursor key, expected cursor, new cursor, hot-spot count,
-- hot-spot window (ms), statistics key of the day, dispatch's time (the
-- cases' `updated`), then to the end, per case: id, center, unit,
-- category, created, sign_by, its first timer's due time, community (''
-- when unknown), case.dispatched body, its first two timeline steps
-- (lib.lua), n, then the case's n field/value pairs as the hash keeps
-- them (the case.view's fields: cases.c).  Each new case gets its timer
-- entry (lib.lua; machine.c fires it) and counts as received in the day's
-- statistics, which read that as dispatched too (services/dispatch/stats.c).  The batch's cases
-- share their queues, their timer set and their statistics' fields, so
-- each of those is written once for the batch, with every case it gets
-- (one ZADD a key, one HINCRBY a field), not once a case, and the
-- journal's sequence number is moved once (lib.lua).
-- Hot spots (预警预判): the cases of one category in one community are a
-- sorted set by time dispatched (dispatch's clock); when it holds `hot-spot count` cases within
-- the window, hotspot.detected is journaled, once per window: the key
-- hsr:<category>:<community> remembers until when the last one covers.
-- Answers {'ok', seq...} (seq 0 for a case that already existed), where a
-- hot spot raised by a case follows its seq as {seq, body}; or
-- {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local hs_count, hs_window, stats = tonumber (ARGV[5]), tonumber (ARGV[6]), ARGV[7]
local now = tonumber (ARGV[8])

local function hotspot (id, category, community)
    local key = prefix .. 'hs:' .. category .. ':' .. community
    redis.call ('ZADD', key, now, id)
    redis.call ('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - hs_window))
    if redis.call ('ZCARD', key) < hs_count then
        return nil
    end
    local raised = prefix .. 'hsr:' .. category .. ':' .. community
    if now < tonumber (redis.call ('GET', raised) or '0') then
        return nil
    end
    redis.call ('SET', raised, now + hs_window)
    local ids = redis.call ('ZRANGE', key, -1000, -1)
    local body = cmsgpack.pack ({v = 1, id = category .. ':' .. community .. ':' .. now,
                                 category = category, community = community,
                                 count = #ids, cases = ids, window_from = now - hs_window,
                                 window_to = now, at = now})
    return {journal_add (prefix, 'hotspot.detected', body), body}
end

local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end

local adds, counts = {}, {}     -- sorted set -> {score, member, ...}; field -> count
local function add (key, score, member)
    local list = adds[key]
    if not list then
        list = {}
        adds[key] = list
    end
    list[#list + 1] = score
    list[#list + 1] = member
end

local answer = {'ok'}
local at = 9
while at <= #ARGV do
    local id, center, unit, category = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
    local nfields = tonumber (ARGV[at + 11])
    local key = prefix .. 'case:' .. id
    if redis.call ('EXISTS', key) == 1 then
        answer[#answer + 1] = 0
    else
        redis.call ('HSET', key, 'nsteps', 2, 'step:1', ARGV[at + 9], 'step:2', ARGV[at + 10],
                    unpack (ARGV, at + 12, at + 11 + nfields * 2))
        for _, q in ipairs ({queue_keys (prefix, center, unit, 'dispatched')}) do
            add (q, ARGV[at + 5], id)
        end
        for _, q in ipairs ({queue_keys (prefix, center, unit, 'all')}) do
            add (q, ARGV[at + 4], id)
        end
        add (prefix .. 'timers', ARGV[at + 6], id)
        answer[#answer + 1] = journal_add (prefix, 'case.dispatched', ARGV[at + 8])
        local field = unit .. '|' .. category .. '|received'
        counts[field] = (counts[field] or 0) + 1
        if hs_count > 0 and ARGV[at + 7] ~= '' then
            answer[#answer + 1] = hotspot (id, category, ARGV[at + 7])
        end
    end
    at = at + 12 + nfields * 2
end
for key, list in pairs (adds) do
    for from = 1, #list, 1000 do         -- within what unpack may spread
        redis.call ('ZADD', key, unpack (list, from, math.min (from + 999, #list)))
    end
end
for field, n in pairs (counts) do
    redis.call ('HINCRBY', stats, field, n)
end
journal_done (prefix)
return answer
