-- inbox_deliver: a batch of notices goes into units' in-app inboxes, each
-- recorded as a delivery, and notification's cursor on the dispatch journal
-- moves past the events that caused them.
-- ARGV: prefix, cursor key, expected cursor, new cursor, now, count, then per
-- notice: delivery id, unit, item (inbox.item msgpack).
-- A delivery id already recorded is not delivered again.
-- Answers {'ok', delivered} or {'moved', cursor}.
local prefix, ckey, now = ARGV[1], ARGV[2], ARGV[5]
local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local delivered = 0
for i = 0, tonumber (ARGV[6]) - 1 do
    local at = 7 + i * 3
    local id, unit, item = ARGV[at], ARGV[at + 1], ARGV[at + 2]
    if redis.call ('HSETNX', prefix .. 'delivered', id, unit .. ' ' .. now) == 1 then
        redis.call ('LPUSH', prefix .. 'inbox:' .. unit, item)
        delivered = delivered + 1
    end
end
return {'ok', delivered}
