-- notify_ack: an urgent notice is acknowledged; the whole chain it belongs
-- to (re-sends, the people it was passed up to) stops.
-- ARGV: prefix, id, by, now, log line (msgpack).
-- Answers {'ok', first acknowledger} or {'not_found', ''}.
local prefix, id = ARGV[1], ARGV[2]
local chain = redis.call ('HGET', prefix .. 'd:' .. id, 'chain')
if not chain then
    return {'not_found', ''}
end
redis.call ('HSETNX', prefix .. 'acked', chain, ARGV[3] .. ' ' .. ARGV[4])
log_attempt (prefix, id, ARGV[5])
return {'ok', redis.call ('HGET', prefix .. 'acked', chain)}
