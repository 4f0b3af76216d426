-- archive_announce: the archive tells the owners of a case that it holds
-- the case durably (case.archived), after its SQLite transaction committed.
-- The archive numbers its announcements in SQLite, in the transaction that
-- archives the case, and the journal's sequence numbers are the same
-- numbers: so an announcement is appended once whatever happens between
-- the commit and this call (a kill -9, Redis away), because the archive
-- sends again, from its own numbering, only what lies beyond the journal's
-- head, and a head that is not where it expects changes nothing.
-- ARGV: prefix, expected head (the seq before the first body), then bodies.
-- Answers {'ok', seq...} or {'moved', head}.
local prefix = ARGV[1]
local head = tonumber (redis.call ('GET', prefix .. 'seq') or '0')
if head ~= tonumber (ARGV[2]) then
    return {'moved', head}
end
local answer = {'ok'}
for i = 3, #ARGV do
    answer[#answer + 1] = journal_append (prefix, 'case.archived', ARGV[i])
end
return answer
