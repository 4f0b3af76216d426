-- lib.lua (intake) — the references intake has seen, for its scripts.
--
-- A reference is `source|ext_ref` (a hotline's order number, a device's
-- alarm id ...) and answers with its case, so that the same order sent
-- again is a repeat and not a new case.  After a case has left Redis for
-- the archive this is all intake keeps of it, so it is kept small and not
-- for good: by period of arrival (period: Unix ms / EXT_PERIOD_MS, 30
-- days), in EXT_BUCKETS hashes `ext:<period>:<bucket>` (bucket: the
-- reference's SHA-1, its first 24 bits, modulo EXT_BUCKETS), field the reference, value
-- the case's id, or `id digest` for a grid report (what it said, for
-- telling a repeat from a conflicting reuse of its id).  The buckets keep
-- each hash under hash-max-listpack-entries (128) up to 32,768 references
-- a period, so that Redis stores them compactly (a listpack: some 45 bytes
-- a reference where one hash of them all takes 80); past that a bucket is
-- an ordinary hash, no worse than before.  A period may go once `keep`
-- (intake/ext_keep_days) has passed since it ended: its name `ext:<period>`
-- and each of its buckets are listed in `expiring` with that time, and the
-- retention timer of the daemon (cg_retention.h, keys_expire.lua) deletes
-- them then, on civgrid's clock.  A reference is looked for only in the
-- periods not yet due, so what is answered does not depend on when the
-- timer ran.  A reference is therefore remembered for keep at least and
-- keep plus one period at most.
--
-- Stores of before are read too: a layout-4 store's period is one hash
-- `ext:<period>` (looked in first while it exists), and an older one's a
-- hash `ext` for good, digests in `extsum`, listed in `expiring` a keep
-- from the first batch that finds them.
local EXT_BUCKETS = 256
local function ext_bucket (key, ref)
    return key .. ':' .. tonumber (string.sub (redis.sha1hex (ref), 1, 6), 16) % EXT_BUCKETS
end

-- The periods of references still to be read at now: those listed in
-- `expiring` and not yet due (those that hold references, about 14),
-- newest first, by their names (not their buckets), then the old `ext`
-- unless it is due.
local function ext_keys (prefix, now)
    local keys = {}
    local head = prefix .. 'ext:'
    local live = redis.call ('ZRANGEBYSCORE', prefix .. 'expiring', '(' .. now, '+inf')
    for i = #live, 1, -1 do
        if string.find (live[i], head, 1, true) == 1
        and string.find (live[i], '^%d+$', #head + 1) then
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

-- Looks refs up in the hash key (500 at a time): each found goes into
-- found as ref -> {id, digest}, each other into still.
local function ext_lookup (prefix, key, refs, found, still)
    local legacy = key == prefix .. 'ext'
    for from = 1, #refs, 500 do
        local upto = math.min (from + 499, #refs)
        local values = redis.call ('HMGET', key, unpack (refs, from, upto))
        for i = from, upto do
            local value = values[i - from + 1]
            if value then
                local id, digest = ext_split (value)
                if legacy then
                    digest = redis.call ('HGET', prefix .. 'extsum', refs[i]) or nil
                end
                found[refs[i]] = {id, digest}
            else
                still[#still + 1] = refs[i]
            end
        end
    end
end

-- The cases of refs (a list), as a table ref -> {id, digest}; nil when unknown.
local function ext_find (prefix, now, keep, refs)
    local found, missing = {}, refs
    for _, key in ipairs (ext_keys (prefix, now)) do
        if #missing == 0 then
            break
        end
        local still = {}
        if key == prefix .. 'ext' or redis.call ('EXISTS', key) == 1 then
            ext_lookup (prefix, key, missing, found, still)
            missing, still = still, {}
        end
        if key ~= prefix .. 'ext' then
            local buckets, order = {}, {}
            for _, ref in ipairs (missing) do
                local bucket = ext_bucket (key, ref)
                if not buckets[bucket] then
                    buckets[bucket] = {}
                    order[#order + 1] = bucket
                end
                table.insert (buckets[bucket], ref)
            end
            for _, bucket in ipairs (order) do
                ext_lookup (prefix, bucket, buckets[bucket], found, still)
            end
            missing = still
        end
    end
    return found
end

-- Keeps ref -> id (and digest, or '') in the period of now, in its bucket.
local ext_listed = {}
local function ext_store (prefix, now, keep, ref, id, digest)
    local period = math.floor (now / EXT_PERIOD_MS)
    local name = prefix .. 'ext:' .. period
    local key = ext_bucket (name, ref)
    local due = (period + 1) * EXT_PERIOD_MS + keep
    redis.call ('HSET', key, ref, digest ~= '' and id .. ' ' .. digest or id)
    if not ext_listed[key] then
        redis.call ('ZADD', prefix .. 'expiring', due, key)
        ext_listed[key] = true
    end
    if not ext_listed[name] then
        redis.call ('ZADD', prefix .. 'expiring', due, name)
        if redis.call ('EXISTS', prefix .. 'ext') == 1 then
            redis.call ('ZADD', prefix .. 'expiring', 'NX', now + keep, prefix .. 'ext')
            redis.call ('ZADD', prefix .. 'expiring', 'NX', now + keep, prefix .. 'extsum')
        end
        ext_listed[name] = true
    end
end
