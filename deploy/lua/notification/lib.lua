-- lib.lua (notification) — put in front of every notification script.
--
-- A delivery lives in the hash <prefix>d:<id>: m (the notify.delivery
-- msgpack), chain (the first delivery of its acknowledgement chain), route
-- (which of its routes it is on, from 0), attempt (on that route), state
-- (queued, sent, dead), held (a time it was held back until: quiet hours,
-- digest, rate limit).  Queued deliveries wait in the zset <prefix>outbox,
-- scored by when they are due.

-- One line of the delivery log: the delivery's own, and the recent ones.
local function log_attempt (prefix, id, attempt)
    redis.call ('LPUSH', prefix .. 'log:' .. id, attempt)
    redis.call ('LTRIM', prefix .. 'log:' .. id, 0, 99)
    redis.call ('LPUSH', prefix .. 'log', attempt)
    redis.call ('LTRIM', prefix .. 'log', 0, 9999)
end

-- Delivered: recorded once, awaited for acknowledgement when it must be,
-- and forgotten (with its log) after the `keep` it was queued with.  The
-- zset <prefix>delivered (id scored by when it was sent) answers "was this
-- id ours and did it go?"; what is older than `keep` leaves it here, so it
-- holds at most `keep` worth of deliveries (delivery/keep_days).
local function mark_sent (prefix, id, what, ack_at, now)
    local key = prefix .. 'd:' .. id
    redis.call ('HSET', key, 'state', 'sent', 'sent', what)
    local keep = redis.call ('HGET', key, 'keep')
    if keep then
        redis.call ('PEXPIRE', key, keep)
        redis.call ('PEXPIRE', prefix .. 'log:' .. id, keep)
        redis.call ('ZREMRANGEBYSCORE', prefix .. 'delivered', '-inf',
                    '(' .. (tonumber (now) - tonumber (keep)))
    end
    redis.call ('ZADD', prefix .. 'delivered', now, id)
    redis.call ('ZREM', prefix .. 'outbox', id)
    if tonumber (ack_at) > 0 then
        redis.call ('ZADD', prefix .. 'acks', ack_at, id)
    end
end
