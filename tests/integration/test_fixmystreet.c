/*  FixMyStreet's Open311 client against the real gateway: the service
    list and a definition, a report with the client's default parameters
    (lat and long only), GET requests for the last hour, the updates, and a
    posted update, each checked as FixMyStreet itself checks what comes
    back (tests/fixmystreet/fms_client.pl says what and why).

    The client is FixMyStreet's own perllib/Open311.pm, unchanged, when the
    environment names it in FMS_OPEN311_PM (a checkout of
    mysociety/fixmystreet; its code is not ours to commit); CI has neither
    GitHub nor a Debian package of FixMyStreet, so there the script runs
    tests/fixmystreet/replica/Open311.pm, written to do on the wire exactly
    what that client does (docs/API.md, "FixMyStreet").  Perl and its
    modules come from Debian (deploy/install-deps.sh). */
#include <criterion/criterion.h>
#include "cg_testhttp.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

Test (fixmystreet, its_open311_client_reports_fetches_and_updates)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *key = cg_http_token (stack, "open311", "320600", "fixmystreet");
    char base[128], command[1024];
    cg_http_base (stack, base, sizeof base);
    snprintf (command, sizeof command, "perl %s/tests/fixmystreet/fms_client.pl "
              "'%s/open311/v2/' '%s' 320600 2>&1", cg_test_root (), base, key);
    FILE *p = popen (command, "r");
    cr_assert (p, "cannot run %s", command);
    char out[16384] = "";
    size_t len = fread (out, 1, sizeof out - 1, p);
    out[len] = 0;
    int status = pclose (p);
    cr_log_info ("%s", out);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "FixMyStreet's client found fault:\n%s", out);
    cr_assert (strstr (out, "1..19") && !strstr (out, "not ok"), "%s", out);
    free (key);
    cg_teststack_down (&stack);
}
