/*  topic — the CLI's commands on consultation topics (议事协商):

        topic create --title T --scope CODE [--procedure plain|siyi]
                     [--source proposal|hotspot|government] [--description D]
                     [--category C] [--cases ID,ID] [--invite ID:NAME:ROLE,...]
                     [--quorum 2/3] [--approval 1/2] [--secret] [--revote]
        topic show ID | topic list [--scope CODE]
        topic stage ID [STAGE] [--place P]          open the next stage's meeting
        topic meeting ID MEMBER... | --members A,B  register attendance
        topic vote ID MEMBER yes|no|abstain
        topic tally ID [--close]                    count; --close decides
        topic publish ID STAGE --text T
        topic task ID --text T [--category C] [--grid G] [--address A]
        topic tasks [--state dead|pending]          dead letters, or the outbox
        topic retry TID [--category C] [--grid G] [--address A]
        topic public [ID] [--scope CODE]            what anyone may read: a topic's
                                                    published texts, or the topics
                                                    of a place that published

    Each sends one command to civgrid-consultation and prints the answer,
    as text or, with --json, as JSON. */
#include "cli.h"
#include "cg_clock.h"

/*  Splits a comma list given as --NAME into list (up to max items, in
    buf); returns the count, or -1 with a message when there are more. */
static int
s_split (cli_args_t *args, const char *name, char *buf, size_t len, char **list, size_t max)
{
    const char *text = cli_opt (args, name, "");
    if (strlen (text) >= len) {
        fprintf (stderr, "civgrid: --%s is longer than %zu bytes\n", name, len - 1);
        return -1;
    }
    snprintf (buf, len, "%s", text);
    size_t n = 0;
    for (char *item = strtok (buf, ","); item; item = strtok (NULL, ",")) {
        if (n == max) {
            fprintf (stderr, "civgrid: --%s lists more than %zu\n", name, max);
            return -1;
        }
        list[n++] = item;
    }
    return (int) n;
}

/*  "2/3" into num and den; -1 when it is not a share. */
static int
s_share (const char *text, int64_t *num, int64_t *den)
{
    long long a, b;
    if (!text)
        return 0;
    if (sscanf (text, "%lld/%lld", &a, &b) != 2)
        return -1;
    *num = a;
    *den = b;
    return 0;
}

/*  A stage's name as the community says it. */
static const char *
s_stage_zh (const char *name)
{
    static const char *const names[][2] = {
        { "proposal", "提议" }, { "discussion", "商议" }, { "review", "审议" },
        { "resolution", "决议" }, { "consultation", "协商" },
        { "resolution_published", "决议公开" }, { "result_published", "实施结果公开" } };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (streq (name, names[i][0]))
            return names[i][1];
    return "";
}

static void
s_print_stage (const cg_topic_stage_t *s)
{
    printf ("  %lld %-21s %-8s", (long long) s->n, s->name, s->state);
    if (s->body) {
        printf (" %-16s", s->body);
        if (s->quorum && s->approval)
            printf (" quorum %s approval %s", s->quorum, s->approval);
        if (!streq (s->state, "pending"))
            printf (" present %lld/%lld  yes %lld no %lld abstain %lld", (long long) s->attended,
                    (long long) s->expected, (long long) s->yes, (long long) s->no,
                    (long long) s->abstain);
    }
    if (s->decision)
        printf ("  %s", s->decision);
    if (s->due && !s->text) {
        char when[40];
        cg_time_iso (s->due, when, sizeof when);
        printf (" due %s%s", when, s->overdue ? " OVERDUE" : "");
    }
    printf ("  %s\n", s_stage_zh (s->name));
    if (s->place)
        printf ("      at %s\n", s->place);
    if (s->text)
        printf ("      published: %s\n", s->text);
}

static int
s_print_view (cli_args_t *args, cg_topic_view_t *t)
{
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_topic_view_def, t, stdout);
        printf ("\n");
    }
    else {
        printf ("%s  %s  %s\n  %s\n", t->id, t->state, t->procedure, t->title);
        printf ("  scope %s %s; source %s%s%s; %s\n", t->scope, t->scope_name ? t->scope_name : "",
                t->source, t->hotspot ? " " : "", t->hotspot ? t->hotspot : "",
                t->rule ? t->rule : "");
        if (t->cases_count)
            printf ("  %zu cases behind it, from %s\n", t->cases_count, t->cases[0]);
        if (t->description)
            printf ("  %s\n", t->description);
        for (size_t i = 0; i < t->stages_count; i++)
            s_print_stage (&t->stages[i]);
        for (size_t i = 0; i < t->tasks_count; i++)
            printf ("  task %s %-10s %s %s\n", t->tasks[i].id, t->tasks[i].state,
                    t->tasks[i].case_id ? t->tasks[i].case_id : "-", t->tasks[i].text);
    }
    cg_msg_clear (&cg_topic_view_def, t);
    return 0;
}

static int
s_print_tally (cli_args_t *args, cg_topic_tally_t *t)
{
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_topic_tally_def, t, stdout);
        printf ("\n");
    }
    else {
        printf ("%s stage %lld %s: present %lld of %lld (%s), voted %lld: yes %lld, no %lld, "
                "abstain %lld%s%s\n", t->id, (long long) t->n, t->name, (long long) t->attended,
                (long long) t->expected, t->quorum ? "quorum" : "no quorum", (long long) t->voted,
                (long long) t->yes, (long long) t->no, (long long) t->abstain,
                t->decision ? " -> " : "", t->decision ? t->decision : "");
        for (size_t i = 0; i < t->ballots_count; i++)
            printf ("  %s %s\n", t->ballots[i].member, t->ballots[i].choice);
    }
    cg_msg_clear (&cg_topic_tally_def, t);
    return 0;
}

static int
s_create (cli_args_t *args)
{
    static char cases_text[40000], invite_text[40000];
    static char *cases[1000], *invites[CG_ROSTER_MAX];
    static cg_topic_member_t invited[CG_ROSTER_MAX];
    char actor[80];
    int ncases = s_split (args, "cases", cases_text, sizeof cases_text, cases, 1000);
    int n = s_split (args, "invite", invite_text, sizeof invite_text, invites, CG_ROSTER_MAX);
    if (ncases < 0 || n < 0)
        return 1;
    cg_topic_create_t req = {
        .title = (char *) cli_opt (args, "title", NULL),
        .description = (char *) cli_opt (args, "description", NULL),
        .scope = (char *) cli_opt (args, "scope", NULL),
        .source = (char *) cli_opt (args, "source", "proposal"),
        .procedure = (char *) cli_opt (args, "procedure", "plain"),
        .category = (char *) cli_opt (args, "category", NULL),
        .secret = cli_flag (args, "secret"), .revote = cli_flag (args, "revote"),
        .actor = (char *) cli_actor (args, actor, sizeof actor) };
    req.cases_count = ncases;
    req.cases = ncases ? cases : NULL;
    for (int i = 0; i < n; i++) {
        char *name = strchr (invites[i], ':'), *role = name ? strchr (name + 1, ':') : NULL;
        if (name)
            *name++ = 0;
        if (role)
            *role++ = 0;
        invited[i] = (cg_topic_member_t) { .body = "invited", .member = invites[i],
                                           .name = name, .role = role };
    }
    req.invited = n ? invited : NULL;
    req.invited_count = n;
    if (s_share (cli_opt (args, "quorum", NULL), &req.quorum_num, &req.quorum_den)
    ||  s_share (cli_opt (args, "approval", NULL), &req.approval_num, &req.approval_den)) {
        fprintf (stderr, "civgrid: --quorum and --approval are shares, like 2/3\n");
        return 2;
    }
    cg_topic_view_t view;
    if (cli_call (args, &cg_cmd_topic_create, &req, &view))
        return 1;
    return s_print_view (args, &view);
}

static int
s_act (cli_args_t *args, const cg_cmddef_t *command, cg_topic_act_t *req)
{
    char actor[80];
    req->actor = (char *) cli_actor (args, actor, sizeof actor);
    if (command->reply == &cg_topic_tally_def) {
        cg_topic_tally_t rep;
        if (cli_call (args, command, req, &rep))
            return 1;
        return s_print_tally (args, &rep);
    }
    cg_topic_view_t view;
    if (cli_call (args, command, req, &view))
        return 1;
    return s_print_view (args, &view);
}

static int
s_list (cli_args_t *args)
{
    cg_topic_query_t req = { .scope = (char *) cli_opt (args, "scope", NULL),
                             .cursor = (char *) cli_opt (args, "cursor", NULL) };
    if (cli_opt_limit (args, &req.limit))
        return 1;
    cg_topic_page_t page;
    if (cli_call (args, &cg_cmd_topic_list, &req, &page))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_topic_page_def, &page, stdout);
        printf ("\n");
    }
    else {
        printf ("%lld topics\n", (long long) page.total);
        for (size_t i = 0; i < page.topics_count; i++)
            printf ("%s  %-12s %-6s %-12s %s\n", page.topics[i].id, page.topics[i].state,
                    page.topics[i].procedure, page.topics[i].scope, page.topics[i].title);
        cli_print_next (page.next);
    }
    cg_msg_clear (&cg_topic_page_def, &page);
    return 0;
}

static void
s_print_task (const cg_topic_task_t *t)
{
    char when[40] = "";
    if (t->at)
        cg_time_iso (t->at, when, sizeof when);
    printf ("%s  %-10s %s  %s  %s %s  %s\n", t->id, t->state, when, t->case_id ? t->case_id : "-",
            t->category ? t->category : "", t->grid ? t->grid : "", t->text ? t->text : "");
    if (t->error)
        printf ("    %s (tries %lld, round %lld)\n", t->error, (long long) t->tries,
                (long long) t->round);
}

static int
s_tasks (cli_args_t *args)
{
    cg_topic_task_query_t req = { .state = (char *) cli_opt (args, "state", NULL),
                                  .cursor = (char *) cli_opt (args, "cursor", NULL) };
    if (cli_opt_limit (args, &req.limit))
        return 1;
    cg_topic_task_page_t page;
    if (cli_call (args, &cg_cmd_topic_tasks, &req,
                &page))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_topic_task_page_def, &page, stdout);
        printf ("\n");
    }
    else {
        printf ("%lld tasks %s\n", (long long) page.total,
                req.state && streq (req.state, "pending") ? "waiting for intake" : "dead-lettered");
        for (size_t i = 0; i < page.tasks_count; i++)
            s_print_task (&page.tasks[i]);
        cli_print_next (page.next);
    }
    cg_msg_clear (&cg_topic_task_page_def, &page);
    return 0;
}

static int
s_retry (cli_args_t *args, const char *tid)
{
    char actor[80];
    cg_topic_retry_t req = { .task = (char *) tid, .actor = (char *) cli_actor (args, actor,
                                                                               sizeof actor),
                             .category = (char *) cli_opt (args, "category", NULL),
                             .grid = (char *) cli_opt (args, "grid", NULL),
                             .address = (char *) cli_opt (args, "address", NULL) };
    cg_topic_task_t task;
    if (cli_call (args, &cg_cmd_topic_retry, &req, &task))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_topic_task_def, &task, stdout);
        printf ("\n");
    }
    else
        s_print_task (&task);
    cg_msg_clear (&cg_topic_task_def, &task);
    return 0;
}

static void
s_print_public (const cg_topic_public_t *t)
{
    printf ("%s  %s  %s %s\n", t->id, t->title, t->scope, t->scope_name ? t->scope_name : "");
    for (size_t i = 0; i < t->publications_count; i++) {
        char when[40];
        cg_time_iso (t->publications[i].published, when, sizeof when);
        printf ("  %s %s %s\n", t->publications[i].name, s_stage_zh (t->publications[i].name),
                when);
        if (t->publications[i].text)
            printf ("    %s\n", t->publications[i].text);
    }
}

/*  topic public ID: one topic's published texts; topic public [--scope]:
    the topics of a place that published something. */
static int
s_public (cli_args_t *args, const char *id)
{
    bool json = cli_flag (args, "json");
    if (id) {
        cg_topic_get_t req = { .id = (char *) id };
        cg_topic_public_t pub;
        if (cli_call (args, &cg_cmd_topic_public, &req, &pub))
            return 1;
        if (json)
            cg_msg_json (&cg_topic_public_def, &pub, stdout);
        else
            s_print_public (&pub);
        cg_msg_clear (&cg_topic_public_def, &pub);
    }
    else {
        cg_topic_query_t req = { .scope = (char *) cli_opt (args, "scope", NULL),
                                 .cursor = (char *) cli_opt (args, "cursor", NULL) };
        if (cli_opt_limit (args, &req.limit))
            return 1;
        cg_topic_public_page_t page;
        if (cli_call (args, &cg_cmd_topic_public_list, &req, &page))
            return 1;
        if (json)
            cg_msg_json (&cg_topic_public_page_def, &page, stdout);
        else {
            printf ("%lld topics published\n", (long long) page.total);
            for (size_t i = 0; i < page.topics_count; i++)
                s_print_public (&page.topics[i]);
            cli_print_next (page.next);
        }
        cg_msg_clear (&cg_topic_public_page_def, &page);
    }
    if (json)
        printf ("\n");
    return 0;
}

int
cli_topic (cli_args_t *args)
{
    const char *sub = args->nwords > 1 ? args->words[1] : "";
    const char *id = args->nwords > 2 ? args->words[2] : NULL;
    const char *w3 = args->nwords > 3 ? args->words[3] : NULL;
    const char *w4 = args->nwords > 4 ? args->words[4] : NULL;
    cg_topic_act_t req = { .id = (char *) id };
    if (streq (sub, "create"))
        return s_create (args);
    if (streq (sub, "list"))
        return s_list (args);
    if (streq (sub, "tasks"))
        return s_tasks (args);
    if (streq (sub, "public"))
        return s_public (args, id);
    if (!id)
        return 2;
    if (streq (sub, "retry"))
        return s_retry (args, id);
    if (streq (sub, "show")) {
        cg_topic_get_t get = { .id = (char *) id };
        cg_topic_view_t view;
        if (cli_call (args, &cg_cmd_topic_show, &get, &view))
            return 1;
        return s_print_view (args, &view);
    }
    if (streq (sub, "stage")) {
        req.stage = (char *) w3;
        req.place = (char *) cli_opt (args, "place", NULL);
        return s_act (args, &cg_cmd_topic_stage, &req);
    }
    if (streq (sub, "meeting")) {
        static char text[20000];
        static char *members[CG_ROSTER_MAX + 16];
        int n = s_split (args, "members", text, sizeof text, members, CG_ROSTER_MAX);
        if (n < 0)
            return 1;
        req.members = members;
        req.members_count = n;
        for (int i = 3; i < args->nwords; i++)
            members[req.members_count++] = (char *) args->words[i];
        return s_act (args, &cg_cmd_topic_meeting, &req);
    }
    if (streq (sub, "vote") && w4) {
        req.member = (char *) w3;
        req.choice = (char *) w4;
        return s_act (args, &cg_cmd_topic_vote, &req);
    }
    if (streq (sub, "tally")) {
        req.close = cli_flag (args, "close");
        return s_act (args, &cg_cmd_topic_tally, &req);
    }
    if (streq (sub, "publish") && w3) {
        req.stage = (char *) w3;
        req.text = (char *) cli_opt (args, "text", NULL);
        return s_act (args, &cg_cmd_topic_publish, &req);
    }
    if (streq (sub, "task")) {
        req.text = (char *) cli_opt (args, "text", NULL);
        req.category = (char *) cli_opt (args, "category", NULL);
        req.grid = (char *) cli_opt (args, "grid", NULL);
        req.address = (char *) cli_opt (args, "address", NULL);
        return s_act (args, &cg_cmd_topic_task, &req);
    }
    return 2;
}
