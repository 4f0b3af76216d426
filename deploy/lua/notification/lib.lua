-- lib.lua (notification) — put in front of every notification script.
--
-- A delivery is ONE hash, <prefix>d:<id>.  Its id is made from what it
-- tells — (case, event, recipient) — so the hash is also its own
-- de-duplication key: the same news that reaches us twice finds it and
-- queues nothing.  Fields:
--   m        the notify.delivery msgpack; emptied once it is sent, unless
--            it still awaits an acknowledgement (which may re-send it)
--   chain    the first delivery of its acknowledgement chain (absent: itself)
--   route    which of its routes it is on, from 0 (absent: 0)
--   attempt  attempts on that route (absent: 0)
--   state    queued, sent or dead (absent: sent straight into an inbox, the
--            common case, whose hash is then its log alone)
--   held     a time it was held back until (quiet hours, digest, rate limit)
--   log      its delivery log: notify.attempt msgpack lines, oldest first,
--            each after its length in two bytes; the last LOG_BYTES of them
--            (every delivery has one, empty until its first attempt)
--   acked    on the first delivery of a chain: who acknowledged it, when
--   dead     the notify.dead msgpack, while it is a dead letter
-- A sent delivery expires `keep` ms after it was sent, a dead one
-- `dead_ms` after it died.  Whether an id was ours and went is its hash:
-- there, with state sent (or none), until it expires; no other record of
-- sent ids is kept.  Queued deliveries wait in the zset <prefix>outbox,
-- scored by when they are due.  Urgent deliveries awaiting acknowledgement
-- wait in the zset <prefix>acks, scored by when that is due, and the same
-- ids in <prefix>ackcase, all scored 0, so that those of a case are one
-- ZRANGEBYLEX (ids begin with the case: notify_ack_case); notify_ack_due
-- takes an id off both.
--
-- The acknowledgement index, per org node (docs/NOTIFICATION.md).  A
-- delivery on the watch has one record, <prefix>ack:<h> (h: the first 20
-- hex digits of its id's SHA-1, short enough for a page's cursor), a hash:
--   id, m (the delivery, as it was put on the watch), orgs (its
--   recipient's node and every node above, space-separated: the
--   delivery's own `orgs`), due, state (pending, acked, passed, expired),
--   and once settled by, at, to.
-- While pending, h is in <prefix>ackorg:<org> of each of its nodes,
-- scored by when it is due; settled, it moves to <prefix>ackdone:<org>,
-- scored by when, and the record and its place there go `ack_ms` later
-- (notification/ack_days): each ackdone is trimmed as it is added to, and
-- as a page of it is read.  The scripts that put a delivery on the watch
-- (batch_flush) add it; notify_ack, notify_ack_case, notify_ack_due and
-- notify_ack_passed settle it, in the same call that acknowledges, expires
-- or passes it up.
--
-- The scripts that settle deliveries take the retention settings as four
-- arguments (retention below), and what grows is trimmed by work the
-- daemon does anyway: the recent log to RECENT lines and an inbox to
-- `inbox_max` notices as they are pushed to (LPUSH answers the length);
-- the dead letters (<prefix>dead_letters, id → when it died) to `dead_ms`
-- and `dead_max`, by the acknowledgement watch (notify_ack_due), twice a
-- second, rather than by every call that adds to them.  A list or zset is
-- trimmed back to its bound once it has passed it by an eighth, so that a
-- full one is not trimmed on every push.

local LOG_BYTES = 8192
local RECENT = 10000

local function over (n, bound)
    return n > bound + math.floor (bound / 8)
end

-- keep, inbox_max, dead_ms, dead_max from ARGV[at].
local function retention (at)
    return { keep = tonumber (ARGV[at]), inbox_max = tonumber (ARGV[at + 1]),
             dead_ms = tonumber (ARGV[at + 2]), dead_max = tonumber (ARGV[at + 3]) }
end

-- A delivery's log with line added at its end, its oldest lines dropped
-- past LOG_BYTES.
local function log_add (log, line)
    local n = #line
    log = (log or '') .. string.char (math.floor (n / 256), n % 256) .. line
    while #log > LOG_BYTES do
        log = string.sub (log, string.byte (log, 1) * 256 + string.byte (log, 2) + 3)
    end
    return log
end

-- What one call writes to the shared lists and zsets, gathered so that
-- each is written once per call rather than once per delivery.
local function batch_new ()
    return { recent = {}, unqueue = {}, requeue = {}, acks = {}, dead = {} }
end

-- cmd key items..., in slices that unpack can take; the last answer.
local function call_each (cmd, key, items)
    local answer
    for i = 1, #items, 1000 do
        answer = redis.call (cmd, key, unpack (items, i, math.min (i + 999, #items)))
    end
    return answer
end

local function inbox_push (prefix, ret, inbox, item)
    local key = prefix .. 'inbox:' .. inbox
    if over (redis.call ('LPUSH', key, item), ret.inbox_max) then
        redis.call ('LTRIM', key, 0, ret.inbox_max - 1)
    end
end

-- A zset trimmed to what is younger than `ms` before now, then to `max`.
local function zset_trim (key, now, ms, max)
    redis.call ('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - ms))
    local n = redis.call ('ZCARD', key)
    if over (n, max) then
        redis.call ('ZREMRANGEBYRANK', key, 0, n - max - 1)
    end
end

-- Delivered: its hash says so and expires after `keep`; it leaves the
-- outbox, and is awaited for acknowledgement when it must be (then it
-- keeps its m, for a re-send; otherwise m is emptied, in the same HSET).
local function mark_sent (b, ret, key, id, log, ack_at)
    if tonumber (ack_at) > 0 then
        redis.call ('HSET', key, 'state', 'sent', 'log', log)
        b.acks[#b.acks + 1] = ack_at
        b.acks[#b.acks + 1] = id
    else
        redis.call ('HSET', key, 'state', 'sent', 'log', log, 'm', '')
    end
    redis.call ('PEXPIRE', key, ret.keep)
end

local function ack_key (prefix, id)
    return prefix .. 'ack:' .. string.sub (redis.sha1hex (id), 1, 20)
end

-- The nodes of a delivery (msgpack notify.delivery): its `orgs`.
local function delivery_orgs (m)
    local ok, d = pcall (cmsgpack.unpack, m)
    if ok and type (d) == 'table' and type (d.orgs) == 'table' then
        return table.concat (d.orgs, ' ')
    end
    return ''
end

-- id is awaited from now on, due at due; orgs its nodes ('' : no index).
-- Once only: an id that has a record keeps it.
local function ack_pending (prefix, id, due, m, orgs)
    local key = ack_key (prefix, id)
    if orgs == '' or redis.call ('EXISTS', key) == 1 then
        return
    end
    redis.call ('HSET', key, 'id', id, 'm', m, 'orgs', orgs, 'due', due, 'state', 'pending')
    local h = string.sub (key, #prefix + 5)
    for org in string.gmatch (orgs, '%S+') do
        redis.call ('ZADD', prefix .. 'ackorg:' .. org, due, h)
    end
end

-- id's record settled, as state (acked: by whom, at when; passed: to
-- whom; expired), kept ack_ms from then.  A record settled already, or
-- none, is left alone.
local function ack_settle (prefix, id, state, by, at, to, ack_ms)
    local key = ack_key (prefix, id)
    local d = redis.call ('HMGET', key, 'state', 'orgs')
    if d[1] ~= 'pending' then
        return
    end
    at = tonumber (at)
    redis.call ('HSET', key, 'state', state, 'by', by, 'at', at, 'to', to)
    redis.call ('PEXPIRE', key, ack_ms)
    local h = string.sub (key, #prefix + 5)
    for org in string.gmatch (d[2] or '', '%S+') do
        local done = prefix .. 'ackdone:' .. org
        redis.call ('ZREM', prefix .. 'ackorg:' .. org, h)
        redis.call ('ZADD', done, at, h)
        redis.call ('ZREMRANGEBYSCORE', done, '-inf', '(' .. (at - ack_ms))
    end
end

-- A chain's `acked` ("who when") as who, when (when: nil if none).
local function ack_who (acked)
    local by, at = string.match (acked or '', '^(.*) (%d+)$')
    return by or (acked or ''), at
end

local function batch_flush (prefix, b, ret)
    if #b.recent > 0 then
        if over (call_each ('LPUSH', prefix .. 'log', b.recent), RECENT) then
            redis.call ('LTRIM', prefix .. 'log', 0, RECENT - 1)
        end
    end
    for _, w in ipairs ({ { 'ZREM', 'outbox', b.unqueue }, { 'ZADD', 'outbox', b.requeue },
                          { 'ZADD', 'acks', b.acks } }) do
        if #w[3] > 0 then
            call_each (w[1], prefix .. w[2], w[3])
        end
    end
    if #b.acks > 0 then
        local lex = {}
        for i = 2, #b.acks, 2 do
            lex[#lex + 1] = 0
            lex[#lex + 1] = b.acks[i]
        end
        call_each ('ZADD', prefix .. 'ackcase', lex)
        for i = 2, #b.acks, 2 do
            local m = redis.call ('HGET', prefix .. 'd:' .. b.acks[i], 'm')
            if m and m ~= '' then
                ack_pending (prefix, b.acks[i], b.acks[i - 1], m, delivery_orgs (m))
            end
        end
    end
    if #b.dead > 0 then
        call_each ('ZADD', prefix .. 'dead_letters', b.dead)
    end
end

-- The dead letters, back to their bounds.
local function records_trim (prefix, ret, now)
    zset_trim (prefix .. 'dead_letters', now, ret.dead_ms, ret.dead_max)
end

-- The open failed-notice alarms (notify_settle opens one, notify_ack_case
-- and notify_retry end it; docs/NOTIFICATION.md "The journal"): the alarm
-- of a case is the hash <prefix>alarm:<case> (center, m: the notify.failed
-- msgpack; a store of before #15 has the string '1' instead), expiring
-- with the dead letter, and its case is in <prefix>alarms:<center> scored
-- by when it expires, so that the gateway lists a center's open alarms
-- newest first with one ZREVRANGEBYSCORE from now, and an expired one is
-- unseen before it is dropped (here, when the same center's set is
-- written, and at the daemon's start, notify_alarm_index).
local function alarm_open (prefix, now, case, center, body, ttl)
    local key = prefix .. 'alarm:' .. case
    redis.call ('DEL', key)
    redis.call ('HSET', key, 'center', center, 'm', body)
    redis.call ('PEXPIRE', key, ttl)
    if center ~= '' then
        local index = prefix .. 'alarms:' .. center
        redis.call ('ZREMRANGEBYSCORE', index, '-inf', now)
        redis.call ('ZADD', index, tonumber (now) + ttl, case)
    end
end

-- Ends the alarm of case; true when it was open.
local function alarm_end (prefix, now, case)
    local key = prefix .. 'alarm:' .. case
    if redis.call ('TYPE', key).ok == 'hash' then
        local center = redis.call ('HGET', key, 'center') or ''
        if center ~= '' then
            local index = prefix .. 'alarms:' .. center
            redis.call ('ZREM', index, case)
            redis.call ('ZREMRANGEBYSCORE', index, '-inf', now)
        end
    end
    return redis.call ('DEL', key) == 1
end
