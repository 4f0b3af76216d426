-- dispatch_received: a batch of case.received events becomes dispatched
-- cases, and dispatch's cursor on the intake journal moves past them.
-- ARGV: prefix, cursor key, expected cursor, new cursor, hot-spot count,
-- hot-spot window (ms), statistics keys of the day (its day, week and
-- month hashes, separated by spaces: lib.lua), dispatch's time (the
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
-- Hot spots (预警预判): the hash hs holds, per category and community (the
-- field <category>:<community>), until when the last hot spot there
-- covers, then the cases of the last window as "<time>=<id>" by time
-- dispatched (dispatch's clock), all in one string: read with one HMGET
-- and written with one HSET for the whole batch, not three commands a
-- case.  When the window holds `hot-spot count` cases, hotspot.detected is
-- journaled, once per window, and the sorted set hot lists it until its
-- window is over.
-- Answers {'ok', seq...} (seq 0 for a case that already existed), where a
-- hot spot raised by a case follows its seq as {seq, body}; or
-- {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local hs_count, hs_window, stats = tonumber (ARGV[5]), tonumber (ARGV[6]), ARGV[7]
local now = tonumber (ARGV[8])

-- The batch's hot-spot fields: field -> {until when the last hot spot
-- covers, {{time, id}...} of the window, id -> its place there, changed};
-- kept are at least the last `keep` cases of the window, all a hot spot
-- counts or names.  Within a batch the time is one, so a field is trimmed once.
local spots, keep = {}, math.max (1000, hs_count)
local function spots_load ()
    local fields, seen = {}, {}
    local at = 9
    while at <= #ARGV do
        if ARGV[at + 7] ~= '' then
            local field = ARGV[at + 3] .. ':' .. ARGV[at + 7]
            if not seen[field] then
                seen[field] = true
                fields[#fields + 1] = field
            end
        end
        at = at + 12 + tonumber (ARGV[at + 11]) * 2
    end
    if #fields == 0 then
        return
    end
    local values = redis.call ('HMGET', prefix .. 'hs', unpack (fields))
    for i, field in ipairs (fields) do
        local value = values[i] or ''
        local spot = {tonumber (string.match (value, '^[^;]*')) or 0, {}, {}, false}
        for time, id in string.gmatch (value, ';(%-?%d+)=([^;]+)') do
            time = tonumber (time)
            if time >= now - hs_window then
                spot[2][#spot[2] + 1] = {time, id}
                spot[3][id] = #spot[2]
            end
        end
        spots[field] = spot
    end
end

local function by_time (a, b)
    return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
end

-- Counts case id in; answers the hot spot it raises, or nil.
local function hotspot (id, category, community)
    local field = category .. ':' .. community
    local spot = spots[field]
    local window = spot[2]
    spot[4] = true
    if spot[3][id] then
        window[spot[3][id]][1] = now
    else
        window[#window + 1] = {now, id}
        spot[3][id] = #window
    end
    if #window > 2 * keep then
        -- cut back to the last `keep` now and then, not a sort every case;
        -- copied by hand, as unpack spreads 8000 at most
        table.sort (window, by_time)
        local last = {}
        spot[3] = {}
        for i = #window - keep + 1, #window do
            last[#last + 1] = window[i]
            spot[3][window[i][2]] = #last
        end
        window = last
        spot[2] = window
    end
    if #window < hs_count or now < spot[1] then
        return nil
    end
    spot[1] = now + hs_window
    local sorted = {}
    for i, case in ipairs (window) do
        sorted[i] = case
    end
    table.sort (sorted, by_time)
    local ids = {}
    for i = math.max (1, #sorted - 999), #sorted do
        ids[#ids + 1] = sorted[i][2]
    end
    -- the current hot spots, for the console (gateway/hotspots.c): the
    -- sorted set hot, "<category>:<community>:<at>:<count>" scored by
    -- until when it covers; those over are cut as a new one comes
    redis.call ('ZREMRANGEBYSCORE', prefix .. 'hot', '-inf', '(' .. now)
    redis.call ('ZADD', prefix .. 'hot', spot[1], field .. ':' .. now .. ':' .. #ids)
    local body = cmsgpack.pack ({v = 1, id = field .. ':' .. now,
                                 category = category, community = community,
                                 count = #ids, cases = ids, window_from = now - hs_window,
                                 window_to = now, at = now})
    return {journal_add (prefix, 'hotspot.detected', body), body}
end

local function spots_save ()
    local set = {}
    for field, spot in pairs (spots) do
        if spot[4] then
            local parts = {spot[1]}
            for _, case in ipairs (spot[2]) do
                parts[#parts + 1] = case[1] .. '=' .. case[2]
            end
            set[#set + 1] = field
            set[#set + 1] = table.concat (parts, ';')
        end
    end
    for from = 1, #set, 1000 do         -- within what unpack may spread
        redis.call ('HSET', prefix .. 'hs', unpack (set, from, math.min (from + 999, #set)))
    end
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

if hs_count > 0 then
    spots_load ()
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
    stats_add (stats, field, n)
end
spots_save ()
journal_done (prefix)
return answer
