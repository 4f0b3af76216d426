-- stats_total: the whole city's totals of a statistics hash written before
-- they were kept: `*|*|<metric>`, the sum of every field of that metric
-- (lib.lua's stats_add keeps them from then on).  Set, not added, so it
-- may run again after a kill -9 (services/dispatch/stats.c).
-- ARGV: the hash's key.  Answers the number of metrics.
local key = ARGV[1]
local fields = redis.call ('HGETALL', key)
local totals, n = {}, 0
for i = 1, #fields, 2 do
    if string.sub (fields[i], 1, 2) ~= '*|' then
        local metric = string.match (fields[i], '[^|]*$')
        if not totals[metric] then
            n = n + 1
        end
        totals[metric] = (totals[metric] or 0) + tonumber (fields[i + 1])
    end
end
for metric, count in pairs (totals) do
    redis.call ('HSET', key, '*|*|' .. metric, count)
end
return n
