/*  cg_commands — the one definition of every civgrid command: its name on
    the wire, the daemon that owns (serves) it, the message it takes and
    the message it answers with.

    Messages say what travels; this table says who answers what.  Each
    daemon registers its handlers by these definitions (cg_server_on), and
    every client (the gateway's routes, the CLI, another daemon, the tests)
    sends by them (cg_client_call): the owner names the daemon whose
    endpoint it goes to, and the request and reply definitions cannot
    disagree between the two ends.  `civgrid messages` lists them in
    docs/MESSAGES.md.

        C(ident, "wire.name", "owner", request, reply, "doc")

    defines cg_cmd_<ident>.  request and reply are message idents of
    cg_messages.h.  The owner "*" is every daemon (ping, metrics).  A wire
    name may be served by two daemons (case.show: dispatch, and the
    archive for cases dispatch no longer has); each is a row of its own.

    Dispatch's actions (accept, return, ...) are commands too: one each,
    case.<name>, made from the table of actions (cg_case_actions.h), so
    that a new action is a command without another line here.
*/
#ifndef CG_COMMANDS_H_INCLUDED
#define CG_COMMANDS_H_INCLUDED

#include "cg_msg.h"
#include "cg_case_actions.h"

#include <stdio.h>

#define CG_OWNER_ANY    "*"

typedef struct {
    const char *name;               /* on the wire */
    const char *owner;              /* the daemon that serves it, or CG_OWNER_ANY */
    const cg_msgdef_t *request;
    const cg_msgdef_t *reply;
    const char *doc;
} cg_cmddef_t;

#define CG_COMMANDS(C) \
    C (ping, "ping", CG_OWNER_ANY, ping, pong, \
       "Is the daemon serving? How long, and how much it has handled.") \
    C (metrics, "metrics", CG_OWNER_ANY, metrics_ask, metrics, \
       "Each command's counts and latency, and the daemon's gauges.") \
    /* intake */ \
    C (case_submit, "case.submit", "intake", case_submit, case_submitted, \
       "A request from any channel: a new case, or a supporter of an open one.") \
    C (hotline_order, "hotline.order", "intake", hotline_order, case_submitted, \
       "A 12345 hotline order (工单).") \
    C (grid_report, "grid.report", "intake", grid_report, case_submitted, \
       "A grid worker's report (网格员上报).") \
    C (open311_request, "open311.request", "intake", open311_request, case_submitted, \
       "An Open311 service request.") \
    C (device_alarm, "device.alarm", "intake", device_alarm, device_answer, \
       "A device's alarm (SOS, fall, ...).") \
    C (device_cancel, "device.cancel", "intake", device_cancel, case_submitted, \
       "A device's alarm called off by its vendor.") \
    C (intake_show, "intake.show", "intake", intake_get, intake_view, \
       "What intake holds of a case: its reporter, unmasked only to some roles.") \
    C (caller_fingerprint, "caller.fingerprint", "intake", caller_fingerprint, caller_print, \
       "A phone's fingerprint, for searching the archive without the phone.") \
    C (powers_list, "powers.list", "intake", power_query, power_page, \
       "A village's list of small and micro powers (小微权力清单), with each one's reports.") \
    C (powers_areas, "powers.areas", "intake", scope_query, power_areas, \
       "The villages and communities within a scope that have a list of powers.") \
    C (powers_show, "powers.show", "intake", power_query, power_view, \
       "One power: its steps, time limit and legal basis.") \
    C (power_report, "power.report", "intake", power_report, case_submitted, \
       "A report of a power's misuse (码上监督): a supervision case, and its receipt.") \
    C (powers_reload, "data.reload", "intake", data_reload, powers_loaded, \
       "Reads the lists of powers anew (data/powers); a newer version supersedes.") \
    C (receipt_check, "receipt.check", "intake", receipt_check, receipt_case, \
       "The case a report's receipt names, if intake gave it.") \
    /* dispatch */ \
    C (case_show, "case.show", "dispatch", case_get, case_view, "One case with its timeline.") \
    C (case_list, "case.list", "dispatch", case_query, case_page, "A page of a queue of cases.") \
    C (case_views, "case.views", "dispatch", case_query, case_views, \
       "A page of whole cases (without timelines).") \
    C (case_stats, "case.stats", "dispatch", stats_query, stats_report, \
       "Statistics of a subtree over days, weeks or months.") \
    C (data_reload, "data.reload", "dispatch", data_reload, data_loaded, \
       "Reads the org tree, categories and calendar anew.") \
    /* notification */ \
    C (inbox_list, "inbox.list", "notification", inbox_query, inbox_page, \
       "A page of a unit's inbox.") \
    C (notify_rules, "notify.rules", "notification", notify_rules, notify_rulebook, \
       "The rules that say who is told of what.") \
    C (notify_test, "notify.test", "notification", notify_test, notify_state, \
       "Sends a test notice through a channel.") \
    C (notify_log, "notify.log", "notification", notify_query, notify_log, \
       "Delivery attempts.") \
    C (notify_deadletter, "notify.deadletter", "notification", notify_query, notify_deadpage, \
       "Notices given up on.") \
    C (notify_retry, "notify.retry", "notification", notify_act, notify_state, \
       "Sends a dead-lettered notice again.") \
    C (notify_ack, "notify.ack", "notification", notify_act, notify_state, \
       "Acknowledges a notice, which ends its escalation.") \
    C (notify_ack_case, "notify.ack_case", "notification", notify_ack_case, notify_acks, \
       "Acknowledges every urgent notice about a case still awaiting it.") \
    C (notify_ack_list, "notify.ack_list", "notification", notify_ack_query, notify_ack_page, \
       "A page of an org node's acknowledgements: pending, or settled with who and when.") \
    C (sms_asked, "sms.asked", "notification", sms_asked, sms_case, \
       "Which case an SMS answer is about.") \
    /* consultation */ \
    C (topic_create, "topic.create", "consultation", topic_create, topic_view, \
       "A new topic for consultation (议题).") \
    C (topic_show, "topic.show", "consultation", topic_get, topic_view, "One topic.") \
    C (topic_list, "topic.list", "consultation", topic_query, topic_page, "A page of topics.") \
    C (topic_stage, "topic.stage", "consultation", topic_act, topic_view, \
       "Moves a topic to its next stage.") \
    C (topic_meeting, "topic.meeting", "consultation", topic_act, topic_tally, \
       "Records a meeting's attendance.") \
    C (topic_vote, "topic.vote", "consultation", topic_act, topic_tally, "A party's ballot.") \
    C (topic_tally, "topic.tally", "consultation", topic_act, topic_tally, \
       "Counts the ballots.") \
    C (topic_publish, "topic.publish", "consultation", topic_act, topic_view, \
       "Publishes a decision or its result (公开).") \
    C (topic_task, "topic.task", "consultation", topic_act, topic_view, \
       "Turns a decision into a case.") \
    C (topic_tasks, "topic.tasks", "consultation", topic_task_query, topic_task_page, \
       "A page of decisions' tasks.") \
    C (topic_retry, "topic.retry", "consultation", topic_retry, topic_task, \
       "Submits a task's case again.") \
    C (topic_public, "topic.public", "consultation", topic_get, topic_public, \
       "A topic as the public sees it.") \
    C (topic_public_list, "topic.public_list", "consultation", topic_query, \
       topic_public_page, "A page of published topics.") \
    /* consultation: needs and offers (供需对接, msg_needs.h) */ \
    C (volunteer_register, "volunteer.register", "consultation", volunteer, volunteer_view, \
       "Registers a volunteer (志愿者), or again.") \
    C (need_post, "need.post", "consultation", need_post, need_view, \
       "A resident's need (需求); the answer alone carries its confirmation code.") \
    C (offer_post, "offer.post", "consultation", need_post, need_view, \
       "A volunteer's or donor's offer (供给).") \
    C (need_show, "need.show", "consultation", need_act, need_view, "One need or offer.") \
    C (need_list, "need.list", "consultation", need_query, need_page, "A page of needs.") \
    C (need_propose, "need.propose", "consultation", need_act, need_proposals, \
       "The offers that suit a need, best first.") \
    C (need_match, "need.match", "consultation", need_act, need_match, \
       "Proposes an offer to a need.") \
    C (match_accept, "match.accept", "consultation", need_act, need_match, \
       "One side accepts a match.") \
    C (match_decline, "match.decline", "consultation", need_act, need_match, \
       "One side declines a match not yet accepted by both.") \
    C (need_confirm, "need.confirm", "consultation", need_act, need_match, \
       "The person served confirms the service; the time bank credits it.") \
    C (need_stats, "need.stats", "consultation", need_query, need_stats, \
       "A community's month of needs and offers (志愿服务统计和发布), public.") \
    /* fund */ \
    C (fund_account, "fund.account", "fund", fund_account_create, fund_results, \
       "Opens accounts.") \
    C (fund_transfer, "fund.transfer", "fund", fund_transfer_batch, fund_results, \
       "Transfers, each all or nothing.") \
    C (fund_balance, "fund.balance", "fund", fund_get, fund_account, "An account's balance.") \
    C (fund_statement, "fund.statement", "fund", fund_get, fund_statement, \
       "An account's entries.") \
    C (fund_verify, "fund.verify", "fund", fund_get, fund_verified, \
       "Checks the ledger's hash chain.") \
    C (fund_donate, "fund.donate", "fund", fund_donate, fund_receipt, "A donation.") \
    C (fund_request, "fund.request", "fund", fund_request, fund_request_view, \
       "A request for money or time credits.") \
    C (fund_approve, "fund.approve", "fund", fund_decide, fund_request_view, \
       "A committee member's approval.") \
    C (fund_reject, "fund.reject", "fund", fund_decide, fund_request_view, \
       "A committee member's rejection.") \
    C (fund_show, "fund.show", "fund", fund_get, fund_request_view, "One request.") \
    C (fund_requests, "fund.requests", "fund", fund_requests_query, fund_requests_page, \
       "A fund's requests, newest first, a page at a time (the pending ones await approval).") \
    C (fund_report, "fund.report", "fund", fund_get, fund_report, "A month's report.") \
    C (fund_publish, "fund.publish", "fund", fund_get, fund_report, \
       "Publishes a month's report.") \
    C (fund_goods_in, "fund.goods_in", "fund", fund_goods, fund_goods_receipt, \
       "A donation in kind at a charity site (捐赠实物).") \
    C (fund_goods_out, "fund.goods_out", "fund", fund_goods, fund_goods_receipt, \
       "A hand-out of goods to a family in need (发放).") \
    C (fund_goods_move, "fund.goods_move", "fund", fund_goods, fund_goods_receipt, \
       "Goods passed to another site (调剂).") \
    C (fund_stock, "fund.stock", "fund", fund_get, fund_stock, "What a charity site holds.") \
    C (fund_sites, "fund.sites", "fund", scope_query, fund_sites, \
       "The charity sites within a scope (its communities' 慈善小屋 and 慈善超市).") \
    C (fund_redeem, "fund.redeem", "fund", fund_redeem, fund_goods_receipt, \
       "A resident redeems points at a site for goods (积分兑换).") \
    C (fund_points, "fund.points", "fund", fund_get, fund_points, \
       "A resident's points: balance and history.") \
    /* archive */ \
    C (archive_case_show, "case.show", "archive", case_get, case_view, \
       "A case that has left dispatch.") \
    C (case_search, "case.search", "archive", case_search, case_found, \
       "A page of a search of the archive.") \
    C (audit_search, "audit.search", "archive", audit_search, audit_found, \
       "A page of the audit log the archive keeps.") \
    C (archive_sealed, "archive.sealed", "archive", archive_sealed_ask, archive_sealed, \
       "Archived rows still sealed under an old version of the key, a page at a time (intake).") \
    C (archive_reseal, "archive.reseal", "archive", archive_reseal, archive_resealed, \
       "An archived row's intake hash sealed again, replaced only if unchanged (intake).") \
    C (archive_record, "archive.record", "archive", archive_record_ask, archive_sealed_row, \
       "An archived case's intake hash as it is, still sealed, for intake to open (intake.show).")

#define CG_CMD_DECL(ident, wire, owner, req, rep, doc) extern const cg_cmddef_t cg_cmd_##ident;
CG_COMMANDS (CG_CMD_DECL)
#undef CG_CMD_DECL

/*  cg_cmd_case_<action>: case.<action>, dispatch's, case.act -> case.view */
#define CG_CMD_ACTION_DECL(ID, name, from, to, topic, actors, zh) \
    extern const cg_cmddef_t cg_cmd_case_##name;
CG_CASE_ACTIONS (CG_CMD_ACTION_DECL)
#undef CG_CMD_ACTION_DECL

/*  Every command, the table's rows then the actions', for lookup and for
    the reference. */
extern const cg_cmddef_t *const cg_cmddefs[];
extern const size_t cg_cmddefs_count;

/*  The command of that name served by owner (NULL: the first of that
    name), or NULL. */
const cg_cmddef_t *cg_cmddef_find (const char *name, const char *owner);

/*  The command of dispatch's action (cg_case_actions.h). */
const cg_cmddef_t *cg_cmddef_of_action (const cg_case_action_t *action);

/*  Writes the table as Markdown, for docs/MESSAGES.md. */
void cg_cmd_document (FILE *out);

#endif
