-- fund_expire: a pending transfer whose timeout has passed voids itself;
-- if it is a disbursement request, the request expires with it and
-- fund.expired goes into the journal.  ARGV: prefix, now, id, event body.
-- Answers {'expired', entry} (a request expired), {'ok', entry} (a
-- transfer voided) or {'not_due'}.
local prefix, now, id, body = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local L = ledger_new (prefix, now)
local p = xfer_get (L, id)
if not p or p.state ~= 'pending' or p.expires == 0 or p.expires > L.now then
    redis.call ('ZREM', prefix .. 'expiry', id)
    return {'not_due'}
end
local why, seq = s_settle (L, { id = id, code = 0, memo = 'timeout' }, p, 'expire', 0)
assert (not why, why)
ledger_commit (L)
local key = prefix .. 'req:' .. id
if redis.call ('HGET', key, 'state') == 'pending' then
    redis.call ('HSET', key, 'state', 'expired', 'decided', now)
    journal_append (prefix, 'fund.expired', body)
    return {'expired', seq}
end
return {'ok', seq}
