-- case_move: one change of one case, as dispatch's state machine planned it
-- (services/dispatch/machine.c): a command, or a timer firing.  The case
-- changes only if it is still the version the planner read (compare and
-- set on `ver`), once per request id, and a timer's entry is claimed in
-- the same call, so a timer fires once whichever process gets there first.
-- A change that an event of intake's journal causes (case.merged,
-- case.withdrawn) moves dispatch's cursor on that journal in the same call.
-- ARGV: prefix, rid ('' for a timer), id, expected ver, claimed timer
--       member ('' for a command), new state, queue score, step,
--       cursor key ('' when no event caused it), expected cursor, new cursor,
--       linked case id ('' for none) and the step for its timeline (合并:
--       the case this one merged into hears of it),
--       n fields, then n field/value pairs ('' deletes the field),
--       when the case's next timer is due (0 for none: lib.lua),
--       n events, then n topic/body pairs,
--       n counts, then n pairs of statistics keys (a day's, week's and
--       month's hashes, separated by spaces: lib.lua) and the field to add
--       one to.
-- Answers {'ok', seq...}, {'done', answer} for a repeated rid,
-- {'missing', ''} (the cursor still moves), {'state', current} when the
-- case changed meanwhile, {'gone', ''} when another process fired the
-- timer first, or {'moved', cursor} when the cursor was elsewhere.
local prefix, rid, id, ver, claim, to, score, step =
    ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if rid ~= '' then
    local done = rid_answer (prefix, rid)
    if done then
        return {'done', done}
    end
end
local ckey, expected, cursor = ARGV[9], ARGV[10], ARGV[11]
local key = prefix .. 'case:' .. id
local c = redis.call ('HMGET', key, 'state', 'center', 'unit', 'ver', 'created', 'nsteps')
if c[1] and tostring (c[4] or '0') ~= ver then
    return {'state', c[1]}
end
if ckey ~= '' then
    local ok, cur = cursor_advance (ckey, expected, cursor)
    if not ok then
        return {'moved', cur}
    end
end
if not c[1] then
    if claim ~= '' then
        redis.call ('ZREM', prefix .. 'timers', claim)
    end
    return {'missing', ''}
end
if claim ~= '' and redis.call ('ZREM', prefix .. 'timers', claim) == 0 then
    return {'gone', ''}
end
queue_drop (prefix, id, c[2], c[3], c[1])
local linked = ARGV[12]
if linked ~= '' and redis.call ('EXISTS', prefix .. 'case:' .. linked) == 1 then
    step_append (prefix .. 'case:' .. linked, ARGV[13])
end
local nsteps = tonumber (c[6] or '0') + 1
local set = {'state', to, 'ver', tonumber (ver) + 1, 'nsteps', nsteps, 'step:' .. nsteps, step}
local unset = {}
local center, unit = c[2], c[3]
local at = 15
for _ = 1, tonumber (ARGV[14]) do
    local field, value = ARGV[at], ARGV[at + 1]
    if value == '' then
        unset[#unset + 1] = field
    else
        set[#set + 1] = field
        set[#set + 1] = value
    end
    if field == 'center' then
        center = value
    elseif field == 'unit' then
        unit = value
    end
    at = at + 2
end
if #unset > 0 then
    redis.call ('HDEL', key, unpack (unset))
end
redis.call ('HSET', key, unpack (set))
queue_put (prefix, id, center, unit, to, score)
if center ~= c[2] then
    -- by creation, the case stays where it is in q:all; only its center's moves
    redis.call ('ZREM', prefix .. 'qc:' .. c[2] .. ':all', id)
    redis.call ('ZADD', prefix .. 'qc:' .. center .. ':all', c[5] or 0, id)
end
local due = tonumber (ARGV[at])
at = at + 1
if due > 0 then
    redis.call ('ZADD', prefix .. 'timers', due, id)
elseif claim ~= id then
    redis.call ('ZREM', prefix .. 'timers', id)
end
local answer = {'ok'}
local nevents = tonumber (ARGV[at])
at = at + 1
for _ = 1, nevents do
    answer[#answer + 1] = journal_append (prefix, ARGV[at], ARGV[at + 1])
    at = at + 2
end
for _ = 1, tonumber (ARGV[at]) do
    stats_add (ARGV[at + 1], ARGV[at + 2], 1)
    at = at + 2
end
if rid ~= '' then
    rid_remember (prefix, rid, 'ok')
end
return answer
