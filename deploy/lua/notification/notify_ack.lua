-- notify_ack: an urgent notice is acknowledged; the whole chain it belongs
-- to (re-sends, the people it was passed up to) stops.  Who acknowledged
-- it is kept on the chain's first delivery (on this one when that has
-- expired), so it goes when they do.  Its deliveries still awaited leave
-- their org nodes' pending acknowledgements for the settled ones (lib.lua).
-- ARGV: prefix, id, by, now, log line (msgpack), ack_ms (settled kept).
-- Answers {'ok', first acknowledger} or {'not_found', ''}.
local prefix, id = ARGV[1], ARGV[2]
local key = prefix .. 'd:' .. id
local d = redis.call ('HMGET', key, 'state', 'chain', 'log')
if not d[1] and not d[3] then
    return {'not_found', ''}
end
local head = prefix .. 'd:' .. (d[2] or id)
if redis.call ('EXISTS', head) == 0 then
    head = key
end
redis.call ('HSETNX', head, 'acked', ARGV[3] .. ' ' .. ARGV[4])
redis.call ('HSET', key, 'log', log_add (d[3] or nil, ARGV[5]))
redis.call ('LPUSH', prefix .. 'log', ARGV[5])
local acked = redis.call ('HGET', head, 'acked')
local who, at = ack_who (acked)
local chain = d[2] or id
ack_settle (prefix, id, 'acked', who, at or ARGV[4], '', tonumber (ARGV[6]))
for _, other in ipairs (redis.call ('ZRANGEBYLEX', prefix .. 'ackcase', '[' .. chain,
                                    '[' .. chain .. '\255')) do
    if other == chain or string.sub (other, 1, #chain + 1) == chain .. '#' then
        ack_settle (prefix, other, 'acked', who, at or ARGV[4], '', tonumber (ARGV[6]))
    end
end
return {'ok', acked}
