-- fund_decide: a committee member approves or rejects a request, once per
-- request id.  The approval that reaches the number needed posts the
-- pending transfer; a rejection voids it.  The requester may not decide
-- their own request.  ARGV: prefix, now, rid, id, actor (the person),
-- decision (approve|reject), settling transfer id, note, event body (for
-- the decision that settles), who (the actor as vouched and the role, for
-- the request's log).
-- Answers {'pending', approvals}, {'approved'|'rejected', entry},
-- {'done', answer} for a repeated rid, or a refusal:
-- {'missing'}, {'state', state}, {'own'}, {'again'}, {'expired'}, {result}.
local prefix, now, rid, id, actor, decision, settle_id, note, body, who = unpack (ARGV, 1, 10)
local done = rid_answer (prefix, rid)
if done then
    return {'done', done}
end
local key = prefix .. 'req:' .. id
local q = redis.call ('HMGET', key, 'state', 'requester', 'need', 'expires')
if not q[1] then return {'missing'} end
if q[1] ~= 'pending' then return {'state', q[1]} end
if tonumber (q[4]) > 0 and tonumber (now) >= tonumber (q[4]) then return {'expired'} end
if q[2] == actor then return {'own'} end
-- nothing is written before every check has passed
if decision == 'approve' then
    if redis.call ('SISMEMBER', key .. ':approvals', actor) == 1 then return {'again'} end
    local count = redis.call ('SCARD', key .. ':approvals') + 1
    if count < tonumber (q[3]) then
        redis.call ('SADD', key .. ':approvals', actor)
        redis.call ('RPUSH', key .. ':log', now .. '\t' .. who .. '\tapprove\t' .. note)
        rid_remember (prefix, rid, 'pending')
        return {'pending', count}
    end
end
local L = ledger_new (prefix, now)
local t = { id = settle_id, debit = '', credit = '', amount = 0, ledger = '', code = 0,
            flags = decision == 'approve' and 'post_pending' or 'void_pending',
            pending_id = id, timeout = 0, memo = note }
local r, seq = transfer_one (L, t)
if r ~= 'ok' then
    return {r}
end
ledger_commit (L)
if decision == 'approve' then
    redis.call ('SADD', key .. ':approvals', actor)
end
local state = decision == 'approve' and 'approved' or 'rejected'
redis.call ('HSET', key, 'state', state, 'decided_by', actor, 'note', note, 'decided', now)
redis.call ('RPUSH', key .. ':log', now .. '\t' .. who .. '\t' .. decision .. '\t' .. note)
journal_append (prefix, 'fund.' .. state, body)
rid_remember (prefix, rid, state)
return {state, seq}
