-- publication_overdue: every open publication past its due date raises
-- topic.publication_overdue, once: it leaves the due set in the same call.
-- ARGV: prefix, count, then per publication: "<id>|<n>", its
-- topic.publication_overdue ('' when the daemon did not find it open:
-- left for the next round).
local prefix = ARGV[1]
local events = {}
for k = 3, 2 + 2 * tonumber (ARGV[2]), 2 do
    local item, body = ARGV[k], ARGV[k + 1]
    local id, n = string.match (item, '^(.*)|(%d+)$')
    local sk = skey (prefix, id, n)
    if redis.call ('HGET', sk, 'state') ~= 'open' then
        redis.call ('ZREM', prefix .. 'due', item)
    elseif body ~= '' then
        redis.call ('ZREM', prefix .. 'due', item)
        redis.call ('HSET', sk, 'overdue', 1)
        emit (prefix, events, 'topic.publication_overdue', body)
    end
end
return {'ok', 'ok', unpack (events)}
