-- fund_transfer: a batch of transfers, every check and every balance in
-- this one call.  ARGV: prefix, now, then ten fields per transfer (see
-- transfer_from).  Answers result, entry, result, entry, ...
local L = ledger_new (ARGV[1], ARGV[2])
local ts = {}
for at = 3, #ARGV - TRANSFER_ARGS + 1, TRANSFER_ARGS do
    ts[#ts + 1] = transfer_from (ARGV, at)
end
local results = transfer_batch (L, ts)
ledger_commit (L)
local out = {}
for _, r in ipairs (results) do
    out[#out + 1] = r[1]
    out[#out + 1] = r[2]
end
return out
