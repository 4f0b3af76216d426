-- fund_accounts: open accounts.  ARGV: prefix, now, then per account six
-- fields: id, ledger, kind, name, fund, flags.  The set `ledgers` names
-- every ledger an account was opened on, for fund.verify.  Answers per account 'ok',
-- 'exists' (the same account is open) or 'exists_with_different_fields'.
local prefix, now = ARGV[1], ARGV[2]
local out = {}
for at = 3, #ARGV - 5, 6 do
    local id, ledger, kind, name, fund, flags = unpack (ARGV, at, at + 5)
    local key = prefix .. 'acct:' .. id
    local h = redis.call ('HMGET', key, 'ledger', 'flags', 'kind', 'fund')
    if h[1] then
        if h[1] == ledger and h[2] == flags and h[3] == kind and h[4] == fund then
            out[#out + 1] = 'exists'
        else
            out[#out + 1] = 'exists_with_different_fields'
        end
    else
        redis.call ('HSET', key, 'ledger', ledger, 'kind', kind, 'name', name, 'fund', fund,
                    'flags', flags, 'dp', 0, 'dpo', 0, 'cp', 0, 'cpo', 0, 'created', now)
        redis.call ('SADD', prefix .. 'accounts:' .. ledger, id)
        redis.call ('SADD', prefix .. 'ledgers', ledger)
        out[#out + 1] = 'ok'
    end
end
return out
