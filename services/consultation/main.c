/*  civgrid-consultation — community deliberation (议事协商) and the
    四议两公开 procedure, from a topic to its published result.

    It owns topics, their rosters, stages, meetings, ballots, publications
    and tasks (cg:{consultation}:..., journal consultation).  It answers the
    topic commands, the public's reading of what was published (public.c),
    keeps needs and offers (供需对接: needs.c), follows the dispatch journal (hot spots open topics; closed cases close
    tasks, rejected ones make them dead letters), and once a second sends
    waiting tasks to intake (tasks.c) and raises publications past their
    due dates. */
#include "cg_daemon.h"
#include "feed.h"
#include "needs.h"
#include "public.h"
#include "tasks.h"
#include "topics.h"

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("consultation", argc, argv, 0);
    if (!daemon)
        return 1;
    consultation_t *self = consultation_new (daemon);
    needs_t *needs = self ? needs_new (self) : NULL;
    if (!needs || cg_daemon_follow (daemon, "dispatch", feed_on_dispatch, self)) {
        needs_destroy (&needs);
        consultation_destroy (&self);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    cg_server_t *server = daemon->server;
    cg_server_on (server, &cg_cmd_topic_create, topics_on_create, self);
    cg_server_on (server, &cg_cmd_topic_show, topics_on_show, self);
    cg_server_on (server, &cg_cmd_topic_list, topics_on_list, self);
    cg_server_on (server, &cg_cmd_topic_stage, topics_on_stage, self);
    cg_server_on (server, &cg_cmd_topic_meeting, topics_on_meeting, self);
    cg_server_on (server, &cg_cmd_topic_vote, topics_on_vote, self);
    cg_server_on (server, &cg_cmd_topic_tally, topics_on_tally, self);
    cg_server_on (server, &cg_cmd_topic_publish, topics_on_publish, self);
    cg_server_on (server, &cg_cmd_topic_task, topics_on_task, self);
    cg_server_on (server, &cg_cmd_topic_tasks, tasks_on_list, self);
    cg_server_on (server, &cg_cmd_topic_retry, tasks_on_retry, self);
    cg_server_on (server, &cg_cmd_topic_public, public_on_show, self);
    cg_server_on (server, &cg_cmd_topic_public_list, public_on_list, self);
    /*  needs and offers (供需对接, needs.c) */
    cg_server_on (server, &cg_cmd_volunteer_register, needs_on_volunteer, needs);
    cg_server_on (server, &cg_cmd_need_post, needs_on_post, needs);
    cg_server_on (server, &cg_cmd_offer_post, needs_on_offer, needs);
    cg_server_on (server, &cg_cmd_need_show, needs_on_show, needs);
    cg_server_on (server, &cg_cmd_need_list, needs_on_list, needs);
    cg_server_on (server, &cg_cmd_need_propose, needs_on_propose, needs);
    cg_server_on (server, &cg_cmd_need_match, needs_on_match, needs);
    cg_server_on (server, &cg_cmd_match_accept, needs_on_accept, needs);
    cg_server_on (server, &cg_cmd_match_decline, needs_on_decline, needs);
    cg_server_on (server, &cg_cmd_need_confirm, needs_on_confirm, needs);
    cg_server_on (server, &cg_cmd_need_stats, needs_on_stats, needs);
    zloop_timer (daemon->loop, 1000, 0, feed_on_timer, self);
    zloop_timer (daemon->loop, 1000, 0, needs_on_timer, needs);
    int rc = cg_daemon_run (daemon);
    needs_destroy (&needs);
    consultation_destroy (&self);
    cg_daemon_destroy (&daemon);
    return rc;
}
