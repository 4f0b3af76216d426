-- fund/lib.lua — the ledger engine, put in front of every fund script.
--
-- Double entry in the manner of TigerBeetle.  An account is the hash
-- <prefix>acct:<id> with ledger, kind, name, fund, flags and four balances:
-- dp/dpo (debits pending/posted) and cp/cpo (credits pending/posted).
-- A transfer is the hash <prefix>xfer:<id>, written once; only the state of
-- a pending transfer (pending -> posted, voided, expired) changes later.
-- Every applied transfer appends one line to the list <prefix>entries (its
-- position is the entry's seq) and the seq to <prefix>acct:<id>:entries of
-- both accounts; the daemon chains the lines by hash afterwards
-- (<prefix>chain, see services/fund/ledger.c).
--
-- A batch is worked out in memory first (the cache below) and written only
-- at the end, so that a linked chain that fails can be undone by replaying
-- the undo log, and a refused transfer leaves no trace.  Amounts stay far
-- below 2^53, where Lua's numbers are exact integers.

local HEX32 = '^[0-9a-f]+$'
local LIMIT = 99999999999999

local function ledger_new (prefix, now)
    return { prefix = prefix, now = tonumber (now), accts = {}, xfers = {},
             entries = {}, undo = {}, base = redis.call ('LLEN', prefix .. 'entries') }
end

-- set t[k] = v, remembering the old value for a linked chain's undo
local function s_set (L, t, k, v)
    L.undo[#L.undo + 1] = { t, k, t[k] }
    t[k] = v
end

local function acct_get (L, id)
    if not id or id == '' then return nil end
    local a = L.accts[id]
    if a == nil then
        local h = redis.call ('HMGET', L.prefix .. 'acct:' .. id,
                              'ledger', 'flags', 'dp', 'dpo', 'cp', 'cpo')
        if h[1] then
            a = { id = id, ledger = h[1], flags = h[2] or '', dp = tonumber (h[3]),
                  dpo = tonumber (h[4]), cp = tonumber (h[5]), cpo = tonumber (h[6]) }
        else
            a = false
        end
        L.accts[id] = a
    end
    return a or nil
end

local function xfer_get (L, id)
    local x = L.xfers[id]
    if x == nil then
        local h = redis.call ('HMGET', L.prefix .. 'xfer:' .. id, 'debit', 'credit', 'amount',
                              'flags', 'pending_id', 'state', 'entry', 'expires', 'ledger')
        if h[1] then
            x = { id = id, debit = h[1], credit = h[2], amount = tonumber (h[3]),
                  flags = h[4], pending_id = h[5], state = h[6], entry = tonumber (h[7]),
                  expires = tonumber (h[8] or '0'), ledger = h[9] }
        else
            x = false
        end
        L.xfers[id] = x
    end
    return x or nil
end

local function has (flags, f)
    return string.find (' ' .. (flags or '') .. ' ', ' ' .. f .. ' ', 1, true) ~= nil
end

-- an entry line: the exact text that is hashed, tab-separated
local function s_entry (L, kind, x, amount, pending_id)
    local seq = L.base + #L.entries + 1
    local line = table.concat ({ seq, L.now, kind, x.id, x.ledger, x.debit, x.credit, amount,
                                 pending_id or '', x.code or 0,
                                 (string.gsub (x.memo or '', '[\t\n]', ' ')) }, '\t')
    L.undo[#L.undo + 1] = { L.entries, #L.entries + 1, nil }
    L.entries[#L.entries + 1] = { line = line, debit = x.debit, credit = x.credit }
    return seq
end

local function s_move (L, a, field, delta)
    s_set (L, a, field, a[field] + delta)
    s_set (L, a, 'dirty', true)
end

-- would these balances break the account's flags?
local function s_breaks (a)
    if has (a.flags, 'no_overdraft') and a.dp + a.dpo > a.cpo then
        return 'exceeds_credits'
    end
    if has (a.flags, 'no_overcredit') and a.cp + a.cpo > a.dpo then
        return 'exceeds_debits'
    end
    if a.dp + a.dpo > LIMIT then
        return 'overflows_debits'
    end
    if a.cp + a.cpo > LIMIT then
        return 'overflows_credits'
    end
    return nil
end

-- Posting, voiding or expiring pending transfer p for `amount` (0 for void).
local function s_settle (L, t, p, kind, amount)
    local a, b = acct_get (L, p.debit), acct_get (L, p.credit)
    s_move (L, a, 'dp', -p.amount)
    s_move (L, b, 'cp', -p.amount)
    if amount > 0 then
        s_move (L, a, 'dpo', amount)
        s_move (L, b, 'cpo', amount)
    end
    local why = s_breaks (a) or s_breaks (b)
    if why then return why end
    s_set (L, p, 'state', kind == 'post' and 'posted' or (kind == 'void' and 'voided' or 'expired'))
    s_set (L, p, 'dirty', true)
    return nil, s_entry (L, kind, { id = t.id, ledger = p.ledger, debit = p.debit,
                                    credit = p.credit, code = t.code, memo = t.memo },
                         amount, p.id)
end

-- One transfer t = {id, debit, credit, amount, ledger, code, flags, pending_id,
-- timeout, memo}.  Returns result, entry.
local function transfer_one (L, t)
    if #t.id ~= 32 or not t.id:match (HEX32) or t.id == string.rep ('0', 32) then
        return 'id_must_be_32_hex_digits'
    end
    local old = xfer_get (L, t.id)
    if old then
        if old.debit ~= (t.debit ~= '' and t.debit or old.debit)
           or old.credit ~= (t.credit ~= '' and t.credit or old.credit)
           or old.flags ~= t.flags or (old.pending_id or '') ~= t.pending_id
           or (t.amount > 0 and old.amount ~= t.amount) then
            return 'exists_with_different_fields'
        end
        return 'exists', old.entry
    end
    local post, void = has (t.flags, 'post_pending'), has (t.flags, 'void_pending')
    local pending = has (t.flags, 'pending')
    if (post and void) or (pending and (post or void)) then
        return 'flags_are_mutually_exclusive'
    end
    if t.timeout > 0 and not pending then
        return 'timeout_reserved_for_pending_transfer'
    end
    local x = { id = t.id, code = t.code, memo = t.memo, flags = t.flags,
                pending_id = t.pending_id, state = 'posted', expires = 0 }
    local why, seq
    if post or void then
        if t.pending_id == '' then return 'pending_id_must_not_be_zero' end
        local p = xfer_get (L, t.pending_id)
        if not p then return 'pending_transfer_not_found' end
        if not has (p.flags, 'pending') then return 'pending_transfer_not_pending' end
        if t.debit ~= '' and t.debit ~= p.debit then
            return 'pending_transfer_has_different_debit_account'
        end
        if t.credit ~= '' and t.credit ~= p.credit then
            return 'pending_transfer_has_different_credit_account'
        end
        if t.ledger ~= '' and t.ledger ~= p.ledger then
            return 'pending_transfer_has_different_ledger'
        end
        if p.state ~= 'pending' then return 'pending_transfer_already_' .. p.state end
        if p.expires > 0 and L.now >= p.expires then return 'pending_transfer_expired' end
        local amount = t.amount
        if post then
            if amount == 0 then amount = p.amount end
            if amount > p.amount then return 'exceeds_pending_transfer_amount' end
        else
            if amount ~= 0 and amount ~= p.amount then
                return 'pending_transfer_has_different_amount'
            end
            amount = 0
        end
        why, seq = s_settle (L, t, p, post and 'post' or 'void', amount)
        if why then return why end
        x.debit, x.credit, x.amount, x.ledger = p.debit, p.credit, amount, p.ledger
    else
        if t.amount <= 0 then return 'amount_must_not_be_zero' end
        if t.debit == '' then return 'debit_account_id_must_not_be_zero' end
        if t.credit == '' then return 'credit_account_id_must_not_be_zero' end
        if t.debit == t.credit then return 'accounts_must_be_different' end
        local a, b = acct_get (L, t.debit), acct_get (L, t.credit)
        if not a then return 'debit_account_not_found' end
        if not b then return 'credit_account_not_found' end
        if a.ledger ~= b.ledger then return 'accounts_must_have_the_same_ledger' end
        if t.ledger ~= '' and t.ledger ~= a.ledger then
            return 'transfer_must_have_the_same_ledger_as_accounts'
        end
        local side = pending and 'p' or 'po'
        s_move (L, a, 'd' .. side, t.amount)
        s_move (L, b, 'c' .. side, t.amount)
        why = s_breaks (a) or s_breaks (b)
        if why then return why end
        x.debit, x.credit, x.amount, x.ledger = t.debit, t.credit, t.amount, a.ledger
        if pending then
            x.state = 'pending'
            if t.timeout > 0 then x.expires = L.now + t.timeout * 1000 end
        end
        seq = s_entry (L, pending and 'pending' or 'posted', x, t.amount, nil)
    end
    x.entry, x.new, x.dirty = seq, true, true
    s_set (L, L.xfers, t.id, x)
    return 'ok', seq
end

-- A batch: linked chains succeed or fail together (TigerBeetle's rule:
-- a transfer flagged `linked` is chained to the next one).  Returns a list
-- of {result, entry}.
local function transfer_batch (L, ts)
    local out, i = {}, 1
    while i <= #ts do
        local j = i
        while j <= #ts and has (ts[j].flags, 'linked') do j = j + 1 end
        local mark, failed = #L.undo, nil
        if j > #ts then
            for k = i, #ts do out[k] = { 'linked_event_chain_open', 0 } end
            j = #ts
        else
            for k = i, j do
                local r, seq = transfer_one (L, ts[k])
                out[k] = { r, seq or 0 }
                if r ~= 'ok' and r ~= 'exists' then failed = k break end
            end
        end
        if failed then
            for u = #L.undo, mark + 1, -1 do
                local e = L.undo[u]
                e[1][e[2]] = e[3]
                L.undo[u] = nil
            end
            for k = i, j do
                if k ~= failed then out[k] = { 'linked_event_failed', 0 } end
            end
        end
        L.undo = {}
        i = j + 1
    end
    return out
end

-- Writes what the batch changed.
local function ledger_commit (L)
    local p = L.prefix
    for id, a in pairs (L.accts) do
        if a and a.dirty then
            redis.call ('HSET', p .. 'acct:' .. id, 'dp', a.dp, 'dpo', a.dpo, 'cp', a.cp,
                        'cpo', a.cpo)
        end
    end
    for id, x in pairs (L.xfers) do
        if x and x.new then
            redis.call ('HSET', p .. 'xfer:' .. id, 'debit', x.debit, 'credit', x.credit,
                        'amount', x.amount, 'ledger', x.ledger, 'flags', x.flags,
                        'pending_id', x.pending_id, 'state', x.state, 'entry', x.entry,
                        'expires', x.expires, 'at', L.now)
            if x.expires > 0 then
                redis.call ('ZADD', p .. 'expiry', x.expires, id)
            end
        elseif x and x.dirty then
            redis.call ('HSET', p .. 'xfer:' .. id, 'state', x.state)
            redis.call ('ZREM', p .. 'expiry', id)
        end
    end
    for k, e in ipairs (L.entries) do
        redis.call ('RPUSH', p .. 'entries', e.line)
        redis.call ('RPUSH', p .. 'acct:' .. e.debit .. ':entries', L.base + k)
        redis.call ('RPUSH', p .. 'acct:' .. e.credit .. ':entries', L.base + k)
    end
end

-- A transfer from a table of ARGV-style fields.
local function transfer_from (argv, at)
    return { id = argv[at], debit = argv[at + 1], credit = argv[at + 2],
             amount = tonumber (argv[at + 3]), ledger = argv[at + 4],
             code = tonumber (argv[at + 5]), flags = argv[at + 6], pending_id = argv[at + 7],
             timeout = tonumber (argv[at + 8]), memo = argv[at + 9] }
end
local TRANSFER_ARGS = 10

-- Resident points (积分, services/fund/residents.c).  An award is eight
-- fields: transfer id, resident, act, the act's id, points (the caps
-- already applied by the daemon, the only writer), day (YYYYMMDD, Beijing
-- time), memo and the act's field (12 raw bytes of a hash of the act,
-- made by the daemon, s_act_hash).  An act counts once: `points:acts`
-- keeps each act's field with the points it earned (0 when a cap took
-- them all), and a second claim of it does nothing; a store older than
-- layout 5 named the act `act:id:resident` in full, and such a field
-- counts as well.  Points come from pts.issuer to
-- pts.r.RESIDENT (no_overdraft, opened with the first points); the day's
-- counters `points:day:DAY:RESIDENT` (per act and `all`) live three days.
-- Applies argv's awards from `at` (their count, then the fields) in L and
-- returns the index after them.
local POINTS_ARGS = 8
local function points_earn (L, argv, at)
    local p = L.prefix
    local n = tonumber (argv[at])
    for i = 0, n - 1 do
        local k = at + 1 + i * POINTS_ARGS
        local id, resident, act, actid, points, day, memo, field = unpack (argv, k, k + 7)
        points = tonumber (points)
        local acts = p .. 'points:acts'
        if redis.call ('HEXISTS', acts, act .. ':' .. actid .. ':' .. resident) == 0
        and redis.call ('HSETNX', acts, field, points) == 1 and points > 0 then
            local acct = 'pts.r.' .. resident
            if redis.call ('EXISTS', p .. 'acct:' .. acct) == 0 then
                redis.call ('HSET', p .. 'acct:' .. acct, 'ledger', 'pts', 'kind', 'resident',
                            'name', resident, 'fund', 'pts', 'flags', 'no_overdraft', 'dp', 0,
                            'dpo', 0, 'cp', 0, 'cpo', 0, 'created', L.now)
                redis.call ('SADD', p .. 'accounts:pts', acct)
                redis.call ('SADD', p .. 'ledgers', 'pts')
            end
            -- as a batch of one, so that a refusal (overflow) is undone, not committed
            transfer_batch (L, { { id = id, debit = 'pts.issuer', credit = acct,
                                   amount = points, ledger = 'pts', code = 20, flags = '',
                                   pending_id = '', timeout = 0, memo = memo } })
            local dk = p .. 'points:day:' .. day .. ':' .. resident
            redis.call ('HINCRBY', dk, act, points)
            redis.call ('HINCRBY', dk, 'all', points)
            redis.call ('EXPIRE', dk, 259200)
        end
    end
    return at + 1 + n * POINTS_ARGS
end
