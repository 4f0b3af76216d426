-- fund_redeem: a resident redeems points at a charity site (积分兑换): two
-- linked transfers, the points pts.r.ID -> SITE.pts and the goods
-- SITE.ITEM -> SITE.ITEM.out, applied both or neither, once; the record
-- `redeem:<id>` and the journal event fund.redeemed in the same call.
-- ARGV: prefix, now, the two transfers (ten fields each), resident, site,
-- item, actor, event body.
-- Answers {'ok'|'exists', entry of the points} or {result, 1|2 (which
-- transfer was refused)}.
local prefix = ARGV[1]
local at = 3 + 2 * TRANSFER_ARGS
local resident, site, item, actor, body = unpack (ARGV, at, at + 4)
local L = ledger_new (prefix, ARGV[2])
local ts = { transfer_from (ARGV, 3), transfer_from (ARGV, 3 + TRANSFER_ARGS) }
local out = transfer_batch (L, ts)
if out[1][1] == 'exists' and out[2][1] == 'exists' then
    return {'exists', out[1][2]}
end
for k = 1, 2 do
    if out[k][1] ~= 'ok' and out[k][1] ~= 'linked_event_failed' then
        return {out[k][1], k}
    end
end
if out[1][1] ~= 'ok' or out[2][1] ~= 'ok' then
    return {'linked_event_failed', 1}
end
ledger_commit (L)
redis.call ('HSET', prefix .. 'redeem:' .. ts[1].id, 'resident', resident, 'site', site,
            'item', item, 'quantity', ts[2].amount, 'points', ts[1].amount,
            'entry', out[1][2], 'at', L.now, 'actor', actor)
journal_append (prefix, 'fund.redeemed', body)
return {'ok', out[1][2]}
