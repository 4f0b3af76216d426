#!/usr/bin/perl
# fms_client.pl ENDPOINT API_KEY JURISDICTION -- FixMyStreet's Open311
# client against a civgrid gateway, doing what FixMyStreet does with it and
# checking what FixMyStreet itself checks in what comes back:
#
#   services        get_service_list: a list with {service}, each with a
#                   service_code (PopulateServiceList); metadata "true" is
#                   followed by get_service_meta_info, whose {attributes}
#                   must be an array (else the contact is skipped)
#   a report        send_service_request with the client's defaults: lat
#                   and long only (always_send_latlong), the extended
#                   description, the photo as media_url; the answer's
#                   {request}[0]{service_request_id} must be a plain value
#   requests        get_service_requests for the last hour, as
#                   GetServiceRequests::format_args asks: each request needs
#                   service_request_id, lat and long (else it is not
#                   imported), updated_datetime must parse as W3C-DTF and lie
#                   within the hour (compared in UTC, as it does)
#   updates         get_service_request_updates for the last two hours, as
#                   GetServiceRequestUpdates::parse_dates asks: each needs an
#                   update_id, a service_request_id and a W3C-DTF
#                   updated_datetime
#   an update       post_service_request_update of a comment: the answer's
#                   {request_update}[0]{update_id} must be a plain value, and
#                   the update comes back in the list under that id (so
#                   FixMyStreet does not import its own comment again)
#
# The client is FixMyStreet's own perllib/Open311.pm, unchanged, when
# FMS_OPEN311_PM names that file (its FixMyStreet dependencies are the
# shims in shim/); else replica/Open311.pm, which does the same on the wire
# (see its header).  Prints TAP; exits 0 when every check passed.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/shim";
use DateTime;
use DateTime::Format::W3CDTF;
use FixMyStreet;
use FixMyStreet::Cobrand;
use FixMyStreet::DB;

binmode STDOUT, ':encoding(UTF-8)';
my ($endpoint, $api_key, $jurisdiction) = @ARGV;
die "usage: fms_client.pl ENDPOINT API_KEY JURISDICTION\n" unless $jurisdiction;

my $client_file = $ENV{FMS_OPEN311_PM} || "$FindBin::Bin/replica/Open311.pm";
require $client_file;
print "# client: $client_file\n";

my ($count, $failed) = (0, 0);
sub check {
    my ($ok, $what) = @_;
    $count++;
    $failed++ unless $ok;
    print(($ok ? 'ok' : 'not ok') . " $count - $what\n");
    return $ok;
}

# FixMyStreet's rows, as the client reads them.
package FmsRow {
    sub new { my ($class, %fields) = @_; return bless { %fields }, $class }
    our $AUTOLOAD;
    sub AUTOLOAD {
        my $self = shift;
        (my $name = $AUTOLOAD) =~ s/.*:://;
        return if $name eq 'DESTROY';
        $self->{$name} = shift if @_;
        return $self->{$name};
    }
}

my $open311 = Open311->new (endpoint => $endpoint, api_key => $api_key,
                            jurisdiction => $jurisdiction,
                            fixmystreet_body => FixMyStreet::DB::Result::Body->new);
my $w3c = 'DateTime::Format::W3CDTF';

# --- services --------------------------------------------------------------
my $list = $open311->get_service_list;
check ($list && ref $list->{service} eq "ARRAY" && scalar @{ $list->{service} },
       'the service list has services') or print "# " . $open311->error . "\n";
my @services = $list && $list->{service} ? @{ $list->{service} } : ();
my $unnamed = grep { !defined $_->{service_code} || !$_->{service_name} } @services;
check (!$unnamed, 'every service has a service_code and a service_name');
my ($light) = grep { ($_->{service_code} // '') eq 'street_light' } @services;
check ($light && ($light->{metadata} // '') eq 'true', 'street_light is there, with metadata');
my $meta = $open311->get_service_meta_info ('street_light');
check ($meta && ref $meta->{attributes} eq 'ARRAY', 'its definition has a list of attributes');
my $unordered = grep { !defined $_->{code} || ($_->{order} // 0) !~ /^\d+$/ }
                    @{ $meta->{attributes} || [] };
check ($meta && !$unordered, 'each attribute has a code and a numeric order');

# --- a report, with the client's default parameters -------------------------
my $detail = ('小区东门外的路灯连续三晚不亮，' x 20) . "\x{0B}晚上行人摔倒过\x{01}。";
my $problem = FmsRow->new (
    id => 4711, title => '路灯不亮', detail => $detail, name => '王五', phone_waste => undef,
    user => FmsRow->new (email => 'wang.wu@example.cn', name => '王五', phone => undef),
    used_map => 1, latitude => 32.0045, longitude => 120.8515, postcode => '',
    get_extra_fields => [], uprn => undef, cobrand => 'fixmystreet', bodies => {},
    send_fail_count => 0, non_public => 0, photo => undef, cobrand_data => '',
    external_id => undef, state => 'confirmed');
my $extra = { url => 'https://fms.example.cn/report/4711',
              image_url => 'https://fms.example.cn/photo/4711.0.full.jpeg' };
my $id = $open311->send_service_request ($problem, $extra, 'street_light');
check ($id && $id =~ /^CG\d+$/, "the report was taken: " . ($id || $open311->error));
$problem->external_id ($id);

# --- GET requests for the last hour ----------------------------------------
# dispatch routes it a moment after intake took it: wait, up to a minute
for (1 .. 120) {
    my $found = $open311->get_service_requests ({ report_ids => [ $id // '' ] });
    last if $found && @$found;
    select (undef, undef, undef, 0.5);
}
my $now = DateTime->now;
my $args = { start_date => $w3c->format_datetime ($now->clone->add (hours => -1)),
             end_date => $w3c->format_datetime ($now->clone->add (seconds => 5)) };
my $requests = $open311->get_service_requests ({ %$args });
check ($open311->success && ref $requests eq 'ARRAY', 'GET requests parses')
    or print "# " . $open311->error . "\n";
my ($mine) = grep { ($_->{service_request_id} // '') eq ($id // '') } @{ $requests || [] };
check ($mine, 'the report is among the requests of the last hour');
my $importable = 0;
for my $request (@{ $requests || [] }) {
    next unless $request->{service_request_id} && $request->{lat} && $request->{long};
    my $updated = eval { $w3c->parse_datetime ($request->{updated_datetime} || '') };
    next unless $updated;
    my $utc = $w3c->format_datetime ($updated->clone->set_time_zone ('UTC'));
    next if $utc lt $args->{start_date} || $utc gt $args->{end_date};
    next unless eval { $w3c->parse_datetime ($request->{requested_datetime} || '') };
    $importable++;
}
check ($requests && $importable == @$requests,
       "every request has id, lat, long and W3C-DTF times within the hour ($importable)");
check ($mine && $mine->{lat} eq '32.0045' && $mine->{long} eq '120.8515',
       'its lat and long are the ones sent');
check ($mine && ($mine->{address_id} // '') eq '320602001001005',
       'placed by point in polygon on grid 320602001001005');
check ($mine && $open311->map_state ($mine->{status}) eq 'confirmed', 'its status is open');
check ($mine && ($mine->{media_url} // '') eq $extra->{image_url}, 'its media_url is the photo');
check ($mine && index ($mine->{description} // '', "路灯不亮\n\n小区东门外") == 0
       && index ($mine->{description}, "\n晚上行人摔倒过。") > 0,
       'its description is the one sent, without the characters XML forbids');
my $again = $open311->get_service_requests ({ report_ids => [ $id ] });
check ($again && @$again == 1 && $again->[0]{service_request_id} eq $id,
       'GET requests by service_request_id finds it');

# --- servicerequestupdates for the last two hours ---------------------------
my @window = ($w3c->format_datetime ($now->clone->add (hours => -2)),
              $w3c->format_datetime ($now->clone->add (minutes => 1)));
my $updates = $open311->get_service_request_updates (@window);
check ($open311->success && ref $updates eq "ARRAY" && scalar @$updates, "updates parse")
    or print "# " . $open311->error . "\n";
my $unusable = grep { !defined $_->{update_id} || !$_->{service_request_id}
                      || !eval { $w3c->parse_datetime ($_->{updated_datetime} || '') } }
                   @{ $updates || [] };
check (!$unusable, 'every update has update_id, service_request_id and a W3C-DTF time');

# --- posting an update -----------------------------------------------------
my $comment = FmsRow->new (
    id => 9001, name => '王五', text => '今晚还是不亮，请尽快修理。',
    user => FmsRow->new (email => 'wang.wu@example.cn', name => '王五', phone => undef),
    problem_state => 'confirmed', problem => $problem, extra => undef, photo => undef,
    mark_open => 0, cobrand_data => '',
    confirmed => DateTime->now (time_zone => 'Asia/Shanghai'),
    get_extra_metadata => {}, get_cobrand_logged => FixMyStreet::Cobrand->new);
my $update_id = $open311->post_service_request_update ($comment);
check ($update_id && $update_id =~ /^\Q$id\E-\d+$/,
       'the update was taken: ' . ($update_id || $open311->error));
$updates = $open311->get_service_request_updates (
    $window[0], $w3c->format_datetime (DateTime->now->add (minutes => 1)));
my @own = grep { ($_->{update_id} // '') eq ($update_id // '-') } @{ $updates || [] };
check (@own == 1 && index ($own[0]{description} // '', '今晚还是不亮') >= 0,
       'it comes back once under its update_id');

print "1..$count\n";
exit ($failed ? 1 : 0);
