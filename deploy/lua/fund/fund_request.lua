-- fund_request: a disbursement request reserves its amount as a pending
-- transfer (with the request's timeout), is stored, and asks for approval
-- in the journal.  ARGV: prefix, now, the transfer (ten fields), event
-- body, then field/value pairs of the request.
-- Answers {'ok'|'exists', entry} or {result}.
local prefix = ARGV[1]
local L = ledger_new (prefix, ARGV[2])
local t = transfer_from (ARGV, 3)
local r, seq = transfer_one (L, t)
if r ~= 'ok' then
    return {r, seq or 0}
end
ledger_commit (L)
local key = prefix .. 'req:' .. t.id
for i = 4 + TRANSFER_ARGS, #ARGV - 1, 2 do
    redis.call ('HSET', key, ARGV[i], ARGV[i + 1])
end
redis.call ('HSET', key, 'state', 'pending', 'at', L.now, 'expires', L.xfers[t.id].expires)
redis.call ('ZADD', prefix .. 'requests:' .. redis.call ('HGET', key, 'fund'), L.now, t.id)
journal_append (prefix, 'fund.approval_requested', ARGV[3 + TRANSFER_ARGS])
return {'ok', seq}
