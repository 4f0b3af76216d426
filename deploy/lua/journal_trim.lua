-- journal_trim: the owner of a journal drops the entries no one needs any
-- more (cg_retention.h).  An entry may go when every registered consumer
-- has applied it (seq at or below `lowest`, the lowest of their cursors,
-- which the caller read), when keep_entries newer entries below `lowest`
-- remain, and, with keep_ms, when it is older than keep_ms.
--
-- Entry ids are <seq>-0, not times, so the age of entries comes from marks:
-- the sorted set <journal>:marks holds (time, head then), one every
-- keep_ms / 64 at most, so that entries up to the head of the newest mark
-- older than keep_ms are older than that.  The marks cost nothing per event.
--
-- XTRIM MINID ~ drops whole stream nodes only (it may keep up to a node
-- more than asked, never less), so a trim frees memory without rewriting
-- a node; `limit` bounds the entries one call drops.
--
-- KEYS[1] seq, KEYS[2] journal, KEYS[3] marks.
-- ARGV now (ms), lowest, keep_entries, keep_ms, limit.
-- Answers {entries dropped, first kept seq (0 when empty), head}.
local now, lowest = tonumber (ARGV[1]), tonumber (ARGV[2])
local keep_entries, keep_ms = tonumber (ARGV[3]), tonumber (ARGV[4])
local head = tonumber (redis.call ('GET', KEYS[1]) or '0')
if lowest > head then lowest = head end
local below = lowest - keep_entries     -- entries up to this seq may go
if keep_ms > 0 then
    local last = redis.call ('ZREVRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    if not last[2] or now - tonumber (last[2]) >= keep_ms / 64 then
        redis.call ('ZADD', KEYS[3], 'NX', now, head)
    end
    local aged = redis.call ('ZREVRANGEBYSCORE', KEYS[3], now - keep_ms, '-inf',
                             'WITHSCORES', 'LIMIT', 0, 1)
    if aged[1] then
        if tonumber (aged[1]) < below then below = tonumber (aged[1]) end
        redis.call ('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. aged[2])
    else
        below = 0
    end
end
local dropped = 0
if below > 0 then
    dropped = redis.call ('XTRIM', KEYS[2], 'MINID', '~', (below + 1) .. '-0',
                          'LIMIT', ARGV[5])
end
local first = redis.call ('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local kept = first[1] and tonumber (string.match (first[1][1], '^(%d+)')) or 0
return {dropped, kept, head}
