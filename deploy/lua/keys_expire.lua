-- keys_expire: a daemon deletes its keys that are due (cg_retention.h):
-- the sorted set KEYS[1], `<prefix>expiring`, holds key names of the same
-- daemon scored by the time (Unix ms on civgrid's clock, so that the test
-- clock moves it too) after which each may go.  Redis's own EXPIREAT
-- would follow Redis's clock instead.  UNLINK frees a large hash in the
-- background.
-- ARGV: now (ms), limit (keys one call deletes at most).
-- Answers the number of keys deleted.
local due = redis.call ('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0,
                        tonumber (ARGV[2]))
if #due == 0 then
    return 0
end
local tag = string.match (KEYS[1], '^[^}]*}')
for _, key in ipairs (due) do
    if string.sub (key, 1, #tag) == tag then
        redis.call ('UNLINK', key)
    end
end
redis.call ('ZREM', KEYS[1], unpack (due))
return #due
