-- dispatch/lib.lua — put in front of every dispatch script.
--
-- A case is the hash <prefix>case:<id> (fields as in the case.view message)
-- with its timeline in the same hash, so that a case is one key: the
-- field `nsteps` counts the steps and `step:<n>` holds the n-th (msgpack
-- case.step), each short enough for the hash to stay a compact listpack
-- where one growing string would outgrow hash-max-listpack-value.  Queues
-- are sorted sets of case ids scored by the deadline that matters in the
-- state:
--   q:<state>                 every case in a state
--   qc:<center>:<state>       a center's cases in a state
--   qu:<unit>:<state>         a unit's cases in a state
-- and, for the state "all", scored by creation time, q:all and
-- qc:<center>:all only: a unit works its queues by state, and a case's
-- "all" entries change only when it changes center (case_move.lua).

local function queue_keys (prefix, center, unit, state)
    if state == 'all' then
        return prefix .. 'q:all', prefix .. 'qc:' .. center .. ':all'
    end
    return prefix .. 'q:' .. state, prefix .. 'qc:' .. center .. ':' .. state,
           prefix .. 'qu:' .. unit .. ':' .. state
end

local function queue_put (prefix, id, center, unit, state, score)
    for _, key in ipairs ({queue_keys (prefix, center, unit, state)}) do
        redis.call ('ZADD', key, score, id)
    end
end

local function queue_drop (prefix, id, center, unit, state)
    for _, key in ipairs ({queue_keys (prefix, center, unit, state)}) do
        redis.call ('ZREM', key, id)
    end
end

-- Timers are one sorted set <prefix>timers holding one member per case,
-- its id, scored by when the next of its timers is due; machine.c says
-- which timers a case has and, when one fires, sets the next.

-- Appends one timeline step to the case at key.
local function step_append (key, step)
    redis.call ('HSET', key, 'step:' .. redis.call ('HINCRBY', key, 'nsteps', 1), step)
end

-- Statistics: a count is one field of the day's hash, and of the week's,
-- the month's, the year's and the hour's, so that a query over years reads
-- years and months, not days, and today's hours read 24 hashes, not the
-- day's cases (services/dispatch/stats.c).  The planner names the five
-- keys in one argument, separated by spaces; whatever the metric, the
-- field goes to each of them, and so does the whole city's total of the
-- metric, `*|*|<metric>`, so that the city's rows over time read a few
-- fields of each hash rather than all of it.
--
-- A unit's field also goes to its county's part of each hash but the
-- hour's, `<key>|<county>`, where the county is the first six characters
-- of the field when they are digits (a center's code, and by convention a
-- unit's, starts with its county's: docs/DATA-FORMATS.md), so that a
-- county's or a town's query reads a tenth of the hash or less.  The
-- counties that have parts are the set `cg:{dispatch}:st:parts` (days are
-- dropped with their parts).  The same rule in C: stats.c's s_part.
local function stats_part_of (field)
    return string.match (field, '^(%d%d%d%d%d%d)')
end

local function stats_add (keys, field, n)
    local total = '*|*|' .. string.match (field, '[^|]*$')
    local part = stats_part_of (field)
    if part then
        redis.call ('SADD', 'cg:{dispatch}:st:parts', part)
    end
    for key in string.gmatch (keys, '%S+') do
        redis.call ('HINCRBY', key, field, n)
        redis.call ('HINCRBY', key, total, n)
        if part and not string.find (key, ':sh:', 1, true) then
            redis.call ('HINCRBY', key .. '|' .. part, field, n)
        end
    end
end
