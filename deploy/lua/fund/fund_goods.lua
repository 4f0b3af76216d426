-- fund_goods: a movement of goods in kind at a charity site (慈善小屋,
-- 慈善超市) is one posted transfer on the item kind's ledger g.ITEM: a
-- donation in kind SITE.ITEM.in -> SITE.ITEM, a hand-out SITE.ITEM ->
-- SITE.ITEM.out, a move SITE.ITEM -> OTHER.ITEM.  Its record
-- `goods:<id>` and the journal event go with it, in this one call, so a
-- kill -9 leaves all or nothing and a retry of the id finds the first.
-- ARGV: prefix, now, the transfer (ten fields), action, site, item, to,
-- party (masked), actor, event body.
-- Answers {'ok'|'exists', entry, '', action, party, at} or {result}.
local prefix = ARGV[1]
local at = 3 + TRANSFER_ARGS
local action, site, item, to, party, actor, body = unpack (ARGV, at, at + 6)
local L = ledger_new (prefix, ARGV[2])
local t = transfer_from (ARGV, 3)
local r, seq = transfer_one (L, t)
local key = prefix .. 'goods:' .. t.id
if r == 'exists' then
    local g = redis.call ('HMGET', key, 'action', 'party', 'at')
    return {'exists', seq, '', g[1] or action, g[2] or '', g[3] or '0'}
end
if r ~= 'ok' then
    return {r}
end
ledger_commit (L)
redis.call ('HSET', key, 'action', action, 'site', site, 'item', item, 'to', to,
            'party', party, 'quantity', t.amount, 'entry', seq, 'at', L.now, 'actor', actor)
journal_append (prefix, 'fund.goods_' .. (action == 'move' and 'moved' or action), body)
return {'ok', seq, '', action, party, L.now}
