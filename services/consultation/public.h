/*  public — what anyone may read of consultation: the published texts of
    a topic (决议公开, 实施结果公开), which never change, and the topics of
    a place that have published something.  Nothing else of a topic (its
    description, rosters, attendance, ballots, tasks) is in these answers,
    so the gateway can serve them without a token. */
#ifndef CONSULTATION_PUBLIC_H_INCLUDED
#define CONSULTATION_PUBLIC_H_INCLUDED

#include "consultation.h"

/*  topic.public (topic.get → topic.public): one topic's published texts;
    not_found until it has published something. */
cg_command_fn public_on_show;

/*  topic.public_list (topic.query → topic.public_page): the topics that
    published something in a node of the org tree (community, town,
    county, city) and below, the latest first published first. */
cg_command_fn public_on_list;

#endif
