/*  topics — the commands on topics: raise, show, list, open a stage,
    register attendance, vote, tally and decide, publish, add a task. */
#ifndef CONSULTATION_TOPICS_H_INCLUDED
#define CONSULTATION_TOPICS_H_INCLUDED

#include "consultation.h"

cg_command_fn topics_on_create;
cg_command_fn topics_on_show;
cg_command_fn topics_on_list;
cg_command_fn topics_on_stage;
cg_command_fn topics_on_meeting;
cg_command_fn topics_on_vote;
cg_command_fn topics_on_tally;
cg_command_fn topics_on_publish;
cg_command_fn topics_on_task;

#endif
