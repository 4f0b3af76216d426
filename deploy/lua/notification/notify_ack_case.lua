-- notify_ack_case: an operator acknowledges the urgent notices about a
-- case: every delivery of it still on the acknowledgement watch (the lex
-- index ackcase, kept beside acks, lib.lua) has its chain acknowledged, as
-- notify_ack does for one id.  A chain acknowledged already keeps its
-- first acknowledger, so the same request twice records it once.
-- Each leaves its org nodes' pending acknowledgements for the settled
-- ones, with who acknowledged its chain and when (lib.lua).
-- ARGV: prefix, case, by, now, ack_ms (settled kept), the journal entry
-- that ends the case's failed-notice alarm (notify.acked, msgpack, or ''),
-- then for each delivery the daemon expects: id, log line (msgpack) — the
-- daemon reads the index first to make the lines; ids no longer on it are
-- skipped.
-- When an urgent notice of the case had failed everywhere (alarm:<case>,
-- notify_settle), the entry is journaled and the alarm goes with its entry
-- in alarms:<center> (lib.lua, alarm_end), so the same acknowledgement
-- twice journals it once.
-- Answers a flat list: topic, seq, body of the entry when journaled; then
-- per delivery id, m, acked ("who when"), 1 if acknowledged now.
local prefix, case, by, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local out = {}
local cleared = ARGV[6]
if cleared ~= '' and alarm_end (prefix, now, case) then
    out[1] = 'notify.acked'
    out[2] = journal_append (prefix, 'notify.acked', cleared)
    out[3] = cleared
end
for i = 7, #ARGV, 2 do
    local id, line = ARGV[i], ARGV[i + 1]
    if string.sub (id, 1, #case + 1) == case .. ':'
    and redis.call ('ZSCORE', prefix .. 'ackcase', id) then
        local key = prefix .. 'd:' .. id
        local d = redis.call ('HMGET', key, 'm', 'chain', 'log')
        local head = prefix .. 'd:' .. (d[2] or id)
        if redis.call ('EXISTS', head) == 0 then
            head = key
        end
        local fresh = redis.call ('HSETNX', head, 'acked', by .. ' ' .. now)
        if fresh == 1 then
            redis.call ('HSET', key, 'log', log_add (d[3] or nil, line))
            redis.call ('LPUSH', prefix .. 'log', line)
        end
        local acked = redis.call ('HGET', head, 'acked')
        local who, at = ack_who (acked)
        ack_settle (prefix, id, 'acked', who, at or now, '', tonumber (ARGV[5]))
        out[#out + 1] = id
        out[#out + 1] = d[1] or ''
        out[#out + 1] = acked
        out[#out + 1] = fresh
    end
end
return out
