/*  The locks below the gateway (cg_access.h): the secrets a stack gets,
    the ACL rules Redis enforces from its table, and which roles a key may
    assert.  The integration suite (the access suite) tries them against a stack. */
#include <criterion/criterion.h>
#include "cg_access.h"

#include <sys/stat.h>
#include <unistd.h>

static zconfig_t *
s_config (char *dir, size_t len, const char *extra_daemon)
{
    const char *tmp = getenv ("CG_TEST_TMP");
    snprintf (dir, len, "%s/access.XXXXXX", tmp ? tmp : "/tmp");
    cr_assert (mkdtemp (dir));
    zconfig_t *config = zconfig_new ("root", NULL);
    zconfig_putf (config, "access/dir", "%s/secrets", dir);
    zconfig_put (config, "redis/port", "7400");
    zconfig_put (config, "bus/publish", "tcp://127.0.0.1:7401");
    zconfig_put (config, "intake/endpoint", "tcp://127.0.0.1:7404");
    zconfig_put (config, "dispatch/endpoint", "tcp://127.0.0.1:7405");
    if (extra_daemon) {
        char path[64];
        snprintf (path, sizeof path, "%s/endpoint", extra_daemon);
        zconfig_put (config, path, "tcp://127.0.0.1:7406");
    }
    return config;
}

static mode_t
s_mode (const char *dir, const char *file)
{
    char path[700];
    snprintf (path, sizeof path, "%s/secrets/%s", dir, file);
    struct stat st;
    cr_assert_eq (stat (path, &st), 0, "no %s", path);
    return st.st_mode & 0777;
}

static char *
s_read (const char *dir, const char *file)
{
    char path[700];
    snprintf (path, sizeof path, "%s/secrets/%s", dir, file);
    char *text = zsys_sprintf ("%s", "");
    FILE *f = fopen (path, "r");
    cr_assert (f, "no %s", path);
    char line[4096];
    while (fgets (line, sizeof line, f)) {
        char *more = zsys_sprintf ("%s%s", text, line);
        zstr_free (&text);
        text = more;
    }
    fclose (f);
    return text;
}

Test (access, a_stack_gets_its_secrets_readable_by_its_owner_only)
{
    char dir[600];
    zconfig_t *config = s_config (dir, sizeof dir, NULL);
    cr_assert_eq (cg_access_make (config), 0);
    cr_assert_eq (s_mode (dir, ""), 0700);
    cr_assert_eq (s_mode (dir, "redis.acl"), 0600);
    cr_assert_eq (s_mode (dir, "redis/admin.pass"), 0600);
    cr_assert_eq (s_mode (dir, "redis/dispatch.pass"), 0600);
    cr_assert_eq (s_mode (dir, "curve/intake.key"), 0600);
    cr_assert_eq (s_mode (dir, "curve/allow/dispatch.cert"), 0600);
    char *pass = s_read (dir, "redis/dispatch.pass");
    cr_assert_eq (strlen (pass), 65, "256 bits in hex, and a newline");
    char *acl = s_read (dir, "redis.acl");
    cr_assert (strstr (acl, "user default off "), "%s", acl);
    cr_assert_not (strstr (acl, pass), "the ACL file holds no password, only its hash");
    /*  dispatch writes its own keys, reads intake's journal, registers as
        its consumer, and reads nothing else of intake's */
    char *line = strstr (acl, "user dispatch on #");
    cr_assert (line, "%s", acl);
    *strchr (line, '\n') = 0;
    cr_assert (strstr (line, " ~cg:{dispatch}:* "), "%s", line);
    cr_assert (strstr (line, " %R~cg:{intake}:journal "), "%s", line);
    cr_assert (strstr (line, " ~cg:{intake}:consumers"), "%s", line);
    cr_assert (strstr (line, "-@dangerous"), "%s", line);
    cr_assert_not (strstr (line, "req:"), "%s", line);
    /*  made again: the same password, the same key */
    char *key = s_read (dir, "curve/allow/dispatch.cert");
    cr_assert_eq (cg_access_make (config), 0);
    char *pass2 = s_read (dir, "redis/dispatch.pass"), *key2 = s_read (dir,
                                                                  "curve/allow/dispatch.cert");
    cr_assert_str_eq (pass, pass2);
    cr_assert_str_eq (key, key2);
    zstr_free (&pass);
    zstr_free (&pass2);
    zstr_free (&key);
    zstr_free (&key2);
    zstr_free (&acl);
    zconfig_destroy (&config);
}

Test (access, a_daemon_without_a_rule_is_refused_by_name)
{
    char dir[600];
    zconfig_t *config = s_config (dir, sizeof dir, "mystery");
    cr_assert_eq (cg_access_make (config), -1, "a daemon nobody wrote a row for");
    zconfig_destroy (&config);
}

Test (access, a_process_logs_in_as_the_principal_it_names)
{
    char dir[600];
    zconfig_t *config = s_config (dir, sizeof dir, NULL);
    cr_assert_eq (cg_access_make (config), 0);
    const char *user, *password;
    cr_assert_not (cg_access_redis_login (7400, &user, &password), "nothing used yet");
    cr_assert_eq (cg_access_use (config, "intake"), 0);
    cr_assert (cg_access_redis_login (7400, &user, &password));
    cr_assert_str_eq (user, "intake");
    char *pass = s_read (dir, "redis/intake.pass");
    cr_assert (strncmp (pass, password, 64) == 0);
    cr_assert_not (cg_access_redis_login (7500, &user, &password), "another Redis");
    zstr_free (&pass);
    /*  a socket to an address of the stack gets CURVE; another is left be */
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    cr_assert_eq (cg_access_connect (sock, "tcp://127.0.0.1:7405"), 0);
    cr_assert_eq (zsock_mechanism (sock), ZMQ_CURVE);
    zsock_destroy (&sock);
    sock = zsock_new (ZMQ_DEALER);
    cr_assert_eq (cg_access_connect (sock, "tcp://127.0.0.1:9999"), 0);
    cr_assert_eq (zsock_mechanism (sock), ZMQ_NULL);
    zsock_destroy (&sock);
    /*  a key that cannot be read is said so */
    zconfig_t *other = s_config (dir, sizeof dir, NULL);
    cr_assert_eq (cg_access_make (other), 0);
    cr_assert_eq (cg_access_use (other, "/nonexistent/clerk.key"), -1);
    cg_access_end ();
    cr_assert_not (cg_access_redis_login (7400, &user, &password));
    zconfig_destroy (&other);
    zconfig_destroy (&config);
}

Test (access, a_key_asserts_only_its_roles)
{
    cr_assert (cg_access_may_claim (NULL, "admin"), "an open stack");
    cr_assert (cg_access_may_claim ("*", "admin"));
    cr_assert (cg_access_may_claim ("center,unit", "unit"));
    cr_assert (cg_access_may_claim ("center,unit", "center"));
    cr_assert (cg_access_may_claim ("center", ""), "no claim");
    cr_assert_not (cg_access_may_claim ("center,unit", "admin"));
    cr_assert_not (cg_access_may_claim ("center", "cent"), "a prefix is not the role");
    cr_assert_not (cg_access_may_claim ("center", "centers"));
    cr_assert_not (cg_access_may_claim ("", "operator"));
}
