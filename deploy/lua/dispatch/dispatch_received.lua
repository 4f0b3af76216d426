-- dispatch_received: a batch of case.received events becomes dispatched
-- cases, and dispatch's cursor on the intake journal moves past them.
-- ARGV: prefix, cursor key, expected cursor, new cursor, count, hot-spot
-- count, hot-spot window (ms), statistics key of the day, then per case: id, view (case.view
-- msgpack), step received, step dispatched, case.dispatched body,
-- community ('' when unknown).  Each new case gets its four deadline
-- timers (lib.lua; machine.c fires them) and counts as received and
-- dispatched in the day's statistics (services/dispatch/stats.c).
-- Hot spots (预警预判): the cases of one category in one community are a
-- sorted set by time dispatched (dispatch's clock); when it holds `hot-spot count` cases within
-- the window, hotspot.detected is journaled, once per window: the key
-- hsr:<category>:<community> remembers until when the last one covers.
-- Answers {'ok', seq...} (seq 0 for a case that already existed), where a
-- hot spot raised by a case follows its seq as {seq, body}; or
-- {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local hs_count, hs_window, stats = tonumber (ARGV[6]), tonumber (ARGV[7]), ARGV[8]

local function hotspot (id, c, community)
    local key = prefix .. 'hs:' .. c.category .. ':' .. community
    redis.call ('ZADD', key, c.updated, id)
    redis.call ('ZREMRANGEBYSCORE', key, '-inf', '(' .. (c.updated - hs_window))
    if redis.call ('ZCARD', key) < hs_count then
        return nil
    end
    local raised = prefix .. 'hsr:' .. c.category .. ':' .. community
    if c.updated < tonumber (redis.call ('GET', raised) or '0') then
        return nil
    end
    redis.call ('SET', raised, c.updated + hs_window)
    local ids = redis.call ('ZRANGE', key, -1000, -1)
    local body = cmsgpack.pack ({v = 1, id = c.category .. ':' .. community .. ':' .. c.updated,
                                 category = c.category, community = community,
                                 count = #ids, cases = ids, window_from = c.updated - hs_window,
                                 window_to = c.updated, at = c.updated})
    return {journal_append (prefix, 'hotspot.detected', body), body}
end

local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local answer = {'ok'}
for i = 0, tonumber (ARGV[5]) - 1 do
    local at = 9 + i * 6
    local id, view = ARGV[at], ARGV[at + 1]
    local key = prefix .. 'case:' .. id
    if redis.call ('EXISTS', key) == 1 then
        answer[#answer + 1] = 0
    else
        local c = cmsgpack.unpack (view)
        local pairs_ = {}
        for k, v in pairs (c) do
            if k ~= 'v' and type (v) ~= 'table' then
                if type (v) == 'boolean' then   -- Redis takes no Lua booleans
                    v = v and '1' or '0'
                end
                pairs_[#pairs_ + 1] = k
                pairs_[#pairs_ + 1] = v
            end
        end
        redis.call ('HSET', key, unpack (pairs_))
        redis.call ('RPUSH', key .. ':steps', ARGV[at + 2], ARGV[at + 3])
        queue_put (prefix, id, c.center, c.unit, c.state, c.sign_by)
        queue_put (prefix, id, c.center, c.unit, 'all', c.created)
        for _, kind in ipairs ({'sign_warn', 'done_warn'}) do
            redis.call ('ZADD', prefix .. 'timers', c[kind], id .. '|' .. kind)
        end
        redis.call ('ZADD', prefix .. 'timers', c.sign_by, id .. '|sign_over')
        redis.call ('ZADD', prefix .. 'timers', c.done_by, id .. '|done_over')
        answer[#answer + 1] = journal_append (prefix, 'case.dispatched', ARGV[at + 4])
        redis.call ('HINCRBY', stats, c.unit .. '|' .. c.category .. '|received', 1)
        redis.call ('HINCRBY', stats, c.unit .. '|' .. c.category .. '|dispatched', 1)
        if hs_count > 0 and ARGV[at + 5] ~= '' then
            answer[#answer + 1] = hotspot (id, c, ARGV[at + 5])
        end
    end
end
return answer
