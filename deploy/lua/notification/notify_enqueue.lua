-- notify_enqueue: the deliveries a batch of events causes go into the
-- outbox (or straight into an in-app inbox), and notification's cursor on
-- the journal moves past the events, in one call.
-- ARGV: prefix, cursor key ('' for deliveries no event caused: tests,
-- re-sends), expected cursor, new cursor, the four retention settings
-- (lib.lua), count, then per delivery: id, chain ('' when itself), due,
-- inbox key ('' unless it goes to an inbox), delivery (msgpack), inbox
-- item (msgpack or ''), log line (msgpack or ''), ack deadline (0: none),
-- and what to remember of it, kept for as long as a sent delivery is:
--   '' nothing;
--   "asked|<phone fingerprint>|<case>": an SMS that asks the citizen to
--     rate the case, 1/2/3; `asked:<fingerprint>` then names the case, the
--     latest asked, so that the reply is recorded against it;
--   "joined|<case>|<order>": a hotline order was told it joined the case;
--     the set `joined:<case>` holds it, so that it hears of the case's
--     changes from then on.
-- A delivery whose hash is there already — the same (case, event,
-- recipient) — queues nothing: the same event that reaches us twice is
-- told once (for as long as a sent delivery is kept).
-- Answers {'ok', queued} or {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local ret = retention (5)
if ckey ~= '' then
    local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
    if not ok then
        return {'moved', cur}
    end
end
local b = batch_new ()
local queued = 0
for i = 0, tonumber (ARGV[9]) - 1 do
    local at = 10 + i * 9
    local id, chain, due, inbox, m, item, line, ack_at, remember = unpack (ARGV, at, at + 8)
    local key = prefix .. 'd:' .. id
    local fields = {}
    if chain ~= '' then
        fields[#fields + 1] = 'chain'
        fields[#fields + 1] = chain
    end
    if inbox == '' or tonumber (ack_at) > 0 then
        fields[#fields + 1] = 'm'
        fields[#fields + 1] = m
    end
    if inbox == '' then
        fields[#fields + 1] = 'state'
        fields[#fields + 1] = 'queued'
    end
    -- every delivery's hash has a log from the start (empty while it is
    -- queued), so that setting it is also the test of whether it is new
    local log = inbox ~= '' and log_add (nil, line) or ''
    local fresh = redis.call ('HSETNX', key, 'log', log) == 1
    if fresh and #fields > 0 then
        redis.call ('HSET', key, unpack (fields))
    end
    if fresh and inbox ~= '' then
        b.recent[#b.recent + 1] = line
        inbox_push (prefix, ret, inbox, item)
        redis.call ('PEXPIRE', key, ret.keep)
        if tonumber (ack_at) > 0 then
            b.acks[#b.acks + 1] = ack_at
            b.acks[#b.acks + 1] = id
        end
    elseif fresh then
        b.requeue[#b.requeue + 1] = due
        b.requeue[#b.requeue + 1] = id
    end
    if fresh and remember ~= '' then
        local kind, key, value = string.match (remember, '^(%a+)|([^|]+)|(.*)$')
        if kind == 'asked' then
            redis.call ('SET', prefix .. 'asked:' .. key, value, 'PX', ret.keep)
        elseif kind == 'joined' then
            redis.call ('SADD', prefix .. 'joined:' .. key, value)
            redis.call ('PEXPIRE', prefix .. 'joined:' .. key, ret.keep)
        end
    end
    if fresh then
        queued = queued + 1
    end
end
batch_flush (prefix, b, ret)
return {'ok', queued}
