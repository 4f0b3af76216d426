-- need_expire: open needs past their date (unmatched) become expired and
-- leave the due set in the same call, so need.expired is raised once; a
-- need matched meanwhile only leaves the set.  An expired need may still
-- be matched.
-- ARGV: prefix, count, then per need: its id and need.expired ('' when
-- the daemon could not read it: left for the next round).
local prefix = ARGV[1]
local out = {}
for k = 3, 2 + 2 * tonumber (ARGV[2]), 2 do
    local id, body = ARGV[k], ARGV[k + 1]
    local nk = prefix .. 'need:' .. id
    if redis.call ('HGET', nk, 'state') ~= 'open' then
        redis.call ('ZREM', prefix .. 'needs_due', id)
    elseif body ~= '' then
        redis.call ('ZREM', prefix .. 'needs_due', id)
        redis.call ('HSET', nk, 'state', 'expired')
        emit (prefix, out, 'need.expired', body)
    end
end
return {'ok', 'ok', unpack (out)}
