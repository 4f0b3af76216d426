-- stats_parts: the counties' parts of a statistics hash written before
-- they were kept (lib.lua's stats_add keeps them from then on): each
-- `<key>|<county>` made anew from the hash's fields of that county.  Each
-- part is deleted and written whole, so the step may run again after a
-- kill -9 (services/dispatch/stats.c: stats_start calls it for every day,
-- week, month and year hash, before dispatch writes a count).
-- ARGV: the hash's key.  Answers the number of parts.
local key = ARGV[1]
local fields = redis.call ('HGETALL', key)
local parts, n = {}, 0
for i = 1, #fields, 2 do
    local part = stats_part_of (fields[i])
    if part then
        if not parts[part] then
            parts[part] = {}
            n = n + 1
        end
        local p = parts[part]
        p[#p + 1] = fields[i]
        p[#p + 1] = fields[i + 1]
    end
end
for part, list in pairs (parts) do
    redis.call ('SADD', 'cg:{dispatch}:st:parts', part)
    redis.call ('DEL', key .. '|' .. part)
    for i = 1, #list, 1000 do
        redis.call ('HSET', key .. '|' .. part, unpack (list, i, math.min (i + 999, #list)))
    end
end
return n
