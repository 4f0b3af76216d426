package FixMyStreet::Cobrand;
# Shim (see ../FixMyStreet.pm): the client loads it, and asks only the
# cobrand object it is handed for hooks, which here change nothing.
use strict;
use warnings;
sub new { return bless {}, shift }
sub call_hook { return undef }
sub base_url { return 'https://fms.example.cn' }
1;
