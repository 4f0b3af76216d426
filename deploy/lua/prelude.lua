-- prelude.lua — put in front of every civgrid script at build time.
--
-- Every state change in civgrid is one of these scripts, so that the change,
-- the journal entry it produces and (for an event) the consumer's new cursor
-- happen together or not at all (DESIGN.md §3).  All keys one script touches
-- carry the owning daemon's hash tag: `prefix` is "cg:{dispatch}:" and so on.
--
-- A journal is a stream `<prefix>journal` whose entry ids are `<seq>-0`,
-- seq counting 1, 2, 3 ... from `<prefix>seq` with no gaps, so that a
-- subscriber can see a missing entry and read it back with XRANGE.

local function journal_append (prefix, topic, body)
    local seq = redis.call ('INCR', prefix .. 'seq')
    redis.call ('XADD', prefix .. 'journal', seq .. '-0', 't', topic, 'b', body)
    return seq
end

-- A consumer's cursor moves from `expected` to `new` only if it still
-- stands at `expected`: an event batch is applied once, whoever retries it.
local function cursor_advance (key, expected, new)
    local cur = tonumber (redis.call ('GET', key) or '0')
    if cur ~= tonumber (expected) then
        return false, cur
    end
    redis.call ('SET', key, new)
    return true, cur
end

-- Commands are idempotent by request id: the first answer is kept for a day
-- and given again to a retry, which then changes nothing.
local RID_TTL = 86400
local function rid_answer (prefix, rid)
    return redis.call ('GET', prefix .. 'rid:' .. rid)
end
local function rid_remember (prefix, rid, answer)
    redis.call ('SET', prefix .. 'rid:' .. rid, answer, 'EX', RID_TTL)
end
