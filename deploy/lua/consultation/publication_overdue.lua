-- publication_overdue: every open publication past its due date raises
-- topic.publication_overdue, once: it leaves the due set in the same call.
-- ARGV: prefix, now.
local prefix, now = ARGV[1], ARGV[2]
local out = {}
for _, item in ipairs (redis.call ('ZRANGEBYSCORE', prefix .. 'due', '-inf', now,
                                   'WITHSCORES', 'LIMIT', 0, 100)) do
    out[#out + 1] = item
end
local events = {}
for k = 1, #out, 2 do
    local item, due = out[k], out[k + 1]
    redis.call ('ZREM', prefix .. 'due', item)
    local id, n = string.match (item, '^(.*)|(%d+)$')
    local sk = skey (prefix, id, n)
    local s = redis.call ('HMGET', sk, 'state', 'name')
    if s[1] == 'open' then
        redis.call ('HSET', sk, 'overdue', 1)
        emit (prefix, events, 'topic.publication_overdue', {id = id, n = tonumber (n),
              name = s[2], scope = redis.call ('HGET', tkey (prefix, id), 'scope'),
              due = tonumber (due), at = tonumber (now)})
    end
end
return {'ok', 'ok', unpack (events)}
