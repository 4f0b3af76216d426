-- lease_release.lua — an active instance that stops lets go of its lease
-- (cg_daemon.c), so that a standby takes over at once rather than when the
-- lease lapses.  The prelude has checked (and renewed) it: this instance
-- holds it.  ARGV: the lease key.
redis.call ('DEL', ARGV[1])
return 1
