-- notify_ack_index: at start, the deliveries on the acknowledgement watch
-- that have no record in the acknowledgement index (put on the watch by a
-- release before it) get one, pending, under the nodes the daemon names
-- (their recipient's as the directory has it now), due when the watch
-- says (lib.lua).  Safe to run again: an id with a record is left alone.
-- ARGV: prefix, then per delivery: id, orgs (space-separated).
-- Answers how many records it made.
local prefix = ARGV[1]
local made = 0
for i = 2, #ARGV, 2 do
    local id, orgs = ARGV[i], ARGV[i + 1]
    local due = redis.call ('ZSCORE', prefix .. 'acks', id)
    local m = redis.call ('HGET', prefix .. 'd:' .. id, 'm')
    if due and m and m ~= '' and redis.call ('EXISTS', ack_key (prefix, id)) == 0 then
        ack_pending (prefix, id, due, m, orgs)
        made = made + 1
    end
end
return made
