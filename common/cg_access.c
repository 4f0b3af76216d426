/*  cg_access — see cg_access.h.

    The stacks this process talks to are kept in a small registry, each
    with its addresses (command endpoints and the bus, each naming the
    daemon that serves it), its Redis port, and this process's key pair and
    Redis login on it.  A socket or a Redis connection finds its stack by
    the address it is about to use.  The gateway opens clients from several
    threads, hence the mutex.  One ZAP handler serves the process (ZeroMQ
    asks the handler of its context, whichever socket is being connected). */
#include "cg_access.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_ZAP_DOMAIN    "civgrid"
#define S_MAX_STACKS    16
#define S_PASS_BYTES    32      /* a Redis password: 256 random bits, in hex */

/*  One row per daemon.  `reads` names exactly the keys a daemon reads of
    others (grep its C and its Lua for cg:{other}:), `follows` the journals
    it applies (its cursor is its own key; the journal, its head and the
    consumers' set it registers in are the owner's). */
const cg_access_rule_t cg_access_rules[] = {
    { "broker",         false,  "", "", "" },
    { "intake",         true,   "cg:{dispatch}:case:*", "archive", "" },
    { "dispatch",       true,   "", "intake archive", "" },
    { "notification",   true,   "cg:{dispatch}:case:* cg:{intake}:req:* "
                                "cg:{consultation}:topic:*",
                                "intake dispatch consultation fund", "" },
    /*  a secret ballot's AOF is rewritten, so no log on disk ties a vote to a member */
    { "consultation",   true,   "cg:{dispatch}:case:*", "dispatch", "+bgrewriteaof" },
    /*  intake's reporter of a closed case: the fingerprint that earns its points */
    { "fund",           true,   "cg:{intake}:req:*", "consultation dispatch", "" },
    /*  INFO memory, for /metrics (civgrid_redis_used_memory_bytes); the
        archive's cursor on the audit log: Redis keeps less of what it has;
        the journals the event stream reads (stream.c); dispatch's current
        hot spots and consultation's topics of them (GET /api/v1/hotspots);
        notification's open failed-notice alarms and their centers' index
        (GET /api/v1/alarms) */
    { "gateway",        true,   "cg:{dispatch}:journal cg:{dispatch}:seq "
                                "cg:{notification}:journal cg:{notification}:seq "
                                "cg:{notification}:alarm:* cg:{notification}:alarms:* "
                                "cg:{archive}:cursor:audit cg:{dispatch}:hot "
                                "cg:{consultation}:hotspot", "", "+info" },
    /*  the audit log, kept for its retention in the store */
    { "archive",        true,   "cg:{dispatch}:case:* cg:{intake}:req:* cg:{gateway}:audit",
                                "intake dispatch", "" },
};
const size_t cg_access_rules_count = sizeof cg_access_rules / sizeof cg_access_rules[0];

/*  The commands a daemon may run: reads and writes of data, scripts,
    transactions, the connection's own commands; nothing that administers
    the server (CONFIG, ACL, SHUTDOWN, DEBUG ...), KEYS, FLUSH*, MONITOR,
    or flushing or killing the scripts every daemon shares. */
#define S_DAEMON_COMMANDS \
    "resetchannels -@all +@read +@write +@scripting +@connection +@transaction " \
    "+@keyspace +@fast -@dangerous -@admin -script|flush -script|kill +role"

/*  With replicas and Sentinels (docs/ARCHITECTURE.md, "Failover"): what a
    replica may run on its master to follow it (masteruser), what Sentinel
    may run on each Redis it watches (auth-user; Redis's own list for
    Sentinel), and what a daemon or the CLI may ask a Sentinel. */
#define S_REPLICA_USER      "replica"
#define S_SENTINEL_USER     "sentinel"
#define S_REPLICA_COMMANDS  "resetchannels -@all +psync +replconf +ping"
#define S_SENTINEL_COMMANDS "allchannels -@all +multi +slaveof +replicaof +ping +exec " \
    "+subscribe +config|rewrite +role +publish +info +client|setname +client|kill " \
    "+script|kill"
#define S_ASK_SENTINEL      "-@all +auth +hello +ping +sentinel|get-master-addr-by-name"

typedef struct {
    char endpoint[256];
    char server[32];
} s_address_t;

#define S_REDIS_PORTS   16      /* Redis's, its replicas' and the Sentinels' */

typedef struct {
    char *dir;
    int redis_ports[S_REDIS_PORTS];
    size_t nredis_ports;
    s_address_t *addresses;
    size_t naddresses;
    zcert_t *cert;              /* this process's key pair; NULL when unreadable */
    char *principal;
    char *user, *password;      /* the Redis login; NULL for a key without one */
} s_stack_t;

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static s_stack_t s_stacks[S_MAX_STACKS];
static size_t s_nstacks;
static zactor_t *s_auth;
static char *s_auth_dir;

/* --- files ---------------------------------------------------------------- */

static void
s_file (char *buf, size_t len, const char *dir, const char *sub, const char *name,
        const char *ext)
{
    snprintf (buf, len, "%s/%s%s%s", dir, sub, name, ext);
}

/*  The first line of a small file, or NULL. */
static char *
s_read_line (const char *path)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return NULL;
    char line[256];
    char *got = fgets (line, sizeof line, f);
    fclose (f);
    if (!got)
        return NULL;
    line[strcspn (line, "\r\n")] = 0;
    return strdup (line);
}

static int
s_mkdir (const char *path)
{
    if (mkdir (path, 0700) && errno != EEXIST) {
        fprintf (stderr, "civgrid: cannot create %s: %s\n", path, strerror (errno));
        return -1;
    }
    return chmod (path, 0700);
}

static const cg_access_rule_t *
s_rule (const char *name)
{
    for (size_t i = 0; i < cg_access_rules_count; i++)
        if (streq (cg_access_rules[i].name, name))
            return &cg_access_rules[i];
    return NULL;
}

/*  A key pair for name unless it has one: secret part in curve/NAME.key,
    public part (with the roles it may assert) on the allow list. */
static int
s_make_cert (const char *dir, const char *name, const char *roles, const char *out)
{
    char secret[PATH_MAX], public_[PATH_MAX];
    if (out)
        snprintf (secret, sizeof secret, "%s", out);
    else
        s_file (secret, sizeof secret, dir, "curve/", name, ".key");
    s_file (public_, sizeof public_, dir, "curve/allow/", name, ".cert");
    if (!out && access (secret, R_OK) == 0 && access (public_, R_OK) == 0)
        return 0;
    zcert_t *cert = zcert_new ();
    if (!cert)
        return -1;
    zcert_set_meta (cert, "name", "%s", name);
    zcert_set_meta (cert, "roles", "%s", roles);
    int rc = zcert_save_secret (cert, secret) || zcert_save_public (cert, public_) ? -1 : 0;
    chmod (secret, 0600);
    chmod (public_, 0600);
    zcert_destroy (&cert);
    if (rc)
        fprintf (stderr, "civgrid: cannot write the key of %s in %s\n", name, dir);
    return rc;
}

static int
s_make_password (const char *dir, const char *name)
{
    char path[PATH_MAX];
    s_file (path, sizeof path, dir, "redis/", name, ".pass");
    if (access (path, R_OK) == 0)
        return 0;
    unsigned char bytes[S_PASS_BYTES];
    char hex[S_PASS_BYTES * 2 + 1];
    randombytes_buf (bytes, sizeof bytes);
    sodium_bin2hex (hex, sizeof hex, bytes, sizeof bytes);
    sodium_memzero (bytes, sizeof bytes);
    FILE *f = fopen (path, "w");
    if (!f) {
        fprintf (stderr, "civgrid: cannot write %s: %s\n", path, strerror (errno));
        return -1;
    }
    fchmod (fileno (f), 0600);
    fprintf (f, "%s\n", hex);
    sodium_memzero (hex, sizeof hex);
    return fclose (f) ? -1 : 0;
}

/*  "user NAME on #SHA256 " for the password of name, into f. */
static int
s_acl_user (FILE *f, const char *dir, const char *name)
{
    char path[PATH_MAX];
    s_file (path, sizeof path, dir, "redis/", name, ".pass");
    char *password = s_read_line (path);
    if (!password)
        return -1;
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[sizeof hash * 2 + 1];
    crypto_hash_sha256 (hash, (const unsigned char *) password, strlen (password));
    sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
    sodium_memzero (password, strlen (password));
    free (password);
    fprintf (f, "user %s on #%s", name, hex);
    return 0;
}

/*  The key patterns of a space-separated list, each with a prefix. */
static void
s_acl_patterns (FILE *f, const char *prefix, const char *list, const char *format)
{
    char *copy = strdup (list);
    for (char *save = NULL, *word = strtok_r (copy, " ", &save); word;
         word = strtok_r (NULL, " ", &save)) {
        fprintf (f, " %s", prefix);
        fprintf (f, format, word);
    }
    free (copy);
}

/*  Whether the stack of config has replicas or Sentinels. */
static bool
s_replicated (zconfig_t *config)
{
    return *zconfig_get (config, "redis/sentinels", "")
        || atoi (zconfig_get (config, "redis/replicas", "0")) > 0;
}

static int
s_write_acl (const char *dir, zconfig_t *config)
{
    char path[PATH_MAX], temp[PATH_MAX + 8];
    snprintf (path, sizeof path, "%s/redis.acl", dir);
    snprintf (temp, sizeof temp, "%s.new", path);
    FILE *f = fopen (temp, "w");
    if (!f)
        return -1;
    fchmod (fileno (f), 0600);
    int rc = 0;
    /*  default is off: no connection is ever logged in as it.  It keeps
        every permission because Redis 7.0 replays the AOF as default and
        checks each MULTI/EXEC it replays (the effects of a script) against
        its permissions: without them a restart would drop every script's
        changes (redis/redis#14541, fixed after 7.2). */
    fprintf (f, "user default off resetpass ~* &* +@all\n");
    rc |= s_acl_user (f, dir, CG_ACCESS_ADMIN);
    fprintf (f, " ~* &* +@all\n");
    if (s_replicated (config)) {
        rc |= s_acl_user (f, dir, S_REPLICA_USER);
        fprintf (f, " " S_REPLICA_COMMANDS "\n");
        rc |= s_acl_user (f, dir, S_SENTINEL_USER);
        fprintf (f, " " S_SENTINEL_COMMANDS "\n");
    }
    for (zconfig_t *section = zconfig_child (config); section; section = zconfig_next (section)) {
        const cg_access_rule_t *rule = s_rule (zconfig_name (section));
        if (!zconfig_locate (section, "endpoint") || !rule || !rule->redis)
            continue;
        rc |= s_acl_user (f, dir, rule->name);
        /*  cg:layout, the store's layout version (cg_layout.h): every
            daemon reads it at start, and the first on an empty store
            writes it */
        fprintf (f, " " S_DAEMON_COMMANDS "%s%s resetkeys ~cg:{%s}:* ~cg:layout %%R~cg:{clock}:*"
                 " %%R~cg:{*}:cursor:%s", *rule->commands ? " " : "", rule->commands,
                 rule->name, rule->name);
        s_acl_patterns (f, "%R~", rule->reads, "%s");
        s_acl_patterns (f, "%R~", rule->follows, "cg:{%s}:journal");
        s_acl_patterns (f, "%R~", rule->follows, "cg:{%s}:seq");
        s_acl_patterns (f, "~", rule->follows, "cg:{%s}:consumers");
        fprintf (f, "\n");
    }
    rc |= fclose (f);
    if (rc == 0)
        rc = rename (temp, path);
    if (rc)
        fprintf (stderr, "civgrid: cannot write %s\n", path);
    return rc;
}

int
cg_access_make (zconfig_t *config)
{
    const char *dir = zconfig_get (config, "access/dir", "");
    if (!*dir)
        return 0;
    if (sodium_init () < 0)
        return -1;
    mode_t mask = umask (077);
    char path[PATH_MAX];
    int rc = s_mkdir (dir);
    const char *subs[] = { "redis", "curve", "curve/allow" };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0] && !rc; i++) {
        snprintf (path, sizeof path, "%s/%s", dir, subs[i]);
        rc = s_mkdir (path);
    }
    if (!rc)
        rc = s_make_cert (dir, CG_ACCESS_ADMIN, "*", NULL)
           | s_make_password (dir, CG_ACCESS_ADMIN);
    if (!rc && s_replicated (config))
        rc = s_make_password (dir, S_REPLICA_USER) | s_make_password (dir, S_SENTINEL_USER);
    for (zconfig_t *section = zconfig_child (config); section && !rc;
         section = zconfig_next (section)) {
        if (!zconfig_locate (section, "endpoint"))
            continue;
        const cg_access_rule_t *rule = s_rule (zconfig_name (section));
        if (!rule) {
            fprintf (stderr, "civgrid: %s has no access rule; add its row to cg_access_rules "
                     "(common/cg_access.c)\n", zconfig_name (section));
            rc = -1;
            break;
        }
        rc = s_make_cert (dir, rule->name, "*", NULL);
        if (!rc && rule->redis)
            rc = s_make_password (dir, rule->name);
    }
    if (!rc)
        rc = s_write_acl (dir, config);
    umask (mask);
    return rc;
}

/*  "KEYWORD PASSWORD" with the password of Redis user name, into f. */
static int
s_conf_password (FILE *f, const char *dir, const char *keyword, const char *name)
{
    char path[PATH_MAX];
    s_file (path, sizeof path, dir, "redis/", name, ".pass");
    char *password = s_read_line (path);
    if (!password)
        return -1;
    fprintf (f, "%s %s\n", keyword, password);
    sodium_memzero (password, strlen (password));
    free (password);
    return 0;
}

int
cg_access_write_replica (FILE *f, zconfig_t *config)
{
    const char *dir = zconfig_get (config, "access/dir", "");
    if (!*dir)
        return 0;
    fprintf (f, "masteruser " S_REPLICA_USER "\n");
    return s_conf_password (f, dir, "masterauth", S_REPLICA_USER);
}

int
cg_access_write_sentinel (FILE *f, zconfig_t *config, const char *master)
{
    const char *dir = zconfig_get (config, "access/dir", "");
    if (!*dir)
        return 0;
    char keyword[128];
    fprintf (f, "sentinel auth-user %s " S_SENTINEL_USER "\n", master);
    snprintf (keyword, sizeof keyword, "sentinel auth-pass %s", master);
    int rc = s_conf_password (f, dir, keyword, S_SENTINEL_USER);
    fprintf (f, "sentinel sentinel-user " S_SENTINEL_USER "\n");
    rc |= s_conf_password (f, dir, "sentinel sentinel-pass", S_SENTINEL_USER);
    /*  the Sentinel's own users: the other Sentinels and admin may do
        anything, a daemon only ask where the master is */
    fprintf (f, "user default off resetpass -@all\n");
    rc |= s_acl_user (f, dir, S_SENTINEL_USER);
    fprintf (f, " ~* &* +@all\n");
    rc |= s_acl_user (f, dir, CG_ACCESS_ADMIN);
    fprintf (f, " ~* &* +@all\n");
    for (zconfig_t *section = zconfig_child (config); section; section = zconfig_next (section)) {
        const cg_access_rule_t *rule = s_rule (zconfig_name (section));
        if (!zconfig_locate (section, "endpoint") || !rule || !rule->redis)
            continue;
        rc |= s_acl_user (f, dir, rule->name);
        fprintf (f, " " S_ASK_SENTINEL "\n");
    }
    return rc;
}

int
cg_access_add_client (zconfig_t *config, const char *name, const char *roles, const char *out)
{
    const char *dir = zconfig_get (config, "access/dir", "");
    if (!*dir) {
        fprintf (stderr, "civgrid: the stack has no access/dir: it is not locked\n");
        return -1;
    }
    if (s_rule (name) || streq (name, CG_ACCESS_ADMIN) || strchr (name, '/')
    ||  !*name || strlen (name) > 32) {
        fprintf (stderr, "civgrid: a client's name must be new, without '/', at most 32 "
                 "bytes, and not a daemon's or admin: \"%s\"\n", name);
        return -1;
    }
    char public_[PATH_MAX];
    s_file (public_, sizeof public_, dir, "curve/allow/", name, ".cert");
    if (access (public_, F_OK) == 0) {
        fprintf (stderr, "civgrid: a key named %s is on the allow list; `key remove %s` "
                 "first\n", name, name);
        return -1;
    }
    mode_t mask = umask (077);
    int rc = s_make_cert (dir, name, roles, out);
    umask (mask);
    return rc;
}

/* --- the registry --------------------------------------------------------- */

static void
s_add_address (s_stack_t *stack, const char *endpoint, const char *server)
{
    if (!endpoint || !*endpoint)
        return;
    stack->addresses = realloc (stack->addresses,
                                (stack->naddresses + 1) * sizeof *stack->addresses);
    assert (stack->addresses);
    s_address_t *a = &stack->addresses[stack->naddresses++];
    snprintf (a->endpoint, sizeof a->endpoint, "%s", endpoint);
    snprintf (a->server, sizeof a->server, "%s", server);
}

/*  The ports of the stack's Redis, of its replicas (redis/replica_ports)
    and of its Sentinels (redis/sentinels), on which this process logs in:
    after a failover the master is at a replica's port. */
static void
s_add_redis_ports (s_stack_t *stack, zconfig_t *config)
{
    stack->redis_ports[stack->nredis_ports++] = atoi (zconfig_get (config, "redis/port", "0"));
    const char *lists[] = { zconfig_get (config, "redis/replica_ports", ""),
                            zconfig_get (config, "redis/sentinels", "") };
    for (size_t l = 0; l < 2; l++)
        for (const char *at = lists[l]; *at && stack->nredis_ports < S_REDIS_PORTS; ) {
            size_t len = strcspn (at, ", ");
            const char *colon = memchr (at, ':', len);
            if (len)
                stack->redis_ports[stack->nredis_ports++] = atoi (colon ? colon + 1 : at);
            at += len;
            at += strspn (at, ", ");
        }
}

static void
s_stack_free (s_stack_t *stack)
{
    zcert_destroy (&stack->cert);
    if (stack->password)
        sodium_memzero (stack->password, strlen (stack->password));
    free (stack->password);
    free (stack->user);
    free (stack->principal);
    free (stack->dir);
    free (stack->addresses);
}

int
cg_access_use (zconfig_t *config, const char *principal)
{
    const char *dir = zconfig_get (config, "access/dir", "");
    if (!*dir)
        return 0;
    pthread_mutex_lock (&s_lock);
    /*  a stack used again is read again: its ports may have changed */
    s_stack_t *stack = NULL;
    for (size_t i = 0; i < s_nstacks && !stack; i++)
        if (streq (s_stacks[i].dir, dir)) {
            stack = &s_stacks[i];
            s_stack_free (stack);
        }
    if (!stack && s_nstacks == S_MAX_STACKS) {
        pthread_mutex_unlock (&s_lock);
        zsys_error ("access: more than %d stacks in one process", S_MAX_STACKS);
        return -1;
    }
    if (!stack)
        stack = &s_stacks[s_nstacks++];
    memset (stack, 0, sizeof *stack);
    stack->dir = strdup (dir);
    stack->principal = strdup (principal);
    s_add_redis_ports (stack, config);
    s_add_address (stack, zconfig_get (config, "bus/publish", NULL), "broker");
    s_add_address (stack, zconfig_get (config, "bus/subscribe", NULL), "broker");
    for (zconfig_t *section = zconfig_child (config); section; section = zconfig_next (section))
        s_add_address (stack, zconfig_get (section, "endpoint", NULL), zconfig_name (section));
    char path[PATH_MAX];
    bool named = !strchr (principal, '/');
    if (named)
        s_file (path, sizeof path, dir, "curve/", principal, ".key");
    else
        snprintf (path, sizeof path, "%s", principal);
    stack->cert = zcert_load (path);
    if (named) {
        s_file (path, sizeof path, dir, "redis/", principal, ".pass");
        stack->password = s_read_line (path);
        stack->user = stack->password ? strdup (principal) : NULL;
    }
    int rc = stack->cert ? 0 : -1;
    pthread_mutex_unlock (&s_lock);
    if (rc)
        zsys_error ("access: cannot read the key %s: %s; this process will be refused",
                    path, strerror (errno));
    return rc;
}

void
cg_access_end (void)
{
    pthread_mutex_lock (&s_lock);
    zactor_destroy (&s_auth);
    free (s_auth_dir);
    s_auth_dir = NULL;
    for (size_t i = 0; i < s_nstacks; i++)
        s_stack_free (&s_stacks[i]);
    s_nstacks = 0;
    pthread_mutex_unlock (&s_lock);
}

/*  The stack that has endpoint, and the server behind it; NULL: open. */
static s_stack_t *
s_stack_of (const char *endpoint, const char **server)
{
    for (size_t i = 0; i < s_nstacks; i++)
        for (size_t j = 0; j < s_stacks[i].naddresses; j++)
            if (streq (s_stacks[i].addresses[j].endpoint, endpoint)) {
                *server = s_stacks[i].addresses[j].server;
                return &s_stacks[i];
            }
    return NULL;
}

/*  The ZAP handler, started once, on the stack's allow list. */
static int
s_start_auth (s_stack_t *stack)
{
    char allow[PATH_MAX];
    snprintf (allow, sizeof allow, "%s/curve/allow", stack->dir);
    if (s_auth)
        return streq (s_auth_dir, allow) ? 0 : -1;
    s_auth = zactor_new (zauth, NULL);
    if (!s_auth)
        return -1;
    /*  verbose: every connection admitted or refused is logged, with its key */
    zstr_sendx (s_auth, "VERBOSE", NULL);
    zsock_wait (s_auth);
    zstr_sendx (s_auth, "CURVE", allow, NULL);
    zsock_wait (s_auth);
    s_auth_dir = strdup (allow);
    return 0;
}

int
cg_access_serve (zsock_t *sock, const char *endpoint)
{
    pthread_mutex_lock (&s_lock);
    const char *server = NULL;
    s_stack_t *stack = s_stack_of (endpoint, &server);
    int rc = 0;
    if (stack) {
        rc = stack->cert && s_start_auth (stack) == 0 ? 1 : -1;
        if (rc == 1) {
            zcert_apply (stack->cert, sock);
            zsock_set_curve_server (sock, 1);
            zsock_set_zap_domain (sock, S_ZAP_DOMAIN);
        }
        else
            zsys_error ("access: %s cannot serve %s: no key, or another stack's allow list",
                        stack->principal, endpoint);
    }
    pthread_mutex_unlock (&s_lock);
    return rc;
}

static int
s_on_refused (zloop_t *loop, zsock_t *monitor, void *arg)
{
    (void) loop;
    zmsg_t *msg = zmsg_recv (monitor);
    char *event = msg ? zmsg_popstr (msg) : NULL;
    zsys_warning ("access: refused a connection to %s: %s (no CURVE, or not this server's "
                  "key)", (const char *) arg, event ? event : "?");
    zstr_free (&event);
    zmsg_destroy (&msg);
    return 0;
}

zactor_t *
cg_access_watch (zsock_t *sock, const char *endpoint, zloop_t *loop)
{
    pthread_mutex_lock (&s_lock);
    const char *server = NULL;
    s_stack_t *stack = s_stack_of (endpoint, &server);
    /*  the endpoint as the stack knows it, which lives as long as it does */
    const char *where = NULL;
    for (size_t i = 0; stack && i < stack->naddresses && !where; i++)
        if (streq (stack->addresses[i].endpoint, endpoint))
            where = stack->addresses[i].endpoint;
    pthread_mutex_unlock (&s_lock);
    if (!stack)
        return NULL;
    zactor_t *monitor = zactor_new (zmonitor, sock);
    zstr_sendx (monitor, "LISTEN", "HANDSHAKE_FAILED_PROTOCOL", "HANDSHAKE_FAILED_NO_DETAIL",
                NULL);
    zstr_send (monitor, "START");
    zsock_wait (monitor);
    zloop_reader (loop, (zsock_t *) monitor, s_on_refused, (void *) where);
    return monitor;
}

int
cg_access_connect (zsock_t *sock, const char *endpoint)
{
    pthread_mutex_lock (&s_lock);
    const char *server = NULL;
    s_stack_t *stack = s_stack_of (endpoint, &server);
    int rc = 0;
    if (stack) {
        char path[PATH_MAX];
        s_file (path, sizeof path, stack->dir, "curve/allow/", server, ".cert");
        zcert_t *theirs = stack->cert ? zcert_load (path) : NULL;
        if (theirs) {
            zcert_apply (stack->cert, sock);
            zsock_set_curve_serverkey (sock, zcert_public_txt (theirs));
            zcert_destroy (&theirs);
        }
        else {
            zsys_error ("access: %s has no key for %s (%s): it will be refused",
                        stack->principal, endpoint, server);
            rc = -1;
        }
    }
    pthread_mutex_unlock (&s_lock);
    return rc;
}

bool
cg_access_redis_login (int port, const char **user, const char **password)
{
    pthread_mutex_lock (&s_lock);
    bool found = false;
    for (size_t i = 0; i < s_nstacks && !found; i++)
        for (size_t j = 0; j < s_stacks[i].nredis_ports && !found; j++)
            if (s_stacks[i].redis_ports[j] == port && s_stacks[i].user) {
                *user = s_stacks[i].user;
                *password = s_stacks[i].password;
                found = true;
            }
    pthread_mutex_unlock (&s_lock);
    return found;
}

bool
cg_access_may_claim (const char *roles, const char *role)
{
    if (!roles || !role || !*role || streq (roles, "*"))
        return true;
    size_t len = strlen (role);
    for (const char *at = roles; *at; ) {
        size_t n = strcspn (at, ",");
        if (n == len && memcmp (at, role, len) == 0)
            return true;
        at += n + (at[n] == ',');
    }
    return false;
}
