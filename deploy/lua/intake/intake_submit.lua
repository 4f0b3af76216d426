-- intake_submit: each request of a batch becomes a case, or a supporter of
-- an open case (合并, "me too"), once, in order.
-- ARGV: prefix, keep (intake/ext_keep_days in ms: how long a reference is
-- remembered, lib.lua), then 17 arguments per request: rid, ext (source|ext_ref, or
-- ""), id, record, body (case.received), into (the open case to join, or
-- ""), caller (a fingerprint, or ""), now, category, grid (or ""), lon, lat
-- (or ""), window_ms, source, ext_ref, contact (masked, or ""), digest (of
-- what the request says, or "").
-- Answers one item per request: {'new', id, seq}, {'repeat', id, 0},
-- {'conflict', id, 0} or {'merged', into, seq, supporters, known_caller,
-- case.merged body}.
--
-- A request with a digest (a grid report) keeps it with its reference
-- (lib.lua): a request again with the reference is a repeat when it says
-- the same, and a conflict (refused, nothing stored) when it says something
-- else.  References without a digest, and those stored before digests were
-- kept, are repeats as ever.
--
-- A case is one hash, `req:<id>`: its first request's record (`record`),
-- `supporters` and `calls` (absent until a second request: one each), a
-- field `caller:<fingerprint>` per caller, the record of each later
-- call n as `record:<n>`, `reporter` (the first caller's fingerprint, for
-- the fund's resident points: not the supporters', who repeat), and a field `media:<address>` for each photo
-- the gateway keeps that any of its requests brought (so the gateway
-- shows a supporter's photo too, and no other), the first ten of them
-- also in `photos`, space-separated, for showing the case.  A new case of
-- source `supervision` adds one to its power's count in `powers:reports`.  The batch's request ids and references are read
-- up front (rid_recall, and ext_find below).
--
-- The merge index is two sorted sets per category, whatever the grid:
-- `recent:<category>` holds `<grid>|<time, 13 digits>|<case>` at score 0,
-- so that in its lexical order one grid's cases lie together, oldest first
-- (grid codes are digits: none holds `|`); `recentat:<category>` holds the
-- same members scored by time, so that it is pruned once per category at
-- the end of the batch.  Entries older than the window are never read
-- (intake_accept asks for the window only), so pruning late loses nothing.
local prefix, keep = ARGV[1], tonumber (ARGV[2])
local FIRST, PER_REQUEST = 3, 17
-- A case shows at most this many photos (intake.view's media).
local PHOTOS_SHOWN = 10

-- (source, ext_ref) -> case, as read up front and written since; and the
-- digests of this batch's new references.
local ext_known, ext_digest = {}, {}
-- The merge index's categories this batch added to, and the newest cutoff.
local grid_categories, geo_categories, cutoff = {}, {}, nil
-- Old entries leave the indexes at most this many per category and batch.
local PRUNE = 500

-- Marks the photos a request's record brings as the case's: `media:<address>`.
local function photos_keep (key, record)
    if not string.find (record, 'photo:', 1, true) then
        return                  -- most requests bring none: not worth decoding
    end
    local ok, r = pcall (cmsgpack.unpack, record)
    if not ok or type (r) ~= 'table' or type (r.media) ~= 'table' then
        return
    end
    local list = redis.call ('HGET', key, 'photos') or ''
    local count = list == '' and 0 or select (2, string.gsub (list, ' ', ' ')) + 1
    local before = list
    for _, m in ipairs (r.media) do
        if type (m) == 'string' and string.sub (m, 1, 6) == 'photo:'
        and redis.call ('HSET', key, 'media:' .. m, 1) == 1 and count < PHOTOS_SHOWN then
            list = list == '' and m or list .. ' ' .. m
            count = count + 1
        end
    end
    if list ~= before then
        redis.call ('HSET', key, 'photos', list)
    end
end

-- Keeps a new reference's case and digest.
local function ext_keep (ext, id, digest, now)
    if ext == '' then
        return
    end
    ext_store (prefix, now, keep, ext, id, digest)
    ext_known[ext] = id
    if digest ~= '' then
        ext_digest[ext] = digest
    end
end

local function submit (rid, ext, id, record, body, into, caller, now, category, grid, lon, lat,
                       window_ms, source, ext_ref, contact, digest)
    local done = rid_answer (prefix, rid)
    if done then
        return {'repeat', done, 0}
    end
    if ext ~= '' and ext_known[ext] then
        if digest ~= '' then
            local had = ext_digest[ext]
            if had and had ~= digest then
                return {'conflict', ext_known[ext], 0}
            end
        end
        rid_remember (prefix, rid, ext_known[ext])
        return {'repeat', ext_known[ext], 0}
    end
    now = tonumber (now)
    local caller_field = caller ~= '' and 'caller:' .. caller or nil

    -- A supporter: counted once per caller; a caller who called about this
    -- case before is recognised and counted as a call, not a supporter.
    if into ~= '' then
        local key = prefix .. 'req:' .. into
        local seen = redis.call ('HMGET', key, 'record', 'supporters', 'calls',
                                 caller_field or 'calls')
        if seen[1] then
            local known = caller_field ~= nil and seen[4] ~= false
            local supporters, calls = tonumber (seen[2] or 1), tonumber (seen[3] or 1) + 1
            local change = {'calls', calls, 'record:' .. calls, record}
            if not known then
                supporters = supporters + 1
                change[#change + 1], change[#change + 2] = 'supporters', supporters
                if caller_field then
                    change[#change + 1], change[#change + 2] = caller_field, 1
                end
            end
            redis.call ('HSET', key, unpack (change))
            photos_keep (key, record)
            ext_keep (ext, into, digest, now)
            local event = {v = 1, id = into, source = source, supporters = supporters,
                           known_caller = known, at = now}
            if ext_ref ~= '' then event.ext_ref = ext_ref end
            if contact ~= '' then event.contact = contact end
            local merged = cmsgpack.pack (event)
            local seq = journal_append (prefix, 'case.merged', merged)
            rid_remember (prefix, rid, into)
            return {'merged', into, seq, supporters, known and 1 or 0, merged}
        end
    end

    ext_keep (ext, id, digest, now)
    if caller_field then
        redis.call ('HSET', prefix .. 'req:' .. id, 'record', record, caller_field, 1,
                    'reporter', caller)
    else
        redis.call ('HSET', prefix .. 'req:' .. id, 'record', record)
    end
    photos_keep (prefix .. 'req:' .. id, record)
    -- A report of a power's misuse (码上监督) is counted under its power in
    -- `powers:reports` (<area>/<code> -> reports), published with the list.
    if source == 'supervision' then
        local ok, r = pcall (cmsgpack.unpack, record)
        local power = ok and type (r) == 'table' and type (r.detail) == 'string'
                      and string.match (r.detail, '^power=(%d+/[%w_]+)$')
        if power then
            redis.call ('HINCRBY', prefix .. 'powers:reports', power, 1)
        end
    end
    -- The merge index: recent cases by category and grid, and by category and
    -- point, with their times.
    if category ~= '' then
        cutoff = math.max (cutoff or 0, now - tonumber (window_ms))
        if grid ~= '' then
            local entry = string.format ('%s|%013d|%s', grid, now, id)
            redis.call ('ZADD', prefix .. 'recent:' .. category, 0, entry)
            redis.call ('ZADD', prefix .. 'recentat:' .. category, now, entry)
            grid_categories[category] = true
        end
        if lon ~= '' then
            redis.call ('GEOADD', prefix .. 'geo:' .. category, lon, lat, id)
            redis.call ('ZADD', prefix .. 'geoat:' .. category, now, id)
            geo_categories[category] = true
        end
    end
    local seq = journal_append (prefix, 'case.received', body)
    rid_remember (prefix, rid, id)
    return {'new', id, seq}
end

local rids, exts = {}, {}
for at = FIRST, #ARGV, PER_REQUEST do
    rids[#rids + 1] = ARGV[at]
    if ARGV[at + 1] ~= '' then
        exts[#exts + 1] = ARGV[at + 1]
    end
end
rid_recall (prefix, rids)
if #exts > 0 then
    -- the batch's time: its requests' times differ by milliseconds
    local known = ext_find (prefix, tonumber (ARGV[FIRST + 7]), keep, exts)
    for ext, case in pairs (known) do
        ext_known[ext], ext_digest[ext] = case[1], case[2]
    end
end

local answers = {}
for at = FIRST, #ARGV, PER_REQUEST do
    answers[#answers + 1] = submit (unpack (ARGV, at, at + PER_REQUEST - 1))
end

-- Entries older than the window leave the merge index: `index` holds
-- them as `at` does, by time.
local function prune (index, at)
    local old = redis.call ('ZRANGEBYSCORE', at, '-inf', cutoff, 'LIMIT', 0, PRUNE)
    if #old > 0 then
        redis.call ('ZREM', index, unpack (old))
        redis.call ('ZREM', at, unpack (old))
    end
end
for category in pairs (grid_categories) do
    prune (prefix .. 'recent:' .. category, prefix .. 'recentat:' .. category)
end
for category in pairs (geo_categories) do
    prune (prefix .. 'geo:' .. category, prefix .. 'geoat:' .. category)
end
return answers
