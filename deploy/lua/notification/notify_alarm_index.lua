-- notify_alarm_index: at the daemon's start, the open failed-notice alarms
-- are put back in their centers' index (lib.lua, alarm_open), so that a
-- store of before the index (alarm:<case> the string '1') or one whose
-- index was lost lists them again; run twice it changes nothing more.
-- ARGV: prefix, now, dead_ms, then pairs: case, its center (the daemon's
-- look-up, used when the alarm does not name it); a pair whose case is ''
-- only drops the expired entries of that center's index.
-- Answers the number of alarms (re)listed.
local prefix, now, dead_ms = ARGV[1], tonumber (ARGV[2]), tonumber (ARGV[3])
local listed = 0
for i = 4, #ARGV, 2 do
    local case, center = ARGV[i], ARGV[i + 1]
    if case ~= '' then
        local key = prefix .. 'alarm:' .. case
        local kind = redis.call ('TYPE', key).ok
        local ttl = redis.call ('PTTL', key)
        if ttl < 0 then
            ttl = dead_ms
        end
        if kind == 'string' and center ~= '' then
            redis.call ('DEL', key)
            redis.call ('HSET', key, 'center', center, 'm', '')
            redis.call ('PEXPIRE', key, ttl)
        elseif kind == 'hash' then
            center = redis.call ('HGET', key, 'center') or ''
        else
            center = ''
        end
        if center ~= '' then
            if redis.call ('ZADD', prefix .. 'alarms:' .. center, now + ttl, case) == 1 then
                listed = listed + 1
            end
        end
    end
    if center ~= '' then
        redis.call ('ZREMRANGEBYSCORE', prefix .. 'alarms:' .. center, '-inf', now)
    end
end
return listed
