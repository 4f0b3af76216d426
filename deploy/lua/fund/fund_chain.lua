-- fund_chain: extend the hash chain over the ledger's entries.  The daemon
-- computes SHA-256 (libsodium) over the previous hash and each new entry
-- line; this stores the hashes if the chain is still as long as the daemon
-- saw it, so that the chain never forks.  ARGV: prefix, expected length,
-- hashes...  Answers {'ok', length} or {'moved', length}.
local prefix, expected = ARGV[1], tonumber (ARGV[2])
local n = redis.call ('LLEN', prefix .. 'chain')
if n ~= expected or redis.call ('LLEN', prefix .. 'entries') < n + #ARGV - 2 then
    return {'moved', n}
end
for i = 3, #ARGV do
    redis.call ('RPUSH', prefix .. 'chain', ARGV[i])
end
return {'ok', n + #ARGV - 2}
