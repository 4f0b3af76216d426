-- case_forget: cases the archive holds durably (its case.archived) leave
-- dispatch's Redis: the case's hash with its timeline, its queue entries
-- and its timer; dispatch's cursor on the archive journal moves in the
-- same call.  A case goes only if it is still the version the archive
-- holds and still final past its reopen window (cg_case.h): one that
-- changed since is kept, and the archive announces it again once it is
-- final again.
-- ARGV: prefix, cursor key, expected cursor, new cursor, now, reopen
-- window (ms), the terminal states (space-separated, from
-- common/cg_case_state.h), then per case: id, version.
-- Answers {'ok', deleted, kept} or {'moved', cursor}.
local prefix = ARGV[1]
local ok, cur = cursor_advance (ARGV[2], ARGV[3], ARGV[4])
if not ok then
    return {'moved', cur}
end
local now, window = tonumber (ARGV[5]), tonumber (ARGV[6])
local final = {}
for state in string.gmatch (ARGV[7], '%S+') do
    final[state] = true
end
local deleted, kept = 0, 0
for at = 8, #ARGV, 2 do
    local id = ARGV[at]
    local key = prefix .. 'case:' .. id
    local c = redis.call ('HMGET', key, 'state', 'center', 'unit', 'ver', 'closed_at', 'updated')
    if c[1] then
        local since = tonumber ((c[1] == 'closed' and c[5]) or c[6] or '0')
        if final[c[1]] and tostring (c[4] or '0') == ARGV[at + 1] and since + window <= now then
            queue_drop (prefix, id, c[2], c[3], c[1])
            queue_drop (prefix, id, c[2], c[3], 'all')
            redis.call ('ZREM', prefix .. 'timers', id)
            redis.call ('DEL', key)
            deleted = deleted + 1
        else
            kept = kept + 1
        end
    end
end
return {'ok', deleted, kept}
