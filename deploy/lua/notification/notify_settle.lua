-- notify_settle: what became of claimed deliveries.
-- ARGV: prefix, now, the four retention settings (lib.lua), count, then
-- per delivery: id, outcome, due, route and attempt (as claimed), log line
-- (msgpack), ack deadline, dead letter (msgpack or ''), inbox key and
-- inbox item (msgpack) when it was sent to an in-app inbox, and, for an
-- urgent notice given up, its journal entry (notify.failed, msgpack), its
-- case and its case's center (each '' otherwise).
-- outcome: sent; retry (due again at `due`); fallback (the next route,
-- from its first attempt); dead (given up: a dead letter, kept dead_ms);
-- hold (not sent and not counted: due again at `due`, remembered in held).
-- A delivery no longer queued (settled by an earlier run) is left alone.
-- An urgent notice given up is journaled in the same call (the console's
-- alarm), marked `failed` (notify_retry journals its retry), and its case
-- gets alarm:<case>, listed in alarms:<center> (lib.lua, alarm_open), for
-- as long as the dead letter is kept (notify_ack_case journals the
-- acknowledgement that ends the alarm).
-- Answers 'ok', 0, then topic, seq, body of each entry journaled.
local prefix, now = ARGV[1], ARGV[2]
local ret = retention (3)
local b = batch_new ()
local out = {'ok', 0}
for i = 0, tonumber (ARGV[7]) - 1 do
    local at = 8 + i * 13
    local id, outcome, due, route, attempt, line, ack_at, dead, inbox, item, failed, case,
          center = unpack (ARGV, at, at + 12)
    local key = prefix .. 'd:' .. id
    local d = redis.call ('HMGET', key, 'state', 'log')
    if d[1] == 'queued' then
        local log = log_add (d[2] or nil, line)
        b.recent[#b.recent + 1] = line
        if outcome == 'sent' then
            if inbox ~= '' then
                inbox_push (prefix, ret, inbox, item)
            end
            b.unqueue[#b.unqueue + 1] = id
            mark_sent (b, ret, key, id, log, ack_at)
        elseif outcome == 'dead' then
            redis.call ('HSET', key, 'state', 'dead', 'log', log, 'dead', dead)
            redis.call ('PEXPIRE', key, ret.dead_ms)
            b.unqueue[#b.unqueue + 1] = id
            b.dead[#b.dead + 1] = now
            b.dead[#b.dead + 1] = id
            if failed ~= '' then
                out[#out + 1] = 'notify.failed'
                out[#out + 1] = journal_append (prefix, 'notify.failed', failed)
                out[#out + 1] = failed
                redis.call ('HSET', key, 'failed', 1)
                if case ~= '' then
                    alarm_open (prefix, now, case, center, failed, ret.dead_ms)
                end
            end
        else
            if outcome == 'fallback' then
                redis.call ('HSET', key, 'log', log, 'route', tonumber (route) + 1, 'attempt', 0)
            elseif outcome == 'hold' then
                redis.call ('HSET', key, 'log', log, 'attempt', tonumber (attempt) - 1,
                            'held', due)
            else
                redis.call ('HSET', key, 'log', log)
            end
            b.requeue[#b.requeue + 1] = due
            b.requeue[#b.requeue + 1] = id
        end
    end
end
batch_flush (prefix, b, ret)
return out
