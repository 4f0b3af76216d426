/*  msg_common — messages every daemon speaks.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_COMMON_H_INCLUDED
#define CG_MSG_COMMON_H_INCLUDED

#define CG_FIELDS_refusal(F, M) \
    F(M, STR, code, 1, 1, 32, _, "machine-readable reason: invalid, not_found, conflict, forbidden, unavailable, internal") \
    F(M, STR, field, 0, 0, 64, _, "the field at fault, dotted for nested ones") \
    F(M, STR, message, 1, 1, 192, _, "a sentence a person can act on")

#define CG_FIELDS_ping(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id")

#define CG_FIELDS_pong(F, M) \
    F(M, STR, service, 1, 1, 32, _, "the daemon that answered") \
    F(M, INT, pid, 1, 0, INT32_MAX, _, "its process id") \
    F(M, INT, started, 1, 0, CG_TIME_MAX, _, "when it started") \
    F(M, INT, handled, 0, 0, INT64_MAX, _, "events applied since start")

#define CG_METRIC_COMMANDS_MAX  128     /* commands one daemon serves at most */
#define CG_METRIC_GAUGES_MAX    1024    /* samples of gauges one daemon reports at most */

#define CG_FIELDS_metrics_ask(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id")

#define CG_FIELDS_latency_bucket(F, M) \
    F(M, INT, le_us, 1, 1, INT64_MAX, _, "the bucket's bound, microseconds") \
    F(M, INT, count, 0, 0, INT64_MAX, _, "commands answered within it, since start (cumulative)")

#define CG_FIELDS_command_stat(F, M) \
    F(M, STR, name, 1, 1, 64, _, "the command") \
    F(M, INT, count, 0, 0, INT64_MAX, _, "answered since start") \
    F(M, INT, failed, 0, 0, INT64_MAX, _, "of those, refused or failed") \
    F(M, INT, sum_us, 0, 0, INT64_MAX, _, "their time in the daemon, summed, microseconds") \
    F(M, LIST, buckets, 0, 0, 16, latency_bucket, "the latency histogram")

#define CG_FIELDS_gauge(F, M) \
    F(M, STR, name, 1, 1, 64, _, "the metric, civgrid_...") \
    F(M, STR, labels, 0, 0, 256, _, "its labels as Prometheus writes them: state=\"open\",level=\"town\"") \
    F(M, INT, value, 0, INT64_MIN, INT64_MAX, _, "its value now")

#define CG_FIELDS_metrics(F, M) \
    F(M, STR, service, 1, 1, 32, _, "the daemon that answered") \
    F(M, INT, started, 1, 0, CG_TIME_MAX, _, "when it started") \
    F(M, LIST, commands, 0, 0, CG_METRIC_COMMANDS_MAX, command_stat, "each command it serves") \
    F(M, LIST, gauges, 0, 0, CG_METRIC_GAUGES_MAX, gauge, "what it owns, counted now")

#define CG_PICK_MAX     100     /* a picking list's entries in one answer at most */

#define CG_FIELDS_scope_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "an org node: what lies in its subtree") \
    F(M, INT, limit, 0, 1, CG_PICK_MAX, _, "entries at most (all up to 100 when absent)")

#define CG_MESSAGES_COMMON(M) \
    M(refusal, "error", "reply", CG_FIELDS_refusal, \
      "The answer to a command that was refused.") \
    M(scope_query, "scope.query", "command", CG_FIELDS_scope_query, \
      "A picking list's request: what lies within scope, limit at most (powers.areas, fund.sites).") \
    M(ping, "ping", "command", CG_FIELDS_ping, \
      "Every daemon answers it; `civgrid stack up` waits for it.") \
    M(pong, "pong", "reply", CG_FIELDS_pong, "The answer to ping.") \
    M(metrics_ask, "metrics", "command", CG_FIELDS_metrics_ask, \
      "Every daemon answers it: its commands' counts and latencies, and gauges of what it owns; the gateway's /metrics asks each.") \
    M(latency_bucket, "metrics.bucket", "record", CG_FIELDS_latency_bucket, \
      "One bucket of a command's latency histogram.") \
    M(command_stat, "metrics.command", "record", CG_FIELDS_command_stat, \
      "One command's counters since the daemon started.") \
    M(gauge, "metrics.gauge", "record", CG_FIELDS_gauge, "One sample of a gauge.") \
    M(metrics, "metrics.reply", "reply", CG_FIELDS_metrics, "The answer to metrics.")

#endif
