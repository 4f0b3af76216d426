/*  key — the CURVE keys of clients below the gateway (cg_access.h).
        civgrid key add NAME --roles R1,R2 [--out FILE]
        civgrid key list
        civgrid key remove NAME
    `add` makes a key pair for a program that talks to the daemons itself
    (a script of a command center, an integration) and may assert only the
    roles given in a command's actor or role; its public key goes on the
    allow list, its secret part to FILE (DIR/secrets/curve/NAME.key if not
    given), for `civgrid --key FILE ...` or the program's own use.  `list`
    shows every key on the allow list with its roles; `remove` takes a
    client's key off it, which the daemons refuse from its next connection
    on.  The daemons' and admin's keys are made by `stack up`. */
#include "cli.h"
#include "cg_access.h"

#include <dirent.h>
#include <unistd.h>

static int
s_add (cli_args_t *args, zconfig_t *config, const char *name)
{
    const char *roles = cli_opt (args, "roles", NULL);
    if (!roles || !*roles || strspn (roles, "abcdefghijklmnopqrstuvwxyz_,*") != strlen (roles)) {
        fprintf (stderr, "civgrid: --roles takes the roles the key may assert, e.g. "
                 "operator,center (lower case, comma-separated; * for any)\n");
        return 1;
    }
    char out[PATH_MAX];
    snprintf (out, sizeof out, "%s/curve/%s.key", zconfig_get (config, "access/dir", ""),
              name);
    const char *path = cli_opt (args, "out", out);
    if (access (path, F_OK) == 0) {
        fprintf (stderr, "civgrid: %s exists; a key is never overwritten\n", path);
        return 1;
    }
    if (cg_access_add_client (config, name, roles, path))
        return 1;
    printf ("key %s may assert %s; its secret part is in %s\n", name, roles, path);
    return 0;
}

static int
s_list (zconfig_t *config, bool json)
{
    char allow[PATH_MAX];
    snprintf (allow, sizeof allow, "%s/curve/allow", zconfig_get (config, "access/dir", ""));
    DIR *dir = opendir (allow);
    if (!dir) {
        fprintf (stderr, "civgrid: cannot read %s\n", allow);
        return 1;
    }
    if (json)
        printf ("[");
    int n = 0;
    for (struct dirent *e; (e = readdir (dir)); ) {
        char path[PATH_MAX + 256];
        snprintf (path, sizeof path, "%s/%s", allow, e->d_name);
        zcert_t *cert = *e->d_name == '.' ? NULL : zcert_load (path);
        if (!cert)
            continue;
        const char *name = zcert_meta (cert, "name"), *roles = zcert_meta (cert, "roles");
        if (json)
            printf ("%s{\"name\":\"%s\",\"roles\":\"%s\",\"public\":\"%s\"}", n ? "," : "",
                    name ? name : "", roles ? roles : "", zcert_public_txt (cert));
        else
            printf ("  %-14s %-24s %s\n", name ? name : "?", roles ? roles : "",
                    zcert_public_txt (cert));
        n++;
        zcert_destroy (&cert);
    }
    closedir (dir);
    if (json)
        printf ("]\n");
    return 0;
}

static int
s_remove (zconfig_t *config, const char *name)
{
    bool daemon = streq (name, CG_ACCESS_ADMIN);
    for (size_t i = 0; i < cg_access_rules_count; i++)
        daemon |= streq (cg_access_rules[i].name, name);
    if (daemon || strchr (name, '/')) {
        fprintf (stderr, "civgrid: %s is not a client's key\n", name);
        return 1;
    }
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/curve/allow/%s.cert",
              zconfig_get (config, "access/dir", ""), name);
    if (unlink (path)) {
        fprintf (stderr, "civgrid: no key %s on the allow list\n", name);
        return 1;
    }
    printf ("key %s removed from the allow list\n", name);
    return 0;
}

int
cli_key (cli_args_t *args)
{
    const char *verb = args->nwords > 1 ? args->words[1] : "";
    const char *name = args->nwords > 2 ? args->words[2] : NULL;
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    int rc = 2;
    if (!*zconfig_get (config, "access/dir", "")) {
        fprintf (stderr, "civgrid: the stack has no access/dir; `civgrid stack up` makes it\n");
        rc = 1;
    }
    else
    if (streq (verb, "add") && name)
        rc = s_add (args, config, name);
    else
    if (streq (verb, "list"))
        rc = s_list (config, cli_flag (args, "json"));
    else
    if (streq (verb, "remove") && name)
        rc = s_remove (config, name);
    else
        fprintf (stderr, "usage: civgrid key add NAME --roles R1,R2 [--out FILE] | key list "
                 "| key remove NAME\n");
    zconfig_destroy (&config);
    return rc;
}
