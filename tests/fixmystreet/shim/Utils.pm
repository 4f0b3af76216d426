package Utils;
# Shim (see FixMyStreet.pm): FixMyStreet's Utils::truncate_coordinate, as
# it behaves: six decimals, trailing zeros dropped.
use strict;
use warnings;
sub truncate_coordinate {
    my $out = sprintf ('%0.6f', shift);
    $out =~ s{\.?0+\z}{} if $out =~ m{\.};
    return $out;
}
1;
