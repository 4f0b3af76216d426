/*  cg_log — see cg_log.h.

    The stream given to zsys is a glibc cookie stream, fully buffered:
    zsys writes a line with fprintf and flushes it at once, under the
    stream's lock, so s_write sees whole lines from one thread at a time
    (the worker threads of cg_server_on_worker log too).  A line that
    arrives in pieces is put together in s_pending first. */
#define _GNU_SOURCE             /* fopencookie */
#include "cg_log.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <fcntl.h>
#include <unistd.h>

#define S_LINE_MAX  8192        /* a zsys line is at most 1024 bytes; JSON may escape each */

static FILE *s_stream;          /* what zsys writes to */
static char *s_file;            /* --log FILE, or NULL */
static char *s_name;
static bool s_json;
static char s_pending[S_LINE_MAX];
static size_t s_pending_len;

static const struct {
    char letter;
    const char *level;
} s_levels[] = {
    { 'E', "error" }, { 'W', "warning" }, { 'N', "notice" }, { 'I', "info" }, { 'D', "debug" },
};

/*  Appends text[0..len) to out as the inside of a JSON string: quotes,
    backslashes and control characters escaped, and each byte that is not
    part of well-formed UTF-8 written as U+FFFD, so that a log reader never
    meets a line it cannot parse. */
static size_t
s_json_text (char *out, size_t at, size_t outlen, const char *text, size_t len)
{
    for (size_t i = 0; i < len && at + 8 < outlen; ) {
        unsigned char c = (unsigned char) text[i];
        size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (c == '"' || c == '\\') {
            out[at++] = '\\';
            out[at++] = (char) c;
        }
        else
        if (c < 0x20 || c == 0x7f)
            at += (size_t) snprintf (out + at, outlen - at, "\\u%04x", c);
        else
        if (n == 0 || i + n > len || !cg_utf8_valid (text + i, n)) {
            at += (size_t) snprintf (out + at, outlen - at, "\\ufffd");
            n = 1;
        }
        else {
            memcpy (out + at, text + i, n);
            at += n;
        }
        i += n ? n : 1;
    }
    out[at] = 0;
    return at;
}

/*  "YY-MM-DD HH:MM:SS " as zsys writes its time */
static bool
s_zsys_time (const char *p, size_t len)
{
    const char *shape = "99-99-99 99:99:99 ";
    if (len < strlen (shape))
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == '9' ? !isdigit ((unsigned char) p[i]) : p[i] != shape[i])
            return false;
    return true;
}

void
cg_log_format (const char *line, size_t len, bool json, int64_t now_ms, char *out,
               size_t outlen)
{
    while (len > 0 && line[len - 1] == '\n')
        len--;
    const char *level = "info";
    const char *ident = s_name ? s_name : "";
    size_t ident_len = strlen (ident);
    char letter = 'I';
    const char *text = line;
    /*  "L: (ident) YY-MM-DD HH:MM:SS text"; anything else is kept whole */
    for (size_t i = 0; len >= 3 && i < sizeof s_levels / sizeof s_levels[0]; i++)
        if (line[0] == s_levels[i].letter && line[1] == ':' && line[2] == ' ') {
            letter = line[0];
            level = s_levels[i].level;
            text = line + 3;
        }
    if (text != line && text < line + len && *text == '(') {
        const char *close = memchr (text, ')', (size_t) (line + len - text));
        if (close && close + 1 < line + len && close[1] == ' ') {
            ident = text + 1;
            ident_len = (size_t) (close - ident);
            text = close + 2;
        }
    }
    if (text != line && s_zsys_time (text, (size_t) (line + len - text)))
        text += strlen ("99-99-99 99:99:99 ");
    size_t text_len = (size_t) (line + len - text);
    char time[40];
    cg_time_iso_ms (now_ms, time, sizeof time);
    if (!json) {
        snprintf (out, outlen, "%s %c (%.*s) %.*s\n", time, letter, (int) ident_len, ident,
                  (int) text_len, text);
        return;
    }
    size_t at = (size_t) snprintf (out, outlen, "{\"time\":\"%s\",\"level\":\"%s\",\"daemon\":\"",
                                   time, level);
    at = s_json_text (out, at, outlen, ident, ident_len);
    at += (size_t) snprintf (out + at, outlen - at, "\",\"msg\":\"");
    at = s_json_text (out, at, outlen, text, text_len);
    snprintf (out + at, outlen - at, "\"}\n");
}

static void
s_write_all (const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write (STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;             /* nowhere left to say so */
        p += w;
        n -= (size_t) w;
    }
}

static ssize_t
s_write (void *cookie, const char *buf, size_t size)
{
    (void) cookie;
    char out[S_LINE_MAX];
    for (size_t i = 0; i < size; i++) {
        if (s_pending_len < sizeof s_pending - 1)
            s_pending[s_pending_len++] = buf[i];
        if (buf[i] == '\n' || s_pending_len == sizeof s_pending - 1) {
            struct timespec ts;
            clock_gettime (CLOCK_REALTIME, &ts);
            cg_log_format (s_pending, s_pending_len, s_json,
                           (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000, out, sizeof out);
            s_write_all (out, strlen (out));
            s_pending_len = 0;
        }
    }
    return (ssize_t) size;
}

/*  Opens s_file onto standard output and error. */
static int
s_open_file (void)
{
    int fd = open (s_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    fflush (stdout);
    fflush (stderr);
    dup2 (fd, STDOUT_FILENO);
    dup2 (fd, STDERR_FILENO);
    close (fd);
    return 0;
}

int
cg_log_open (const char *name, const char *file, zconfig_t *config)
{
    cg_log_close ();
    const char *format = config ? zconfig_get (config, "log/format", "text") : "text";
    if (strcmp (format, "text") != 0 && strcmp (format, "json") != 0) {
        fprintf (stderr, "%s: log/format must be text or json, not \"%s\"\n", name, format);
        return -1;
    }
    s_json = strcmp (format, "json") == 0;
    s_name = strdup (name);
    if (file) {
        s_file = strdup (file);
        if (s_open_file ()) {
            fprintf (stderr, "%s: cannot open the log %s: %s\n", name, file, strerror (errno));
            cg_log_close ();
            return -1;
        }
    }
    cookie_io_functions_t io = { .write = s_write };
    s_stream = fopencookie (NULL, "w", io);
    if (!s_stream) {
        cg_log_close ();
        return -1;
    }
    setvbuf (s_stream, NULL, _IOFBF, S_LINE_MAX);
    zsys_set_logident (name);
    zsys_set_logstream (s_stream);
    return 0;
}

int
cg_log_reopen (void)
{
    if (!s_file)
        return 0;
    if (s_stream)
        fflush (s_stream);
    if (s_open_file ()) {
        zsys_error ("cannot open the log %s again: %s; still writing to the old one", s_file,
                    strerror (errno));
        return -1;
    }
    return 0;
}

void
cg_log_close (void)
{
    zsys_set_logstream (stderr);
    if (s_stream)
        fclose (s_stream);
    s_stream = NULL;
    free (s_file);
    s_file = NULL;
    free (s_name);
    s_name = NULL;
    s_pending_len = 0;
}
