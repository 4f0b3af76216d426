-- cursor_advance: a batch of events held nothing for this consumer; move
-- its cursor past them.  KEYS[1] cursor; ARGV expected, new.
local ok, cur = cursor_advance (KEYS[1], ARGV[1], ARGV[2])
if not ok then return {'moved', cur} end
return {'ok', 0}
