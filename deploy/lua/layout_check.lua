-- layout_check: which layout the store is written in (common/cg_layout.h).
-- ARGV: the layout this civgrid writes.  A store that records one answers
-- it; an empty store is this civgrid's and records it now (so that the
-- first daemon to start on it decides, before anything is written); a
-- store with data and no record was written before layouts were recorded:
-- layout 1.
local layout = redis.call ('GET', 'cg:layout')
if layout then
    return tonumber (layout)
end
if redis.call ('DBSIZE') == 0 then
    redis.call ('SET', 'cg:layout', ARGV[1])
    return tonumber (ARGV[1])
end
return 1
