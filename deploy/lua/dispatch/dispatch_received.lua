-- dispatch_received: a batch of case.received events becomes dispatched
-- cases, and dispatch's cursor on the intake journal moves past them.
-- ARGV: prefix, cursor key, expected cursor, new cursor, count, then per
-- case: id, view (case.view msgpack), step received, step dispatched,
-- case.dispatched body.
-- Answers {'ok', seq...} (seq 0 for a case that already existed) or
-- {'moved', cursor}.
local prefix, ckey = ARGV[1], ARGV[2]
local ok, cur = cursor_advance (ckey, ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local answer = {'ok'}
for i = 0, tonumber (ARGV[5]) - 1 do
    local at = 6 + i * 5
    local id, view = ARGV[at], ARGV[at + 1]
    local key = prefix .. 'case:' .. id
    if redis.call ('EXISTS', key) == 1 then
        answer[#answer + 1] = 0
    else
        local c = cmsgpack.unpack (view)
        local pairs_ = {}
        for k, v in pairs (c) do
            if k ~= 'v' and type (v) ~= 'table' then
                pairs_[#pairs_ + 1] = k
                pairs_[#pairs_ + 1] = v
            end
        end
        redis.call ('HSET', key, unpack (pairs_))
        redis.call ('RPUSH', key .. ':steps', ARGV[at + 2], ARGV[at + 3])
        queue_put (prefix, id, c.center, c.unit, c.state, c.sign_by)
        queue_put (prefix, id, c.center, c.unit, 'all', c.created)
        answer[#answer + 1] = journal_append (prefix, 'case.dispatched', ARGV[at + 4])
    end
end
return answer
