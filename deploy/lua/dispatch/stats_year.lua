-- stats_year: one month of a year's statistics hash, made anew from its
-- months, for a store written before years were kept (services/dispatch/
-- stats.c: stats_start calls it for each month of each year that has one,
-- before dispatch writes a count).  The year is built in `<year>:new`,
-- begun afresh with its first month and put in place with its last, so a
-- rollup cut short by kill -9 and run again writes each year once; one
-- month a call, so that Redis answers others between the calls.
-- ARGV: the year's key, a month's key (absent: adds nothing), first (1 for
-- the year's first month), last (1 for its last).
-- Answers the number of fields the month added.
local year, month, first, last = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4] == '1'
local new = year .. ':new'
if first then
    redis.call ('DEL', new)
end
local fields = redis.call ('HGETALL', month)
for i = 1, #fields, 2 do
    redis.call ('HINCRBY', new, fields[i], fields[i + 1])
end
if last then
    if redis.call ('EXISTS', new) == 1 then
        redis.call ('RENAME', new, year)
    else
        redis.call ('DEL', year)
    end
end
return #fields / 2
