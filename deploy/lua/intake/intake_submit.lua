-- intake_submit: each request of a batch becomes a case, or a supporter of
-- an open case (合并, "me too"), once, in order.
-- ARGV: prefix, then 16 arguments per request: rid, ext (source|ext_ref, or
-- ""), id, record, body (case.received), into (the open case to join, or
-- ""), caller (a fingerprint, or ""), now, category, grid (or ""), lon, lat
-- (or ""), window_ms, source, ext_ref, contact (masked, or "").
-- Answers one item per request: {'new', id, seq}, {'repeat', id, 0} or
-- {'merged', into, seq, supporters, known_caller, case.merged body}.
local prefix = ARGV[1]

local function submit (rid, ext, id, record, body, into, caller, now, category, grid, lon, lat,
                       window, source, ext_ref, contact)
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
    end
    now = tonumber (now)

    -- A supporter: counted once per caller; a caller who called about this
    -- case before is recognised and counted as a call, not a supporter.
    if into ~= '' and redis.call ('EXISTS', prefix .. 'req:' .. into) == 1 then
        local known = caller ~= '' and redis.call ('SISMEMBER', prefix .. 'callers:' .. into, caller) == 1
        if not known then
            redis.call ('HINCRBY', prefix .. 'n:' .. into, 'supporters', 1)
            if caller ~= '' then
                redis.call ('SADD', prefix .. 'callers:' .. into, caller)
            end
        end
        redis.call ('HINCRBY', prefix .. 'n:' .. into, 'calls', 1)
        if ext ~= '' then
            redis.call ('HSET', prefix .. 'ext', ext, into)
        end
        redis.call ('RPUSH', prefix .. 'sup:' .. into, record)
        local supporters = tonumber (redis.call ('HGET', prefix .. 'n:' .. into, 'supporters'))
        local event = {v = 1, id = into, source = source, supporters = supporters,
                       known_caller = known, at = now}
        if ext_ref ~= '' then event.ext_ref = ext_ref end
        if contact ~= '' then event.contact = contact end
        local merged = cmsgpack.pack (event)
        local seq = journal_append (prefix, 'case.merged', merged)
        rid_remember (prefix, rid, into)
        return {'merged', into, seq, supporters, known and 1 or 0, merged}
    end

    if ext ~= '' then
        redis.call ('HSET', prefix .. 'ext', ext, id)
    end
    redis.call ('SET', prefix .. 'req:' .. id, record)
    redis.call ('HSET', prefix .. 'n:' .. id, 'supporters', 1, 'calls', 1)
    if caller ~= '' then
        redis.call ('SADD', prefix .. 'callers:' .. id, caller)
    end
    -- The merge index: recent cases by category and grid, and by category and
    -- point; entries older than the window are dropped as new ones come.
    if category ~= '' then
        local cutoff = now - tonumber (window)
        if grid ~= '' then
            local key = prefix .. 'recent:' .. category .. ':' .. grid
            redis.call ('ZADD', key, now, id)
            redis.call ('ZREMRANGEBYSCORE', key, '-inf', cutoff)
            redis.call ('PEXPIRE', key, tonumber (window) + 60000)
        end
        if lon ~= '' then
            local geo, at = prefix .. 'geo:' .. category, prefix .. 'geoat:' .. category
            local old = redis.call ('ZRANGEBYSCORE', at, '-inf', cutoff, 'LIMIT', 0, 100)
            for _, gone in ipairs (old) do
                redis.call ('ZREM', geo, gone)
                redis.call ('ZREM', at, gone)
            end
            redis.call ('GEOADD', geo, lon, lat, id)
            redis.call ('ZADD', at, now, id)
        end
    end
    local seq = journal_append (prefix, 'case.received', body)
    rid_remember (prefix, rid, id)
    return {'new', id, seq}
end

local answers = {}
for at = 2, #ARGV, 16 do
    answers[#answers + 1] = submit (unpack (ARGV, at, at + 15))
end
return answers
