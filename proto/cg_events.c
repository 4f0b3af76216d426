/*  cg_events — see cg_events.h.  One line per topic. */
#include "cg_events.h"

#include <string.h>

const cg_event_kind_t cg_event_kinds[] = {
    { "case.received", "intake", &cg_case_received_def },
    { "case.dispatched", "dispatch", &cg_case_dispatched_def },
    { "case.accepted", "dispatch", &cg_case_changed_def },
    { "case.returned", "dispatch", &cg_case_changed_def },
    { "case.return_refused", "dispatch", &cg_case_changed_def },
    { "case.extension_requested", "dispatch", &cg_case_changed_def },
    { "case.extended", "dispatch", &cg_case_changed_def },
    { "case.extension_refused", "dispatch", &cg_case_changed_def },
    { "case.suspended", "dispatch", &cg_case_changed_def },
    { "case.resumed", "dispatch", &cg_case_changed_def },
    { "case.resolved", "dispatch", &cg_case_changed_def },
    { "case.closed", "dispatch", &cg_case_changed_def },
    { "case.merged", "dispatch", &cg_case_changed_def },
    { "case.rejected", "dispatch", &cg_case_changed_def },
    { "case.cancelled", "dispatch", &cg_case_changed_def },
    { "case.noted", "dispatch", &cg_case_changed_def },
    { "case.warning", "dispatch", &cg_case_alert_def },
    { "case.overdue", "dispatch", &cg_case_alert_def },
    { "case.escalated", "dispatch", &cg_case_escalated_def },
    { "hotspot.detected", "dispatch", &cg_hotspot_detected_def },
    { "topic.created", "consultation", &cg_topic_event_def },
    { "topic.stage_opened", "consultation", &cg_topic_event_def },
    { "topic.attended", "consultation", &cg_topic_event_def },
    { "topic.voted", "consultation", &cg_topic_event_def },
    { "topic.decided", "consultation", &cg_topic_event_def },
    { "topic.published", "consultation", &cg_topic_event_def },
    { "topic.publication_overdue", "consultation", &cg_topic_event_def },
    { "topic.task", "consultation", &cg_topic_task_def },
    { "volunteer.registered", "consultation", &cg_volunteer_view_def },
    { "need.posted", "consultation", &cg_need_event_def },
    { "offer.posted", "consultation", &cg_need_event_def },
    { "need.matched", "consultation", &cg_need_event_def },
    { "match.accepted", "consultation", &cg_need_match_def },
    { "match.declined", "consultation", &cg_need_match_def },
    { "need.expired", "consultation", &cg_need_event_def },
    { "need.served", "consultation", &cg_need_served_def },
    { "fund.approval_requested", "fund", &cg_fund_approval_requested_def },
    { "fund.approved", "fund", &cg_fund_decided_def },
    { "fund.rejected", "fund", &cg_fund_decided_def },
    { "fund.expired", "fund", &cg_fund_decided_def },
    { "fund.donated", "fund", &cg_fund_donated_def },
    { "fund.report_overdue", "fund", &cg_fund_report_overdue_def },
    { "case.archived", "archive", &cg_case_archived_def },
    { "record.resealed", "intake", &cg_record_resealed_def },
    { "notify.failed", "notification", &cg_notify_failed_def },
    { "notify.acked", "notification", &cg_notify_cleared_def },
    { "notify.retried", "notification", &cg_notify_cleared_def },
    /*  last, so that a lookup by topic alone finds dispatch's case.merged */
    { "case.merged", "intake", &cg_case_merged_def },
    { "case.withdrawn", "intake", &cg_case_withdrawn_def },
};
const size_t cg_event_kinds_count = sizeof cg_event_kinds / sizeof cg_event_kinds[0];

const cg_event_kind_t *
cg_event_kind_find (const char *journal, const char *topic)
{
    for (size_t i = 0; i < cg_event_kinds_count; i++)
        if (strcmp (cg_event_kinds[i].topic, topic) == 0
        &&  (!journal || strcmp (cg_event_kinds[i].journal, journal) == 0))
            return &cg_event_kinds[i];
    return NULL;
}
