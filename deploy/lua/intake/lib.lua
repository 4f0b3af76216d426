-- lib.lua (intake) — the references intake has seen, for its scripts.
--
-- A reference is `source|ext_ref` (a hotline's order number, a device's
-- alarm id ...) and answers with its case, so that the same order sent
-- again is a repeat and not a new case.  After a case has left Redis for
-- the archive this is all intake keeps of it, so it is kept small and not
-- for good: one hash per period of arrival, `ext:<period>` (period: Unix
-- ms / EXT_PERIOD_MS, 30 days), field the reference, value the case's id,
-- or `id digest` for a grid report (what it said, for telling a repeat
-- from a conflicting reuse of its id).  A period's hash may go once
-- `keep` (intake/ext_keep_days) has passed since the period ended; it is
-- listed in `expiring` with that time, and the retention timer of the
-- daemon (cg_retention.h, keys_expire.lua) deletes it then, on civgrid's
-- clock.  A reference is looked for only in the periods not yet due, so
-- what is answered does not depend on when the timer ran.  A reference is
-- therefore remembered for keep at least and keep plus one period at most.
--
-- Stores of before (a hash `ext` for good, digests in `extsum`) are read
-- too, and listed in `expiring` a keep from the first batch that finds them.

-- The hashes of references still to be read at now: the periods listed in
-- `expiring` and not yet due (those that hold references, about 14), newest
-- first, then the old `ext` unless it is due.
local function ext_keys (prefix, now)
    local keys = {}
    local live = redis.call ('ZRANGEBYSCORE', prefix .. 'expiring', '(' .. now, '+inf')
    for i = #live, 1, -1 do
        if string.find (live[i], prefix .. 'ext:', 1, true) == 1 then
            keys[#keys + 1] = live[i]
        end
    end
    local due = redis.call ('ZSCORE', prefix .. 'expiring', prefix .. 'ext')
    if not due or tonumber (due) > now then
        keys[#keys + 1] = prefix .. 'ext'
    end
    return keys
end

-- Splits a stored value into the case and the digest (nil when none).
local function ext_split (value)
    local space = string.find (value, ' ', 1, true)
    if not space then
        return value, nil
    end
    return string.sub (value, 1, space - 1), string.sub (value, space + 1)
end

-- The cases of refs (a list), as a table ref -> {id, digest}; nil when unknown.
local function ext_find (prefix, now, keep, refs)
    local found, missing = {}, refs
    for _, key in ipairs (ext_keys (prefix, now)) do
        if #missing == 0 then
            break
        end
        local still = {}
        local legacy = key == prefix .. 'ext'
        for from = 1, #missing, 500 do
            local upto = math.min (from + 499, #missing)
            local values = redis.call ('HMGET', key, unpack (missing, from, upto))
            for i = from, upto do
                local value = values[i - from + 1]
                if value then
                    local id, digest = ext_split (value)
                    if legacy then
                        digest = redis.call ('HGET', prefix .. 'extsum', missing[i]) or nil
                    end
                    found[missing[i]] = {id, digest}
                else
                    still[#still + 1] = missing[i]
                end
            end
        end
        missing = still
    end
    return found
end

-- Keeps ref -> id (and digest, or '') in the period of now.
local ext_listed = {}
local function ext_store (prefix, now, keep, ref, id, digest)
    local period = math.floor (now / EXT_PERIOD_MS)
    local key = prefix .. 'ext:' .. period
    redis.call ('HSET', key, ref, digest ~= '' and id .. ' ' .. digest or id)
    if not ext_listed[key] then
        redis.call ('ZADD', prefix .. 'expiring', (period + 1) * EXT_PERIOD_MS + keep, key)
        if redis.call ('EXISTS', prefix .. 'ext') == 1 then
            redis.call ('ZADD', prefix .. 'expiring', 'NX', now + keep, prefix .. 'ext')
            redis.call ('ZADD', prefix .. 'expiring', 'NX', now + keep, prefix .. 'extsum')
        end
        ext_listed[key] = true
    end
end
