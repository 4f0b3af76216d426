/*  cg_testreceiver — see cg_testreceiver.h. */
#include "cg_testreceiver.h"
#include <criterion/criterion.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

void
cg_testreceiver_start (cg_testreceiver_t *r)
{
    char dir[512];
    const char *tmp = getenv ("CG_TEST_TMP");
    snprintf (dir, sizeof dir, "%s/receiver.XXXXXX", tmp ? tmp : "/tmp");
    cr_assert (mkdtemp (dir));
    r->http = cg_test_free_port ();
    do
        r->smtp = cg_test_free_port ();
    while (r->smtp == r->http);
    snprintf (r->log, sizeof r->log, "%s/received.log", dir);
    snprintf (r->url, sizeof r->url, "http://127.0.0.1:%d", r->http);
    char bin[600], http[16], smtp[16];
    const char *cg_bin = getenv ("CG_BIN");
    snprintf (bin, sizeof bin, "%s/../test/receiver", cg_bin ? cg_bin : "build/asan/bin");
    snprintf (http, sizeof http, "%d", r->http);
    snprintf (smtp, sizeof smtp, "%d", r->smtp);
    r->pid = fork ();
    if (r->pid == 0) {
        /*  it dies with the test, and holds none of the runner's pipes */
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        char out[600];
        snprintf (out, sizeof out, "%s/receiver.out", dir);
        int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2 (fd, 1);
        dup2 (fd, 2);
        close (fd);
        execl (bin, "receiver", "--http", http, "--smtp", smtp, "--log", r->log, "--secret",
               CG_TESTRECEIVER_SECRET, (char *) NULL);
        _exit (127);
    }
    /*  where tools/run-tests.sh looks for what to kill */
    char path[600];
    snprintf (path, sizeof path, "%s/run", dir);
    mkdir (path, 0755);
    snprintf (path, sizeof path, "%s/run/receiver.pid", dir);
    FILE *f = fopen (path, "w");
    fprintf (f, "%d\n", r->pid);
    fclose (f);
    /*  serving once it accepts a connection */
    for (int i = 0; i < 1200; i++) {
        int fd = socket (AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (r->http),
                                    .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
        int rc = connect (fd, (struct sockaddr *) &addr, sizeof addr);
        close (fd);
        if (rc == 0)
            return;
        usleep (50000);
    }
    cr_assert_fail ("the receiver did not start (%s)", bin);
}

void
cg_testreceiver_stop (cg_testreceiver_t *r)
{
    kill (r->pid, SIGKILL);
    waitpid (r->pid, NULL, 0);
}

void
cg_testreceiver_mode (cg_testreceiver_t *r, const char *name, const char *mode)
{
    char command[512];
    snprintf (command, sizeof command, "curl -s -m 60 -X PUT --data %s %s/_mode/%s >/dev/null",
              mode, r->url, name);
    cr_assert_eq (system (command), 0);
}

void
cg_testreceiver_secret (cg_testreceiver_t *r, const char *secret)
{
    char command[512];
    snprintf (command, sizeof command, "curl -s -m 60 -X PUT --data %s %s/_secret >/dev/null",
              secret, r->url);
    cr_assert_eq (system (command), 0);
}

int
cg_testreceiver_count (cg_testreceiver_t *r, const char *word1, const char *word2,
                       const char *word3)
{
    FILE *f = fopen (r->log, "r");
    if (!f)
        return 0;
    char *line = malloc (70000);
    int count = 0;
    while (fgets (line, 70000, f))
        if ((!word1 || strstr (line, word1)) && (!word2 || strstr (line, word2))
            && (!word3 || strstr (line, word3)))
            count++;
    free (line);
    fclose (f);
    return count;
}

int
cg_testreceiver_await (cg_testreceiver_t *r, int want, const char *word1, const char *word2,
                       const char *word3)
{
    int seen = 0;
    int64_t until = zclock_mono () + 60000;
    while ((seen = cg_testreceiver_count (r, word1, word2, word3)) < want
           && zclock_mono () < until)
        usleep (100000);
    return seen;
}

char *
cg_testreceiver_urls (cg_testreceiver_t *r, const char *people)
{
    static char out[4096];
    size_t used = 0;
    for (const char *p = people; *p && used + 64 < sizeof out; ) {
        if (strncmp (p, "URL", 3) == 0) {
            used += snprintf (out + used, sizeof out - used, "%s", r->url);
            p += 3;
        }
        else
            out[used++] = *p++;
    }
    out[used] = 0;
    return out;
}

char *
cg_testreceiver_notify_dir (cg_testreceiver_t *r, const char *people, int timeout_ms,
                            const char *settings)
{
    static char dir[512];
    const char *tmp = getenv ("CG_TEST_TMP");
    snprintf (dir, sizeof dir, "%s/notify.XXXXXX", tmp ? tmp : "/tmp");
    cr_assert (mkdtemp (dir));
    char command[2048];
    snprintf (command, sizeof command, "cp %s/deploy/notify/rules.tsv %s/ && cp -r "
              "%s/deploy/notify/templates %s/", cg_test_root (), dir, cg_test_root (), dir);
    cr_assert_eq (system (command), 0);
    char path[600];
    snprintf (path, sizeof path, "%s/directory.tsv", dir);
    FILE *f = fopen (path, "w");
    fputs (people, f);
    fclose (f);
    snprintf (path, sizeof path, "%s/notify.cfg", dir);
    f = fopen (path, "w");
    fprintf (f, "directory = directory.tsv\nchannels\n"
             "    hotline_url = \"%s/hotline/orders\"\n    hotline_secret = \"%s\"\n"
             "    citizen_sms = \"%s/sms/send\"\n    smtp_url = \"smtp://127.0.0.1:%d\"\n"
             "    connect_timeout_ms = %d\n    timeout_ms = %d\n%s",
             r->url, CG_TESTRECEIVER_SECRET, r->url, r->smtp, timeout_ms, timeout_ms, settings);
    fclose (f);
    return dir;
}
