-- dispatch/lib.lua — put in front of every dispatch script.
--
-- A case is the hash <prefix>case:<id> (fields as in the case.view message)
-- with its timeline in the list <prefix>case:<id>:steps.  Queues are sorted
-- sets of case ids scored by the deadline that matters in the state:
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

-- Timers are one sorted set <prefix>timers of members "<id>|<kind>" scored
-- by their due time; machine.c says which a case has in each state.
local TIMER_KINDS = {'sign_warn', 'sign_over', 'done_warn', 'done_over', 'escalate'}

local function timers_clear (prefix, id)
    for _, kind in ipairs (TIMER_KINDS) do
        redis.call ('ZREM', prefix .. 'timers', id .. '|' .. kind)
    end
end
