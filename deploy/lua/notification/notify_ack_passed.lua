-- notify_ack_passed: an urgent delivery nobody acknowledged in time was
-- sent again or passed up (its next step queued by notify_enqueue), or has
-- nobody left to go to: it leaves the acknowledgement watch (acks, and
-- ackcase, where the next step's ids are now), and its record is settled
-- as passed (to whom) or expired (lib.lua).
-- ARGV: prefix, id, now, ack_ms (settled kept), to ('' when nobody).
-- Answers {'ok'}.
local prefix, id, to = ARGV[1], ARGV[2], ARGV[5]
redis.call ('ZREM', prefix .. 'acks', id)
redis.call ('ZREM', prefix .. 'ackcase', id)
ack_settle (prefix, id, to ~= '' and 'passed' or 'expired', '', ARGV[3], to, tonumber (ARGV[4]))
return {'ok'}
