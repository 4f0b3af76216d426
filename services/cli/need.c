/*  need — the CLI's commands on needs and offers (供需对接):

        volunteer ID --name N --community CODE --skills A,B --hours H [--areas X,Y]
        need post --community CODE --kind service|goods --skill S --what T
                  --from TIME --until TIME --person P [--name N] [--phone P]
                  [--address A] [--urgency normal|urgent]
                  [--poster community|organisation|operator]
        need offer --community CODE --kind service|goods --skill S --what T
                   --from TIME --until TIME (--volunteer V [--minutes M] | --donor D)
        need show ID | list [--community CODE] | propose ID | match ID [--offer GJ..]
        need accept|decline MATCH --side need|offer | confirm MATCH --person P --code C [--minutes M]
        need stats --community CODE --month YYYY-MM   (志愿服务统计和发布, public)

    Each sends one command to civgrid-consultation.  The options are the
    message's fields by name (proto/msg_needs.h), so the command and its
    message cannot drift; a TIME is ISO 8601 or a day (China time).  The
    answer is printed as JSON, the statistics as a line a person reads. */
#include "cli.h"
#include "cg_clock.h"
#include "cg_commands.h"

/*  The subcommands: the word, the command, its messages, and the field
    its one positional word fills (NULL: none). */
typedef struct {
    const char *word;
    const cg_cmddef_t *command;
    const char *positional;
} s_sub_t;

static const s_sub_t s_subs[] = {
    { "post", &cg_cmd_need_post, NULL },
    { "offer", &cg_cmd_offer_post, NULL },
    { "show", &cg_cmd_need_show, "id" },
    { "list", &cg_cmd_need_list, NULL },
    { "propose", &cg_cmd_need_propose, "id" },
    { "match", &cg_cmd_need_match, "id" },
    { "accept", &cg_cmd_match_accept, "id" },
    { "decline", &cg_cmd_match_decline, "id" },
    { "confirm", &cg_cmd_need_confirm, "id" },
    { "stats", &cg_cmd_need_stats, NULL },
    { NULL }
};

/*  Fills msg of def from the options it has a field for; 0, or -1 with a
    message naming the option. */
static int
s_fill (cli_args_t *args, const cg_msgdef_t *def, void *msg)
{
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        const char *value = cli_opt (args, f->key, NULL);
        if (!value || streq (f->key, "rid"))
            continue;
        char text[32];
        if (streq (f->key, "from") || streq (f->key, "until")) {
            int64_t ms;
            char why[120];
            if (cg_time_or_day_parse (value, &ms, why, sizeof why)) {
                fprintf (stderr, "civgrid: --%s: %s\n", f->key, why);
                return -1;
            }
            snprintf (text, sizeof text, "%lld", (long long) ms);
            value = text;
        }
        if (f->type == CG_F_STRS) {
            /*  a comma list: the message keeps the words, args keeps the text */
            char *copy = strdup (value), *save;
            size_t n = 0;
            char **list = calloc (strlen (value) / 2 + 2, sizeof (char *));
            for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
                list[n++] = strdup (w);
            free (copy);
            *(char ***) ((char *) msg + f->offset) = list;
            *(size_t *) ((char *) msg + f->count_offset) = n;
            continue;
        }
        if (cg_msg_set (def, msg, f->key, value, strlen (value)) < 0) {
            fprintf (stderr, "civgrid: --%s \"%s\" does not fit %s\n", f->key, value, def->name);
            return -1;
        }
    }
    return 0;
}

static int
s_send (cli_args_t *args, const cg_cmddef_t *command, const char *positional, const char *word)
{
    const cg_msgdef_t *req_def = command->request, *rep_def = command->reply;
    void *req = calloc (1, req_def->size);
    void *rep = calloc (1, rep_def->size);
    assert (req && rep);
    char actor[96];
    int rc = s_fill (args, req_def, req);
    if (rc == 0 && positional && word)
        cg_msg_set (req_def, req, positional, word, strlen (word));
    if (rc == 0 && !cli_opt (args, "actor", NULL)) {
        cli_actor (args, actor, sizeof actor);
        cg_msg_set (req_def, req, "actor", actor, strlen (actor));
    }
    if (rc == 0)
        rc = cli_call (args, command, req, rep);
    if (rc == 0 && rep_def == &cg_need_stats_def && !cli_flag (args, "json")) {
        cg_need_stats_t *s = rep;
        printf ("%s %s %s: posted %lld, matched %lld, served %lld, %s hours by %lld "
                "volunteers\n", s->community, s->name ? s->name : "", s->month,
                (long long) s->posted, (long long) s->matched, (long long) s->served,
                s->hours, (long long) s->volunteers);
    }
    else
    if (rc == 0) {
        cg_msg_json (rep_def, rep, stdout);
        printf ("\n");
    }
    cg_msg_clear (req_def, req);
    cg_msg_clear (rep_def, rep);
    free (req);
    free (rep);
    return rc ? 1 : 0;
}

int
cli_volunteer (cli_args_t *args)
{
    if (args->nwords < 2) {
        fprintf (stderr, "civgrid: volunteer ID --name N --community CODE --skills A,B "
                 "--hours H [--areas X,Y]\n");
        return 1;
    }
    return s_send (args, &cg_cmd_volunteer_register, "id", args->words[1]);
}

int
cli_need (cli_args_t *args)
{
    const char *word = args->nwords > 1 ? args->words[1] : "";
    for (const s_sub_t *s = s_subs; s->word; s++)
        if (streq (word, s->word)) {
            if (s->positional && args->nwords < 3) {
                fprintf (stderr, "civgrid: need %s needs the %s\n", s->word,
                         streq (s->word, "accept") || streq (s->word, "decline")
                         || streq (s->word, "confirm")
                         ? "match (PD...)" : "need (XQ...)");
                return 1;
            }
            return s_send (args, s->command, s->positional,
                           s->positional ? args->words[2] : NULL);
        }
    fprintf (stderr, "civgrid: need %s: not post, offer, show, list, propose, match, accept, "
             "decline, confirm or stats\n", word);
    return 1;
}
