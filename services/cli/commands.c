/*  commands — the CLI's one table of commands: for each, the words that
    name it, its handler, what it takes and does (its usage), and the
    options it accepts, each with what it takes and what it means.

    The same table serves the parser and the help text, so they cannot
    drift: main.c finds the command by its first word, the parser takes
    as flags (no value) exactly the options the tables list without one,
    an option the command does not list is an error naming it (a typo
    such as `case list --stat accepted` no longer lists everything), and
    `civgrid COMMAND --help` (or `civgrid help COMMAND`) prints the
    command's usage and options from here.  Every command takes --dir DIR
    (the stack, default var/), --json and --help besides its own. */
#include "cli.h"
#include "cg_case_actions.h"

typedef struct {
    const char *name;           /* without the leading -- */
    const char *value;          /* what it takes ("N", "ID"); NULL: a flag */
    const char *help;
} s_option_t;

typedef struct {
    const char *names;          /* the first words that name it, space-separated;
                                   NULL: every action of dispatch's table that no
                                   other row names (proto/cg_case_actions.h) */
    int (*fn) (cli_args_t *args);
    const char *usage;          /* what follows the name, one form a line */
    const char *summary;
    const s_option_t *options;  /* ends with { NULL } */
    const s_option_t *more;     /* a group's options it shares, or NULL */
} s_command_t;

static int s_messages (cli_args_t *args);
static int s_help (cli_args_t *args);

static const s_option_t s_common[] = {
    { "dir", "DIR", "the stack's folder (default var/)" },
    { "json", NULL, "print the answer as JSON" },
    { "help", NULL, "print this help" },
    { "key", "FILE", "act with this key (civgrid key add) instead of the stack's admin" },
    { NULL }
};

static const s_option_t s_stack_opts[] = {
    { "port-base", "N|auto", "up: the first of the stack's ports (default 7400)" },
    { "foreground", NULL, "up: stay in the foreground and restart what dies" },
    { "demo", NULL, "up: load the demo region's people, tokens and funds" },
    { "replicas", "N", "up: N Redis replicas; each answer waits for them (WAIT)" },
    { "sentinels", "N", "up: N Redis Sentinels, which fail over to a replica" },
    { "set", "PATH=VALUE", "up: a configuration value, e.g. clock/test=1 (repeatable)" },
    { NULL }
};

static const s_option_t s_submit_opts[] = {
    { "source", "S", "who it comes from: operator (default), hotline, grid, device, ..." },
    { "category", "C", "the category's code (civgrid case list shows them)" },
    { "text", "T", "what the request says" },
    { "grid", "G", "the grid's code" },
    { "address", "A", "the address, when the grid is not known" },
    { "lat", "DEG", "latitude (WGS-84, with --lon): places it when no grid is given" },
    { "lon", "DEG", "longitude (WGS-84)" },
    { "ext-ref", "R", "the source's own reference (a retry with it is one case)" },
    { "name", "N", "the reporter's name (sealed at rest)" },
    { "phone", "P", "the reporter's phone (sealed at rest)" },
    { NULL }
};

static const s_option_t s_hotline_opts[] = {
    { "order-no", "N", "the 12345 order number" },
    { "call-time", "ISO", "when the call came (default: now on the stack's clock)" },
    { "class", "C", "投诉, 举报, 求助, 咨询 or 建议" },
    { "category", "C", "the category's code, when the hotline knows it" },
    { "content", "T", "what the caller said" },
    { "address", "A", "the address" },
    { "area", "CODE", "the area code of the county" },
    { "urgency", "urgent", "urgent orders get the same-day limits" },
    { "time-limit", "ISO", "the hotline's own deadline" },
    { "name", "N", "the caller's name" },
    { "phone", "P", "the caller's phone" },
    { NULL }
};

static const s_option_t s_alarm_opts[] = {
    { "device", "D", "the device's id in the registry" },
    { "alarm-id", "A", "the vendor's alarm id" },
    { "type", "T", "sos (default), fall, inactivity or vital" },
    { "at", "ISO", "when it went off (default: now on the stack's clock)" },
    { "lat", "DEG", "latitude" },
    { "lon", "DEG", "longitude" },
    { "detail", "T", "what the device says" },
    { NULL }
};

static const s_option_t s_intake_opts[] = {
    { "role", "R", "who asks: the phone and name are shown unmasked to some roles" },
    { NULL }
};

static const s_option_t s_case_opts[] = {
    { "state", "S", "list: the cases in this state (default all)" },
    { "center", "C", "list: a center's cases" },
    { "unit", "U", "list: a unit's cases" },
    { "cursor", "C", "list: go on from a page's last line, next: C" },
    { "limit", "N", "list: at most N a page (default 50, at most 200)" },
    { "newest", NULL, "list: the queue's order reversed (all: the newest first)" },
    { NULL }
};

static const s_option_t s_inbox_opts[] = {
    { "cursor", "C", "go on from a page's last line, next: C" },
    { "limit", "N", "at most N a page (default 50, at most 150)" },
    { NULL }
};

static const s_option_t s_acks_opts[] = {
    { "org", "CODE", "the org node: its acknowledgements and those of the nodes below it" },
    { "state", "S", "pending (the default: soonest due first) or settled (newest first)" },
    { "cursor", "C", "go on from a page's last line, next: C" },
    { "limit", "N", "at most N a page (default 50, at most 100)" },
    { NULL }
};

static const s_option_t s_act_opts[] = {
    { "actor", "ROLE:SCOPE[:NAME]", "who acts (default operator:$USER, the whole tree)" },
    { "note", "WHY", "why, for the timeline" },
    { NULL }
};
static const s_option_t s_resolve_opts[] = {
    { "result", "TEXT", "what was done" }, { NULL }
};
static const s_option_t s_unit_opts[] = {
    { "unit", "U", "the unit it goes to" }, { NULL }
};
static const s_option_t s_extend_opts[] = {
    { "minutes", "N", "the working minutes asked for" }, { NULL }
};
static const s_option_t s_callback_opts[] = {
    { "satisfaction", "LEVEL", "the citizen's rating (回访): 满意, 基本满意, 不满意, or 1, 2, 3" },
    { "satisfied", "yes|no", "the older form: 满意 or 不满意" }, { NULL }
};
static const s_option_t s_merge_opts[] = {
    { "into", "ID", "the case it joins" }, { NULL }
};

static const s_option_t s_stats_opts[] = {
    { "scope", "CODE", "the subtree" },
    { "from", "YYYY-MM-DD", "the first day" },
    { "to", "YYYY-MM-DD", "the last day" },
    { "by", "hour|day|week|month", "rows by hour (up to 7 days), day, week or month (up to ten years)" },
    { NULL }
};

static const s_option_t s_search_opts[] = {
    { "scope", "CODE", "only cases whose center, unit or grid lies in this subtree" },
    { "q", "TEXT", "any 2 to 64 characters of the request's text or address" },
    { "phone", "P", "the caller's phone (intake answers its fingerprint; the archive never sees it)" },
    { "ext-ref", "R", "the source's reference (the hotline's order number)" },
    { "id", "ID", "the case" },
    { "grid", "G", "the grid" },
    { "community", "C", "the community" },
    { "unit", "U", "the responsible unit" },
    { "category", "C", "the category" },
    { "state", "S", "the state" },
    { "from", "DATE", "received on or after (YYYY-MM-DD, China time, or an ISO time)" },
    { "to", "DATE", "received on or before (YYYY-MM-DD: that day included)" },
    { "cursor", "C", "where the page starts: what the page before printed" },
    { "limit", "N", "cases a page (default 20, at most 100)" },
    { NULL }
};
static const s_option_t s_export_opts[] = {
    { "format", "csv", "the format: csv (UTF-8 with a BOM, for Excel)" }, { NULL }
};

static const s_option_t s_need_opts[] = {
    { "actor", "WHO", "who acts" },
    { "community", "CODE", "post, offer, list, stats: the community or village" },
    { "kind", "service|goods", "post, offer: a volunteer's time, or charity in kind" },
    { "skill", "S", "post, offer: the skill (service) or the item (goods)" },
    { "what", "T", "post, offer: what is needed or offered" },
    { "from", "TIME", "post, offer: from when (ISO 8601, or a day)" },
    { "until", "TIME", "post, offer: until when; a need unmatched after it goes to the "
      "community's operators" },
    { "urgency", "normal|urgent", "post: how urgent" },
    { "poster", "community|organisation|operator", "post: who posts it" },
    { "person", "ID", "post: the person served; confirm: who confirms (they alone)" },
    { "name", "N", "post: the person's name (sealed)" },
    { "phone", "P", "post: the person's phone (sealed)" },
    { "address", "A", "post: where (sealed)" },
    { "volunteer", "ID", "offer: the registered volunteer who offers a service" },
    { "donor", "NAME", "offer: who gives goods" },
    { "minutes", "N", "offer: minutes offered; confirm: minutes served (credited)" },
    { "offer", "GJ...", "match: the offer (default the best proposed)" },
    { "side", "need|offer", "accept, decline: which side accepts or declines" },
    { "code", "C", "confirm: the code the person served was given" },
    { "month", "YYYY-MM", "stats: the month" },
    { "cursor", "C", "list: the next page" },
    { "limit", "N", "list: needs a page (at most 50)" },
    { NULL }
};
static const s_option_t s_volunteer_opts[] = {
    { "actor", "WHO", "who registers them" },
    { "name", "N", "their name" },
    { "community", "CODE", "where they are registered" },
    { "skills", "A,B", "what they can do" },
    { "areas", "CODE,CODE", "communities or towns they serve besides their own" },
    { "hours", "H", "hours a week they give" },
    { NULL }
};

static const s_option_t s_topic_opts[] = {
    { "actor", "WHO", "who acts" },
    { "title", "T", "create: the title" },
    { "scope", "CODE", "create, list, public: the community or village" },
    { "procedure", "plain|siyi", "create: the procedure (四议两公开: siyi)" },
    { "source", "S", "create: proposal, hotspot or government" },
    { "description", "D", "create: what it is about" },
    { "category", "C", "create, task, retry: the category" },
    { "cases", "ID,ID", "create: the cases behind it" },
    { "invite", "ID:NAME:ROLE,...", "create: parties invited besides the roster" },
    { "quorum", "2/3", "create: the share that must be present" },
    { "approval", "1/2", "create: the share of yes votes that adopts" },
    { "secret", NULL, "create: secret ballots" },
    { "revote", NULL, "create: a member may vote again" },
    { "place", "P", "stage: where the meeting is" },
    { "members", "A,B", "meeting: who attends" },
    { "close", NULL, "tally: decide" },
    { "text", "T", "publish, task: the text" },
    { "grid", "G", "task, retry: the grid" },
    { "address", "A", "task, retry: the address" },
    { "state", "dead|pending", "tasks: which" },
    { "cursor", "C", "list, tasks, public: go on from a page's last line, next: C" },
    { "limit", "N", "list, tasks, public: at most N a page" },
    { NULL }
};

static const s_option_t s_fund_opts[] = {
    { "actor", "WHO", "who acts (default $USER)" },
    { "role", "ROLE", "as what (default admin)" },
    { "ledger", "cny|min", "account: its ledger" },
    { "flags", "F,F", "account, transfer: no_overdraft, linked, pending, ..." },
    { "kind", "K", "account: its kind" },
    { "name", "N", "account: its name" },
    { "fund", "F", "donate, request: the fund" },
    { "project", "P", "donate, request: the project" },
    { "amount", "N", "fen on cny, minutes on min" },
    { "channel", "C", "donate: wechat, alipay, bank, cash" },
    { "donor", "NAME", "donate: as published" },
    { "anonymous", "yes", "donate: publish no name" },
    { "ref", "R", "donate: the payment's reference" },
    { "id", "HEX32", "donate, request, transfer, goods, redeem: the transfer id (a retry is safe)" },
    { "beneficiary", "B", "request: for whom" },
    { "purpose", "TEXT", "request: what for" },
    { "served", "WHO", "request (time bank): the person served" },
    { "resolution", "TOPIC", "request: the consultation resolution behind it" },
    { "attach", "REF", "request: a supporting document" },
    { "note", "WHY", "approve, reject: why" },
    { "debit", "A", "transfer: from" },
    { "credit", "B", "transfer: to" },
    { "pending-id", "HEX32", "transfer: the pending transfer it posts or voids" },
    { "timeout", "S", "transfer: seconds a pending transfer stays" },
    { "memo", "M", "transfer: a memo" },
    { "cursor", "C", "statement, points: go on from a page's last line, next: C" },
    { "limit", "N", "statement, points: at most N a page (at most 200)" },
    { "month", "YYYY-MM", "report, publish: the month" },
    { "site", "S", "goods, redeem: the charity site (data/kind)" },
    { "item", "I", "goods, redeem: the item kind (data/kind)" },
    { "quantity", "N", "goods, redeem: whole units of the item" },
    { "to", "S2", "goods move: the site that receives" },
    { "party", "NAME", "goods in: the donor; out: the family (published masked)" },
    { "resident", "R", "redeem: whose points (a fingerprint, a member's or volunteer's id)" },
    { "phone", "P", "points: the resident by their phone (its fingerprint, asked of intake)" },
    { "format", "csv", "report: csv" },
    { "html", "FILE", "report: a printable page" },
    { NULL }
};

static const s_option_t s_token_opts[] = {
    { "role", "R", "create: operator, supervisor, admin, grid, device_vendor, ..." },
    { "scope", "CODE", "create: the org node it acts in" },
    { "name", "WHO", "create: whose it is" },
    { "days", "N", "create: it expires N days on (default 365, at most 3650)" },
    { NULL }
};

static const s_option_t s_key_opts[] = {
    { "roles", "R1,R2", "add: the roles the key may assert (* for any)" },
    { "out", "FILE", "add: where its secret part goes (default DIR/secrets/curve/NAME.key)" },
    { NULL }
};

static const s_option_t s_secret_opts[] = {
    { "grace-hours", "N", "rotate: hours the previous secret stays good (default 24)" },
    { "out", "FILE", "backup: the file written (passphrase in $CG_PASSPHRASE)" },
    { "in", "FILE", "restore: the backup read (passphrase in $CG_PASSPHRASE)" },
    { NULL }
};

static const s_option_t s_user_opts[] = {
    { "role", "R", "add: operator, supervisor, admin or grid_worker" },
    { "scope", "CODE", "add: the org node the account acts in" },
    { "off", NULL, "totp: sign in with the password alone again" },
    { NULL }
};

static const s_option_t s_notify_opts[] = {
    { "text", "T", "test: the notice" },
    { "urgent", NULL, "test: as an urgent notice" },
    { "cursor", "C", "log, deadletter: go on from a page's last line, next: C" },
    { "limit", "N", "log, deadletter: at most N a page (at most 200)" },
    { "by", "WHO", "ack: who acknowledges" },
    { "case", "ID", "ack: every urgent notice about the case awaiting acknowledgement" },
    { NULL }
};

static const s_option_t s_powers_opts[] = {
    { "out", "FILE", "qr: the file to write, FILE.png (to print) or FILE.svg" },
    { "url", "BASE", "qr: the public page's base URL (default gateway/public_url)" },
    { NULL }
};

static const s_option_t s_none[] = { { NULL } };

static const s_command_t s_commands[] = {
    { "stack", cli_stack,
      "up [--port-base N|auto] [--replicas N] [--sentinels N] [--foreground] [--demo]\n"
      "  [--set PATH=VALUE]...\n"
      "down\nstatus", "the whole system on this machine", s_stack_opts, NULL },
    { "submit", cli_cases,
      "--category C --text T (--grid G | --address A | --lat DEG --lon DEG) [--source S]\n"
      "  [--ext-ref R]"
      " [--name N] [--phone P]", "a request, as any channel would send it", s_submit_opts, NULL },
    { "hotline", cli_intake,
      "--order-no N --class 投诉 --content T [--address A] [--area CODE] [--category C]\n"
      "  [--urgency urgent] [--call-time ISO] [--time-limit ISO] [--name N] [--phone P]",
      "a 12345 hotline order", s_hotline_opts, NULL },
    { "alarm", cli_intake,
      "--device D --alarm-id A [--type sos|fall|inactivity|vital] [--at ISO] [--lat L --lon L]",
      "a device alarm", s_alarm_opts, NULL },
    { "intake", cli_intake, "show ID [--role R]", "who reported a case", s_intake_opts, NULL },
    { "powers", cli_powers, "list AREA | show AREA CODE | check FILE... | load\n"
      "qr AREA CODE --out FILE.png|FILE.svg [--url BASE]",
      "villages' lists of small and micro powers and their QR codes (docs/INTAKE.md)",
      s_powers_opts, NULL },
    { "case", cli_cases,
      "show ID\nlist [--state S] [--center C | --unit U] [--cursor C] [--limit N] [--newest]",
      "cases", s_case_opts, NULL },
    { "inbox", cli_cases, "UNIT [--cursor C] [--limit N]", "a unit's in-app inbox",
      s_inbox_opts, NULL },
    { "acks", cli_cases, "--org CODE [--state pending|settled] [--cursor C] [--limit N]",
      "urgent notices to an org node awaiting acknowledgement, or settled", s_acks_opts, NULL },
    /*  every other action of dispatch's table (proto/cg_case_actions.h) */
    { NULL, cli_dispatch, "ID [--actor ROLE:SCOPE[:NAME]] [--note WHY]",
      "move a case through dispatch's state machine (docs/DISPATCH.md)", s_act_opts, NULL },
    { "resolve", cli_dispatch, "ID --result TEXT [--actor ROLE:SCOPE[:NAME]]",
      "the unit has handled it (办结)", s_resolve_opts, s_act_opts },
    { "dispatch transfer return_approve", cli_dispatch,
      "ID --unit U [--actor ROLE:SCOPE[:NAME]] [--note WHY]",
      "send it to a unit (派单, 转办, 退单审核通过)", s_unit_opts, s_act_opts },
    { "extend", cli_dispatch, "ID --minutes N [--actor ROLE:SCOPE[:NAME]] [--note WHY]",
      "ask for more time (延期申请)", s_extend_opts, s_act_opts },
    { "callback", cli_dispatch, "ID --satisfaction 满意|基本满意|不满意 [--actor ROLE:SCOPE[:NAME]]",
      "the citizen's rating (回访): closed, or done again", s_callback_opts, s_act_opts },
    { "merge", cli_dispatch, "ID --into OTHER [--actor ROLE:SCOPE[:NAME]] [--note WHY]",
      "join another open case in one's scope (合并)", s_merge_opts, s_act_opts },
    { "stats", cli_dispatch, "--scope CODE --from YYYY-MM-DD --to YYYY-MM-DD [--by hour|day|week|month]",
      "the statistics of a subtree", s_stats_opts, NULL },
    { "reload", cli_dispatch, "",
      "dispatch reads the org tree, catalog and calendar the configuration names", s_none, NULL },
    { "topic", cli_topic,
      "create --title T --scope CODE [--procedure plain|siyi] [--source S] [...]\n"
      "show ID | list [--scope CODE] | stage ID [STAGE] [--place P]\n"
      "meeting ID MEMBER... | --members A,B | vote ID MEMBER yes|no|abstain\n"
      "tally ID [--close] | publish ID STAGE --text T | task ID --text T [...]\n"
      "tasks [--state dead|pending] | retry TID [...] | public [ID] [--scope CODE]",
      "consultation topics (议事协商)", s_topic_opts, NULL },
    { "volunteer", cli_volunteer,
      "ID --name N --community CODE --skills A,B --hours H [--areas X,Y]",
      "register a volunteer (志愿者), or again with new skills, areas, hours",
      s_volunteer_opts, NULL },
    { "need", cli_need,
      "post --community CODE --kind service|goods --skill S --what T --from T --until T\n"
      "     --person ID [--name N] [--phone P] [--address A] [--urgency U] [--poster P]\n"
      "offer --community CODE --kind K --skill S --what T --from T --until T\n"
      "      (--volunteer ID [--minutes M] | --donor NAME)\n"
      "show ID | list [--community CODE] | propose ID | match ID [--offer GJ...]\n"
      "accept|decline MATCH --side need|offer | confirm MATCH --person ID --code C [--minutes M]\n"
      "stats --community CODE --month YYYY-MM",
      "needs and offers (供需对接), matching, the published statistics", s_need_opts, NULL },
    { "fund", cli_fund,
      "account ID --ledger cny|min [--flags F] [--kind K] [--name N]\n"
      "donate --fund F [--project P] --amount FEN --channel C [--donor NAME] [...]\n"
      "request --fund F [--project P] --beneficiary B --amount N --purpose TEXT [...]\n"
      "approve|reject ID [--note WHY]\n"
      "transfer --debit A --credit B [--amount N] [--flags F] [--pending-id ID] [...]\n"
      "balance ACCOUNT | statement ACCOUNT [--cursor C] [--limit N] | show ID | verify | export\n"
      "report|publish FUND --month YYYY-MM [--format csv | --html FILE]\n"
      "goods in|out|move --site S --item I --quantity N [--to S2] [--party NAME] [--id HEX32]\n"
      "stock SITE | redeem --resident R --site S --item I --quantity N [--id HEX32]\n"
      "points RESIDENT | --phone P [--cursor C] [--limit N]",
      "the charity funds, the time bank, goods in kind and resident points (docs/FUND.md)",
      s_fund_opts, NULL },
    { "token", cli_token, "create --role R --scope CODE [--name WHO] [--days N]\nlist\n"
      "revoke ID|TOKEN", "the gateway's API tokens", s_token_opts, NULL },
    { "key", cli_key, "add NAME --roles R1,R2 [--out FILE]\nlist\nremove NAME",
      "CURVE keys of programs that talk to the daemons (docs/ARCHITECTURE.md)", s_key_opts,
      NULL },
    { "secret", cli_secret, "rotate hotline ID [--grace-hours N]\n"
      "rotate callback [--grace-hours N]\nrotate seal\nstatus\nretire seal N\n"
      "backup --out FILE\nrestore --in FILE",
      "a hotline's secret, or the one our callbacks to it are signed with; a new version of "
      "the sealing key, what each version still seals, retiring an old one; the sealing "
      "key's versions and the stack's secrets, under a passphrase", s_secret_opts, NULL },
    { "user", cli_user, "add NAME --role R --scope CODE\ndisable NAME | reset NAME\n"
      "totp NAME [--off]\nlist", "operators' accounts (password in $CG_PASSWORD)",
      s_user_opts, NULL },
    { "notify", cli_notify,
      "rules | test RECIPIENT --text T [--urgent] | log [ID] [--cursor C] [--limit N]\n"
      "deadletter [--cursor C] [--limit N] | retry ID | ack (ID | --case ID) [--by WHO]",
      "notification rules, log, dead letters", s_notify_opts, NULL },
    { "journal", cli_journal, "[skip|forget CONSUMER JOURNAL]",
      "journals, their consumers and retention", s_none, NULL },
    { "backup", cli_backup, "DIR", "the running stack's Redis snapshot, archive, configuration "
      "with its key and data files, into a new or empty folder", s_none, NULL },
    { "restore", cli_backup, "DIR --dir NEW", "a backup into a new or empty stack folder; then "
      "`civgrid stack up --dir NEW`", s_none, NULL },
    { "migrate", cli_migrate, "", "with every daemon stopped, the store to this release's "
      "layout (cg:layout)", s_none, NULL },
    { "search", cli_search,
      "[--q TEXT | --phone P | --ext-ref R | --id ID | ...] [--scope CODE] [--cursor C]",
      "every case, live and archived, newest first, a page at a time (docs/ARCHIVE.md)",
      s_search_opts, NULL },
    { "export", cli_search, "cases --scope CODE --from DATE --to DATE [--format csv] [filters]",
      "a subtree's cases received in a range, as CSV that Excel opens in Chinese",
      s_export_opts, s_search_opts },
    { "messages", s_messages, "", "the message reference (Markdown)", s_none, NULL },
    { "help", s_help, "[COMMAND]", "this help, or a command's", s_none, NULL },
};
#define S_NCOMMANDS (sizeof s_commands / sizeof s_commands[0])

static bool
s_named (const s_command_t *command, const char *word)
{
    size_t n = strlen (word);
    if (!command->names)
        return false;
    for (const char *p = command->names; n && (p = strstr (p, word)); p += n)
        if ((p == command->names || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return true;
    return false;
}

static const s_command_t *
s_find (const char *word)
{
    for (size_t i = 0; word && i < S_NCOMMANDS; i++)
        if (s_named (&s_commands[i], word))
            return &s_commands[i];
    /*  an action of dispatch's that no row names: the actions' row */
    for (size_t i = 0; word && cg_case_action_find (word) && i < S_NCOMMANDS; i++)
        if (!s_commands[i].names)
            return &s_commands[i];
    return NULL;
}

/*  The words that name command, joined by '|'; for the actions' row, the
    actions of dispatch's table that no other row names. */
static void
s_names (const s_command_t *command, char *out, size_t len)
{
    *out = 0;
    if (command->names)
        snprintf (out, len, "%s", command->names);
    for (size_t i = 0; !command->names && i < CG_ACTIONS_COUNT; i++) {
        const char *name = cg_case_actions[i].name;
        if (s_find (name) == command)
            snprintf (out + strlen (out), len - strlen (out), "%s%s", *out ? " " : "", name);
    }
    for (char *c = out; *c; c++)
        if (*c == ' ')
            *c = '|';
}

static const s_option_t *
s_option (const s_option_t *options, const char *name)
{
    for (const s_option_t *o = options; o->name; o++)
        if (streq (o->name, name))
            return o;
    return NULL;
}

const char *const *
cli_flags (void)
{
    /*  every option the tables list without a value, once */
    static const char *flags[64];
    if (!flags[0]) {
        size_t n = 0;
        for (size_t i = 0; i <= S_NCOMMANDS; i++) {
            const s_option_t *o = i < S_NCOMMANDS ? s_commands[i].options : s_common;
            for (; o->name; o++) {
                bool seen = false;
                for (size_t k = 0; k < n && !seen; k++)
                    seen = streq (flags[k], o->name);
                if (!o->value && !seen && n + 1 < sizeof flags / sizeof flags[0])
                    flags[n++] = o->name;
            }
        }
    }
    return flags;
}

/*  The usage of one command: its forms, then its options. */
static void
s_print_command (FILE *out, const s_command_t *command, bool options)
{
    char names[400];
    s_names (command, names, sizeof names);
    fprintf (out, "  %s — %s\n", names, command->summary);
    /*  a line that starts with a space goes on from the one before */
    const char *line = command->usage;
    do {
        size_t n = strcspn (line, "\n");
        if (*line == ' ')
            fprintf (out, "          %.*s\n", (int) n, line);
        else
            fprintf (out, "      civgrid %s%s%.*s\n",
                     strchr (names, '|') ? "ACTION" : names, n ? " " : "", (int) n,
                     line);
        line += n + (line[n] == '\n');
    } while (*line);
    if (!options)
        return;
    fprintf (out, "  options:\n");
    const s_option_t *tables[] = { command->options, command->more, s_common };
    for (int t = 0; t < 3; t++)
        for (const s_option_t *o = tables[t]; o && o->name; o++) {
            char left[64];
            snprintf (left, sizeof left, "--%s%s%s", o->name, o->value ? " " : "",
                      o->value ? o->value : "");
            fprintf (out, "      %-26s %s\n", left, o->help);
        }
}

void
cli_usage (FILE *out)
{
    fprintf (out, "usage: civgrid COMMAND ... [--dir DIR] [--json]   "
                  "(civgrid COMMAND --help: its options)\n");
    for (size_t i = 0; i < S_NCOMMANDS; i++)
        s_print_command (out, &s_commands[i], false);
}

static int
s_messages (cli_args_t *args)
{
    (void) args;
    cg_msg_document (stdout);
    cg_cmd_document (stdout);
    return 0;
}

static int
s_help (cli_args_t *args)
{
    const s_command_t *command = args->nwords > 1 ? s_find (args->words[1]) : NULL;
    if (args->nwords > 1 && !command) {
        fprintf (stderr, "civgrid: help: there is no command \"%s\"\n", args->words[1]);
        cli_usage (stderr);
        return 2;
    }
    if (command)
        s_print_command (stdout, command, true);
    else
        cli_usage (stdout);
    return 0;
}

int
cli_run (cli_args_t *args)
{
    const s_command_t *command = args->nwords ? s_find (args->words[0]) : NULL;
    if (!command) {
        if (args->nwords)
            fprintf (stderr, "civgrid: there is no command \"%s\"\n", args->words[0]);
        cli_usage (stderr);
        return 2;
    }
    if (cli_flag (args, "help")) {
        s_print_command (stdout, command, true);
        return 0;
    }
    /*  an option the command does not take is an error, never ignored */
    for (void *item = zhash_first (args->opts); item; item = zhash_next (args->opts)) {
        const char *name = zhash_cursor (args->opts);
        if (!s_option (command->options, name) && !s_option (s_common, name)
            && !(command->more && s_option (command->more, name))) {
            fprintf (stderr, "civgrid: %s: unknown option --%s (civgrid %s --help lists "
                     "its options)\n", args->words[0], name, args->words[0]);
            return 2;
        }
    }
    int rc = command->fn (args);
    if (rc == 2) {
        fprintf (stderr, "usage:\n");
        s_print_command (stderr, command, true);
    }
    return rc;
}
