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
    cg_server_on (server, "topic.create", &cg_topic_create_def, topics_on_create, self);
    cg_server_on (server, "topic.show", &cg_topic_get_def, topics_on_show, self);
    cg_server_on (server, "topic.list", &cg_topic_query_def, topics_on_list, self);
    cg_server_on (server, "topic.stage", &cg_topic_act_def, topics_on_stage, self);
    cg_server_on (server, "topic.meeting", &cg_topic_act_def, topics_on_meeting, self);
    cg_server_on (server, "topic.vote", &cg_topic_act_def, topics_on_vote, self);
    cg_server_on (server, "topic.tally", &cg_topic_act_def, topics_on_tally, self);
    cg_server_on (server, "topic.publish", &cg_topic_act_def, topics_on_publish, self);
    cg_server_on (server, "topic.task", &cg_topic_act_def, topics_on_task, self);
    cg_server_on (server, "topic.tasks", &cg_topic_task_query_def, tasks_on_list, self);
    cg_server_on (server, "topic.retry", &cg_topic_retry_def, tasks_on_retry, self);
    cg_server_on (server, "topic.public", &cg_topic_get_def, public_on_show, self);
    cg_server_on (server, "topic.public_list", &cg_topic_query_def, public_on_list, self);
    /*  needs and offers (供需对接, needs.c) */
    cg_server_on (server, "volunteer.register", &cg_volunteer_def, needs_on_volunteer, needs);
    cg_server_on (server, "need.post", &cg_need_post_def, needs_on_post, needs);
    cg_server_on (server, "offer.post", &cg_need_post_def, needs_on_offer, needs);
    cg_server_on (server, "need.show", &cg_need_act_def, needs_on_show, needs);
    cg_server_on (server, "need.list", &cg_need_query_def, needs_on_list, needs);
    cg_server_on (server, "need.propose", &cg_need_act_def, needs_on_propose, needs);
    cg_server_on (server, "need.match", &cg_need_act_def, needs_on_match, needs);
    cg_server_on (server, "match.accept", &cg_need_act_def, needs_on_accept, needs);
    cg_server_on (server, "match.decline", &cg_need_act_def, needs_on_decline, needs);
    cg_server_on (server, "need.confirm", &cg_need_act_def, needs_on_confirm, needs);
    cg_server_on (server, "need.stats", &cg_need_query_def, needs_on_stats, needs);
    zloop_timer (daemon->loop, 1000, 0, feed_on_timer, self);
    zloop_timer (daemon->loop, 1000, 0, needs_on_timer, needs);
    int rc = cg_daemon_run (daemon);
    needs_destroy (&needs);
    consultation_destroy (&self);
    cg_daemon_destroy (&daemon);
    return rc;
}
