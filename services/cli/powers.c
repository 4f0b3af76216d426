/*  powers — `civgrid powers`: the villages' lists of small and micro powers
    (小微权力清单) that intake keeps, and their QR codes (码上监督).

        powers list AREA             an area's list
        powers show AREA CODE        one power: steps, time limit, basis
        powers check FILE...         checks list files as intake would
        powers load                  intake loads data/powers again
        powers qr AREA CODE --out FILE.png|FILE.svg [--url BASE]

    A QR code carries the public page's address at the item
    (cg_powers_url): BASE, else the stack's gateway/public_url, else the
    gateway as this machine reaches it.  Only an active power has one. */
#include "cli.h"
#include "cg_powers.h"
#include "cg_qr.h"
#include "cg_text.h"

static int
s_list (cli_args_t *args, const char *area)
{
    cg_power_query_t req = { .area = (char *) area };
    cg_power_page_t page;
    if (cli_call (args, &cg_cmd_powers_list, &req, &page))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_power_page_def, &page, stdout);
        printf ("\n");
    }
    else {
        printf ("%s %s  version %lld\n", page.area, page.name, (long long) page.version);
        for (size_t i = 0; i < page.items_count; i++)
            printf ("  %-6s %-9s %s (%s)\n", page.items[i].code, page.items[i].status,
                    page.items[i].matter, page.items[i].holder);
    }
    cg_msg_clear (&cg_power_page_def, &page);
    return 0;
}

/*  powers.show into view; 1 when refused (printed). */
static int
s_get (cli_args_t *args, const char *area, const char *code, cg_power_view_t *view)
{
    cg_power_query_t req = { .area = (char *) area, .code = (char *) code };
    return cli_call (args, &cg_cmd_powers_show, &req, view);
}

static int
s_show (cli_args_t *args, const char *area, const char *code)
{
    cg_power_view_t view;
    if (s_get (args, area, code, &view))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_power_view_def, &view, stdout);
        printf ("\n");
    }
    else {
        printf ("%s %s %s  %s (version %lld)\n", view.name, view.code, view.matter,
                view.status, (long long) view.version);
        printf ("  %-10s %s\n  %-10s %s\n  %-10s %s\n", "holder", view.holder, "time limit",
                view.time_limit, "basis", view.basis);
        for (size_t i = 0; i < view.steps_count; i++)
            printf ("  %2zu. %s\n", i + 1, view.steps[i]);
    }
    cg_msg_clear (&cg_power_view_def, &view);
    return 0;
}

static int
s_check (cli_args_t *args)
{
    int rc = args->nwords > 2 ? 0 : 1;
    if (rc)
        fprintf (stderr, "civgrid: powers check needs one file or more\n");
    for (int i = 2; i < args->nwords; i++) {
        char err[512];
        cg_powers_t *list = cg_powers_load (args->words[i], err, sizeof err);
        if (!list) {
            fprintf (stderr, "%s\n", err);
            rc = 1;
            continue;
        }
        size_t withdrawn = 0;
        for (size_t k = 0; k < cg_powers_size (list); k++)
            withdrawn += cg_powers_at (list, k)->withdrawn;
        printf ("%s: area %s, version %d, %zu powers (%zu withdrawn)\n", args->words[i],
                cg_powers_area (list), cg_powers_version (list), cg_powers_size (list),
                withdrawn);
        cg_powers_destroy (&list);
    }
    return rc;
}

static int
s_load (cli_args_t *args)
{
    cg_data_reload_t req = { 0 };
    cg_powers_loaded_t rep;
    if (cli_call (args, &cg_cmd_powers_reload, &req, &rep))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_powers_loaded_def, &rep, stdout);
        printf ("\n");
    }
    else
        printf ("%lld areas, %lld powers; %lld lists superseded by a newer version\n",
                (long long) rep.areas, (long long) rep.powers, (long long) rep.superseded);
    cg_msg_clear (&cg_powers_loaded_def, &rep);
    return 0;
}

/*  The base of the public page's address: --url, gateway/public_url, or
    the gateway on this machine. */
static char *
s_base (cli_args_t *args)
{
    const char *url = cli_opt (args, "url", NULL);
    if (url)
        return cg_strfmt ("%.*s", (int) (strlen (url) - (*url && url[strlen (url) - 1] == '/')),
                          url);
    zconfig_t *config = cli_config (args);
    if (!config)
        return NULL;
    const char *public_url = zconfig_get (config, "gateway/public_url", "");
    char *base = *public_url ? cg_strfmt ("%s", public_url)
               : cg_strfmt ("http://127.0.0.1:%s",
                            zconfig_get (config, "gateway/http_port", "8311"));
    zconfig_destroy (&config);
    return base;
}

static int
s_qr (cli_args_t *args, const char *area, const char *code)
{
    const char *out = cli_opt (args, "out", NULL);
    size_t n = out ? strlen (out) : 0;
    bool png = n > 4 && strcmp (out + n - 4, ".png") == 0;
    if (!png && !(n > 4 && strcmp (out + n - 4, ".svg") == 0)) {
        fprintf (stderr, "civgrid: --out: the file to write, ending .png or .svg\n");
        return 1;
    }
    cg_power_view_t view;
    if (s_get (args, area, code, &view))
        return 1;
    int rc = 1;
    char *base = NULL;
    if (strcmp (view.status, "active") != 0)
        fprintf (stderr, "civgrid: code: power %s (%s) was withdrawn: it has no QR code to "
                 "print\n", view.code, view.matter);
    else
    if ((base = s_base (args))) {
        char *url = cg_powers_url (base, area, code);
        cg_qr_t *qr = cg_qr_new (url);
        size_t size = 0;
        unsigned char *png_data = qr && png ? cg_qr_png (qr, 8, &size) : NULL;
        char *svg = qr && !png ? cg_qr_svg (qr) : NULL;
        FILE *file = (png_data || svg) ? fopen (out, "wb") : NULL;
        if (file) {
            if (png)
                fwrite (png_data, 1, size, file);
            else
                fputs (svg, file);
            rc = fclose (file) ? 1 : 0;
        }
        if (rc)
            fprintf (stderr, "civgrid: --out: cannot write %s\n", out);
        else
            printf ("%s  %s\n", out, url);
        free (png_data);
        free (svg);
        cg_qr_destroy (&qr);
        free (url);
    }
    free (base);
    cg_msg_clear (&cg_power_view_def, &view);
    return rc;
}

int
cli_powers (cli_args_t *args)
{
    const char *sub = args->nwords > 1 ? args->words[1] : "";
    if (streq (sub, "list") && args->nwords == 3)
        return s_list (args, args->words[2]);
    if (streq (sub, "show") && args->nwords == 4)
        return s_show (args, args->words[2], args->words[3]);
    if (streq (sub, "check"))
        return s_check (args);
    if (streq (sub, "load") && args->nwords == 2)
        return s_load (args);
    if (streq (sub, "qr") && args->nwords == 4)
        return s_qr (args, args->words[2], args->words[3]);
    return 2;
}
