-- fund_donate: a donation is one transfer from the fund's donors account
-- to the fund or a project, its record and receipt, and fund.donated in
-- the journal.  ARGV: prefix, now, the transfer (ten fields), fund, year,
-- donor as published, donor's name, channel, ref, who took it (the actor)
-- and their role, event body.
-- Answers {'ok'|'exists', entry, receipt, who took it} or {result}.
local prefix = ARGV[1]
local at = 3 + TRANSFER_ARGS
local fund, year, shown, name, channel, ref, taken_by, role, body = unpack (ARGV, at, at + 8)
local L = ledger_new (prefix, ARGV[2])
local t = transfer_from (ARGV, 3)
local r, seq = transfer_one (L, t)
local key = prefix .. 'donation:' .. t.id
if r == 'exists' then
    local d = redis.call ('HMGET', key, 'receipt', 'taken_by')
    return {'exists', seq, d[1] or '', d[2] or ''}
end
if r ~= 'ok' then
    return {r}
end
ledger_commit (L)
-- receipts count per fund and year without gaps: 捐赠票据号
local n = redis.call ('HINCRBY', prefix .. 'receipts', fund .. ':' .. year, 1)
local receipt = string.format ('%s-%s-%06d', fund, year, n)
redis.call ('HSET', key, 'fund', fund, 'account', t.credit, 'donor', shown, 'name', name,
            'amount', t.amount, 'channel', channel, 'ref', ref, 'receipt', receipt,
            'entry', seq, 'at', L.now, 'taken_by', taken_by, 'role', role)
journal_append (prefix, 'fund.donated', body)
return {'ok', seq, receipt, taken_by}
