-- lease_renew.lua — the active instance of a daemon renews its lease
-- (cg_daemon.c), so that its standby waits while it lives.  The prelude
-- does the work: it checks the token and renews the lease, or refuses.
return 1
