-- prelude.lua — put in front of every civgrid script at build time.
--
-- Every state change in civgrid is one of these scripts, so that the change,
-- the journal entry it produces and (for an event) the consumer's new cursor
-- happen together or not at all (DESIGN.md §3).  All keys one script touches
-- carry the owning daemon's hash tag: `prefix` is "cg:{dispatch}:" and so on.
--
-- A journal is a stream `<prefix>journal` whose entry ids are `<seq>-0`,
-- seq counting 1, 2, 3 ... from `<prefix>seq` with no gaps, so that a
-- subscriber can see a missing entry and read it back with XRANGE.

-- The lease (docs/ARCHITECTURE.md, "Standby instances"): a daemon that may
-- have a standby passes, as the last four ARGV of every call, 'cg:lease',
-- its lease key, its token and the lease's time to live in ms
-- (cg_redis_set_lease).  They are taken off ARGV here, before the script
-- reads it.  A call whose token no longer holds the key is refused: an
-- instance that was paused while the lease moved to its standby cannot
-- write after it wakes.  A call that holds it (or finds it lapsed, with no
-- one having taken it) renews it.  Calls without them (the CLI, tests) are
-- not checked.
if ARGV[#ARGV - 3] == 'cg:lease' then
    local ttl = table.remove (ARGV)
    local token = table.remove (ARGV)
    local key = table.remove (ARGV)
    table.remove (ARGV)
    local holder = redis.call ('GET', key)
    if holder and holder ~= token then
        return redis.error_reply ('LEASE ' .. key .. ' is held by ' .. holder ..
                                  ', not by ' .. token .. ': this instance is no longer active')
    end
    redis.call ('SET', key, token, 'PX', ttl)
end

-- The one place an entry is written: every journal's entries look alike.
local function journal_write (prefix, seq, topic, body)
    redis.call ('XADD', prefix .. 'journal', seq .. '-0', 't', topic, 'b', body)
    return seq
end

local function journal_append (prefix, topic, body)
    return journal_write (prefix, redis.call ('INCR', prefix .. 'seq'), topic, body)
end

-- A batch's entries, with the sequence number read once and written once
-- for the whole batch rather than an INCR for each entry: journal_add for
-- each, then journal_done.  (Do not mix with journal_append in one call.)
local journal_seq
local function journal_add (prefix, topic, body)
    journal_seq = (journal_seq or tonumber (redis.call ('GET', prefix .. 'seq') or '0')) + 1
    return journal_write (prefix, journal_seq, topic, body)
end

local function journal_done (prefix)
    if journal_seq then
        redis.call ('SET', prefix .. 'seq', journal_seq)
    end
end

-- A consumer's cursor moves from `expected` to `new` only if it still
-- stands at `expected`: an event batch is applied once, whoever retries it.
local function cursor_advance (key, expected, new)
    local cur = tonumber (redis.call ('GET', key) or '0')
    if cur ~= tonumber (expected) then
        return false, cur
    end
    redis.call ('SET', key, new)
    return true, cur
end

-- Commands are idempotent by request id: the first answer is kept for a day
-- and given again to a retry, which then changes nothing.  The answers of a
-- day (a Unix day of Redis's own clock, as a key's expiry is) are one hash
-- per daemon, `<prefix>rid:<day>`, field rid -> answer, rather than a key
-- per request: a retry within a day finds its answer in today's hash or
-- yesterday's, and a day's hash expires when the day after it ends.
-- What one script call learns is kept for the rest of the call (rid_known),
-- so that a script serving a batch reads all its rids with rid_recall in
-- two calls and still finds a rid answered earlier in the same batch.
local RID_DAY = 86400
local rid_day, rid_known, rid_dated = nil, {}, {}

local function rid_bucket (prefix, back)
    if not rid_day then
        rid_day = math.floor (tonumber (redis.call ('TIME')[1]) / RID_DAY)
    end
    return prefix .. 'rid:' .. (rid_day - back)
end

local function rid_answer (prefix, rid)
    local known = rid_known[prefix .. rid]
    if known ~= nil then
        return known
    end
    return redis.call ('HGET', rid_bucket (prefix, 0), rid)
        or redis.call ('HGET', rid_bucket (prefix, 1), rid)
end

-- Reads the answers of the rids of a batch, a few hundred at a time (Lua's
-- unpack has a limit), for rid_answer to give without asking Redis again.
local function rid_recall (prefix, rids)
    for from = 1, #rids, 500 do
        local upto = math.min (from + 499, #rids)
        local today = redis.call ('HMGET', rid_bucket (prefix, 0), unpack (rids, from, upto))
        local yesterday = redis.call ('HMGET', rid_bucket (prefix, 1), unpack (rids, from, upto))
        for i = from, upto do
            rid_known[prefix .. rids[i]] = today[i - from + 1] or yesterday[i - from + 1]
        end
    end
end

local function rid_remember (prefix, rid, answer)
    local key = rid_bucket (prefix, 0)
    redis.call ('HSET', key, rid, answer)
    rid_known[prefix .. rid] = answer
    if not rid_dated[key] then
        redis.call ('EXPIREAT', key, (rid_day + 2) * RID_DAY)
        rid_dated[key] = true
    end
end
