package FixMyStreet;
# Shim: the little of FixMyStreet's application that its Open311 client
# asks of while talking to a server (configuration, test mode), so that
# the client runs unchanged outside FixMyStreet (fms_client.pl).
use strict;
use warnings;
sub config { return undef }
sub test_mode { return 1 }
sub path_to { return $_[1] }
1;
