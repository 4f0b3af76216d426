package FixMyStreet::DB;
# Shim (see ../FixMyStreet.pm): FixMyStreet's database, of which the client
# needs the classes of a body (its fixmystreet_body) and of a problem (which
# states are open); fms_client.pl makes the rows it sends.
use strict;
use warnings;

package FixMyStreet::DB::Result::Body;
sub new { return bless {}, shift }
sub get_cobrand_handler { return FixMyStreet::Cobrand->new }

package FixMyStreet::DB::Result::Problem;
my %OPEN = map { $_ => 1 } ('confirmed', 'investigating', 'in progress', 'action scheduled',
                             'planned', 'for triage');
sub open_states { return { %OPEN } }
sub fixed_states { return { 'fixed' => 1, 'fixed - council' => 1, 'fixed - user' => 1 } }

1;
