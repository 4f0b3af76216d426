package FixMyStreet::App::Model::PhotoSet;
# Shim (see ../../../FixMyStreet.pm): loaded by the client; photos are not
# uploaded in this run (upload_files is off, as by default).
use strict;
use warnings;
1;
