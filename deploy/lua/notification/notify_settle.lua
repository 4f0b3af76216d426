-- notify_settle: what became of claimed deliveries.
-- ARGV: prefix, now, count, then per delivery: id, outcome, due, detail,
-- log line (msgpack), ack deadline, dead letter (msgpack or ''), inbox
-- key and inbox item (msgpack) when it was sent to an in-app inbox.
-- outcome: sent; retry (due again at `due`); fallback (the next route,
-- from its first attempt); dead (given up: the dead-letter list);
-- hold (not sent and not counted: due again at `due`, remembered in held).
-- A delivery no longer queued (settled by an earlier run) is left alone.
local prefix, now = ARGV[1], ARGV[2]
for i = 0, tonumber (ARGV[3]) - 1 do
    local at = 4 + i * 9
    local id, outcome, due = ARGV[at], ARGV[at + 1], ARGV[at + 2]
    local key = prefix .. 'd:' .. id
    if redis.call ('HGET', key, 'state') == 'queued' then
        log_attempt (prefix, id, ARGV[at + 4])
        if outcome == 'sent' then
            if ARGV[at + 7] ~= '' then
                redis.call ('LPUSH', prefix .. 'inbox:' .. ARGV[at + 7], ARGV[at + 8])
            end
            mark_sent (prefix, id, ARGV[at + 3] .. ' ' .. now, ARGV[at + 5], now)
        elseif outcome == 'retry' then
            redis.call ('ZADD', prefix .. 'outbox', due, id)
        elseif outcome == 'fallback' then
            redis.call ('HINCRBY', key, 'route', 1)
            redis.call ('HSET', key, 'attempt', 0)
            redis.call ('ZADD', prefix .. 'outbox', due, id)
        elseif outcome == 'hold' then
            redis.call ('HINCRBY', key, 'attempt', -1)
            redis.call ('HSET', key, 'held', due)
            redis.call ('ZADD', prefix .. 'outbox', due, id)
        else
            redis.call ('HSET', key, 'state', 'dead')
            redis.call ('ZREM', prefix .. 'outbox', id)
            redis.call ('HSET', prefix .. 'dead', id, ARGV[at + 6])
            redis.call ('LPUSH', prefix .. 'deadletter', id)
        end
    end
end
return {'ok', 0}
