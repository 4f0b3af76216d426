-- notify_ack_due: urgent deliveries whose time to be acknowledged has come.
-- Those whose chain was acknowledged (or that expired) leave the wait
-- list.  The others are answered, for the daemon to send again or pass up
-- with notify_enqueue (whose ids make that happen once) and then take off
-- the list; until then they stay on it, due again after `lease` ms, so a
-- daemon killed in between does it after its restart.  Being called twice
-- a second whatever happens, it also trims the dead letters to their
-- bounds (lib.lua).  One that leaves the list settles its acknowledgement
-- record: acknowledged (by whom, when), or expired (lib.lua).
-- ARGV: prefix, now, max, lease, the four retention settings, ack_ms.
-- Answers a flat list: id, delivery, ...
local prefix, now = ARGV[1], tonumber (ARGV[2])
records_trim (prefix, retention (5), now)
local ids = redis.call ('ZRANGEBYSCORE', prefix .. 'acks', '-inf', now, 'LIMIT', 0, ARGV[3])
local out = {}
for _, id in ipairs (ids) do
    local d = redis.call ('HMGET', prefix .. 'd:' .. id, 'm', 'chain', 'acked')
    local acked = d[3]
    if d[2] and not acked then
        acked = redis.call ('HEXISTS', prefix .. 'd:' .. d[2], 'acked') == 1
    end
    if d[1] and d[1] ~= '' and not acked then
        redis.call ('ZADD', prefix .. 'acks', now + tonumber (ARGV[4]), id)
        -- one put on the watch before ackcase existed joins it now
        redis.call ('ZADD', prefix .. 'ackcase', 0, id)
        out[#out + 1] = id
        out[#out + 1] = d[1]
    else
        redis.call ('ZREM', prefix .. 'acks', id)
        redis.call ('ZREM', prefix .. 'ackcase', id)
        if acked then
            local who, at = ack_who (d[3] or redis.call ('HGET', prefix .. 'd:' .. d[2], 'acked'))
            ack_settle (prefix, id, 'acked', who, at or now, '', tonumber (ARGV[9]))
        else
            ack_settle (prefix, id, 'expired', '', now, '', tonumber (ARGV[9]))
        end
    end
end
return out
