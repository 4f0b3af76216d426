-- fund_overdue: a month's report is past its due date unpublished; raise
-- fund.report_overdue once.  ARGV: prefix, "fund:month", event body.
-- Answers the journal seq, or 0 when it was published or already raised.
local prefix, key, body = ARGV[1], ARGV[2], ARGV[3]
if redis.call ('HEXISTS', prefix .. 'published', key) == 1 then
    return 0
end
if redis.call ('HSETNX', prefix .. 'overdue', key, 1) == 0 then
    return 0
end
return journal_append (prefix, 'fund.report_overdue', body)
