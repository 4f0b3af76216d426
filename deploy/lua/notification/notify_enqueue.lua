-- notify_enqueue: the deliveries a batch of events causes go into the
-- outbox (or straight into an in-app inbox), and notification's cursor on
-- the journal moves past the events, in one call.
-- ARGV: prefix, cursor key ('' for deliveries no event caused: tests,
-- re-sends), expected cursor, new cursor, now, keep (ms a delivery is
-- remembered once sent), count, then per delivery:
-- id, de-duplication key, chain, due, inbox key ('' unless it goes to an
-- inbox), delivery (msgpack), inbox item (msgpack or ''), log line
-- (msgpack), ack deadline (0: none).
-- A de-duplication key seen before — (case, event, recipient) — queues
-- nothing (for `keep` ms): the same event that reaches us twice is told
-- once.
-- Answers {'ok', queued} or {'moved', cursor}.
local prefix, ckey, now, keep = ARGV[1], ARGV[2], ARGV[5], ARGV[6]
if ckey ~= '' then
    local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
    if not ok then
        return {'moved', cur}
    end
end
local queued = 0
for i = 0, tonumber (ARGV[7]) - 1 do
    local at = 8 + i * 9
    local id, dkey, chain, due, inbox = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3],
                                        ARGV[at + 4]
    if redis.call ('SET', prefix .. 'dedup:' .. dkey, id, 'NX', 'PX', keep) then
        local key = prefix .. 'd:' .. id
        redis.call ('HSET', key, 'm', ARGV[at + 5], 'chain', chain, 'route', 0,
                    'attempt', 0, 'state', 'queued', 'keep', keep)
        if inbox ~= '' then
            redis.call ('LPUSH', prefix .. 'inbox:' .. inbox, ARGV[at + 6])
            log_attempt (prefix, id, ARGV[at + 7])
            mark_sent (prefix, id, inbox .. ' ' .. now, ARGV[at + 8], now)
        else
            redis.call ('ZADD', prefix .. 'outbox', due, id)
        end
        queued = queued + 1
    end
end
return {'ok', queued}
