-- notify_claim: takes up to `max` deliveries that are due, and leases each
-- for `lease` ms (its due time moves on by the lease), so that a daemon
-- killed while sending sends it again after the lease, with the same
-- delivery id.
-- ARGV: prefix, now, lease, max.
-- Answers a flat list: id, delivery (msgpack), route, attempt, held, ...
local prefix, now, lease = ARGV[1], tonumber (ARGV[2]), tonumber (ARGV[3])
local ids = redis.call ('ZRANGEBYSCORE', prefix .. 'outbox', '-inf', now, 'LIMIT', 0, ARGV[4])
local out, leased = {}, {}
for _, id in ipairs (ids) do
    local key = prefix .. 'd:' .. id
    leased[#leased + 1] = now + lease
    leased[#leased + 1] = id
    local attempt = redis.call ('HINCRBY', key, 'attempt', 1)
    local d = redis.call ('HMGET', key, 'm', 'route', 'held')
    out[#out + 1] = id
    out[#out + 1] = d[1] or ''
    out[#out + 1] = d[2] or '0'
    out[#out + 1] = attempt
    out[#out + 1] = d[3] or '0'
end
call_each ('ZADD', prefix .. 'outbox', leased)
return out
