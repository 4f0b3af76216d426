-- stats_rollup: one day of statistics from a store written before weeks
-- and months were kept, added to its week's and month's hashes, once
-- (services/dispatch/stats.c: stats_start runs it for each stored day).
-- ARGV: prefix, the day (YYYY-MM-DD), its statistics keys (day, week and
-- month, separated by spaces: lib.lua), the layout that keeps weeks and
-- months.  Whatever its metrics, each field goes over as it is.  The set
-- st:rolled remembers the days done, so a rollup cut short by kill -9
-- goes on where it stopped; once the store has the layout a dispatch
-- writes weeks and months itself, and nothing is rolled again.
-- Answers 1 when the day was rolled up now, 0 when it had been.
local prefix, day, keys, layout = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call ('GET', prefix .. 'st:layout') == layout
or redis.call ('SISMEMBER', prefix .. 'st:rolled', day) == 1 then
    return 0
end
local dkey = prefix .. 'st:' .. day
local fields = redis.call ('HGETALL', dkey)
for key in string.gmatch (keys, '%S+') do
    if key ~= dkey then
        for i = 1, #fields, 2 do
            redis.call ('HINCRBY', key, fields[i], fields[i + 1])
        end
    end
end
redis.call ('SADD', prefix .. 'st:rolled', day)
return 1
