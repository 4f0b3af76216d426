-- fund_unchained: what the hash chain has not covered yet, read at once:
-- the chain's length, its last hash ('' when empty) and up to `max`
-- entry lines after it.  ARGV: prefix, max.
local prefix, max = ARGV[1], tonumber (ARGV[2])
local n = redis.call ('LLEN', prefix .. 'chain')
local head = n > 0 and redis.call ('LINDEX', prefix .. 'chain', n - 1) or ''
return {n, head, redis.call ('LRANGE', prefix .. 'entries', n, n + max - 1)}
