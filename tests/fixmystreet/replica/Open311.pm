package Open311;
# A stand-in for FixMyStreet's own Open311 client (perllib/Open311.pm of
# mysociety/fixmystreet), for machines that do not have it: CI reaches
# neither GitHub nor a Debian package of FixMyStreet.  It is not a copy: it
# is written for civgrid from what that client does on the wire, and keeps
# to exactly that -- the same endpoints (services.xml, services/CODE.xml,
# requests.xml, servicerequestupdates.xml under the endpoint, which ends in
# '/'), the same parameters with its defaults (lat/long always, from
# Utils::truncate_coordinate; the extended description "title, detail,
# url"; jurisdiction_id when set; api_key on POST, and on GET of updates),
# the same form encoding (UTF-8, application/x-www-form-urlencoded), and the
# same parsing of answers (XML::Simple, ForceArray and GroupTags as it sets
# them, KeyAttr none, SuppressEmpty undef).  The driver (fms_client.pl)
# runs the real client instead when FMS_OPEN311_PM names its file.
use strict;
use warnings;
use utf8;
use Encode qw(encode);
use HTTP::Request::Common qw(GET POST);
use LWP::UserAgent;
use URI;
use XML::Simple;
use DateTime::Format::W3CDTF;

my %GROUP_TAGS = (
    services => 'service', attributes => 'attribute', values => 'value',
    service_requests => 'request', errors => 'error',
    service_request_updates => 'request_update', groups => 'group',
);

sub new {
    my ($class, %args) = @_;
    return bless { %args, success => 0, error => '' }, $class;
}

sub success { $_[0]{success} }
sub error { $_[0]{error} }

# As Utils::truncate_coordinate: six decimals, trailing zeros dropped.
sub _coordinate {
    my $out = sprintf ('%0.6f', shift);
    $out =~ s{\.?0+\z}{} if $out =~ m{\.};
    return $out;
}

sub _xml {
    my ($self, $xml) = @_;
    my $parser = XML::Simple->new (ForceArray => [ values %GROUP_TAGS ], KeyAttr => {},
                                   GroupTags => \%GROUP_TAGS, SuppressEmpty => undef);
    return eval { $parser->parse_string ($xml) };
}

sub _call {
    my ($self, $method, $path, $params) = @_;
    $params ||= {};
    my $uri = URI->new ($self->{endpoint});
    $uri->path ($uri->path . $path);
    $params->{jurisdiction_id} = $self->{jurisdiction} if $self->{jurisdiction};
    $params->{api_key} = $self->{api_key} if $method eq 'POST' && $self->{api_key};
    my %encoded = map {
        my $v = $params->{$_};
        ($_ => ref $v eq 'ARRAY' ? [ map { encode ('UTF-8', $_) } @$v ] : encode ('UTF-8', $v))
    } keys %$params;
    my $request;
    if ($method eq 'GET') {
        $uri->query_form (\%encoded);
        $request = GET $uri->as_string;
    } else {
        $request = POST $uri->as_string, \%encoded;
    }
    my $response = LWP::UserAgent->new (timeout => 300)->request ($request);
    if ($response->is_success) {
        $self->{success} = 1;
        return $response->decoded_content;
    }
    $self->{success} = 0;
    my $errors = $self->_xml ($response->decoded_content);
    my $why = '';
    if (ref $errors && exists $errors->{error}) {
        $why .= sprintf ("%s: %s\n", $_->{code} || '???', $_->{description} || 'unknown error')
            for @{ $errors->{error} };
    }
    $self->{error} = sprintf ("request failed: %s\nerror: %s\n", $response->status_line,
                              $why || 'unknown error');
    return;
}

sub get_service_list {
    my $self = shift;
    my $xml = $self->_call (GET => 'services.xml');
    return $xml ? $self->_xml ($xml) : undef;
}

sub get_service_meta_info {
    my ($self, $code) = @_;
    return $self->_xml ($self->_call (GET => "services/$code.xml"));
}

sub split_name {
    my ($self, $name) = @_;
    return ('', '') unless $name;
    my ($first, $last) = ($name =~ /(\S+)(?:\.?\s+(.+))?/);
    return ($first || '', $last || '');
}

sub send_service_request {
    my ($self, $problem, $extra, $service_code) = @_;
    my ($first, $last) = $self->split_name ($problem->name);
    my $params = {
        description => $problem->title . "\n\n" . $problem->detail . "\n\n" . $extra->{url} . "\n",
        service_code => $service_code, first_name => $first, last_name => $last,
        lat => _coordinate ($problem->latitude), long => _coordinate ($problem->longitude),
    };
    $params->{phone} = $problem->phone_waste if $problem->phone_waste;
    $params->{email} = $problem->user->email if $problem->user->email;
    $params->{media_url} = $extra->{image_url} if $extra->{image_url};
    for my $field (@{ $problem->get_extra_fields }) {
        (my $name = $field->{name}) =~ s/fms_extra_//;
        $params->{"attribute[$name]"} = $field->{value};
    }
    my $xml = $self->_call (POST => 'requests.xml', $params) or return 0;
    my $answer = $self->_xml ($xml) or return 0;
    my $id = $answer->{request}->[0]->{service_request_id};
    return $id && !ref $id ? $id : 0;
}

sub get_service_requests {
    my ($self, $args) = @_;
    my $params = { %$args };
    $params->{service_request_id} = join ',', @{ delete $params->{report_ids} }
        if $params->{report_ids};
    my $answer = $self->_xml ($self->_call (GET => 'requests.xml', $params));
    return $answer->{request};
}

sub get_service_request_updates {
    my ($self, $start, $end) = @_;
    my $params = { api_key => $self->{api_key} || '' };
    if ($start || $end) {
        return 0 unless $start && $end;
        $params->{start_date} = $start;
        $params->{end_date} = $end;
    }
    my $answer = $self->_xml ($self->_call (GET => 'servicerequestupdates.xml', $params));
    return $answer->{request_update};
}

sub post_service_request_update {
    my ($self, $comment) = @_;
    my ($first, $last) = $self->split_name ($comment->name || $comment->user->name);
    my $state = $comment->problem_state || $comment->problem->state;
    my $params = {
        updated_datetime => DateTime::Format::W3CDTF->format_datetime (
            $comment->confirmed->set_nanosecond (0)),
        service_request_id => $comment->problem->external_id,
        status => FixMyStreet::DB::Result::Problem->open_states->{$state} ? 'OPEN' : 'CLOSED',
        description => $comment->text, last_name => $last || '-', first_name => $first,
        update_id => $comment->id,
    };
    $params->{phone} = $comment->user->phone if $comment->user->phone;
    $params->{email} = $comment->user->email if $comment->user->email;
    my $xml = $self->_call (POST => 'servicerequestupdates.xml', $params) or return 0;
    my $answer = $self->_xml ($xml) or return 0;
    my $id = $answer->{request_update}->[0]->{update_id};
    return $id && !ref $id ? $id : 0;
}

sub map_state {
    my ($self, $state) = @_;
    $state = lc $state;
    $state =~ s/_/ /g;
    my %map = (fixed => 'fixed - council', 'not councils responsibility' => 'not responsible',
               'no further action' => 'unable to fix', open => 'confirmed',
               closed => 'fixed - council');
    return $map{$state} || $state;
}

1;
