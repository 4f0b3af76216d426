package FixMyStreet::ImageMagick;
# Shim (see ../FixMyStreet.pm): loaded by the client; used only to shrink
# fetched photos, which this run does not fetch.
use strict;
use warnings;
1;
