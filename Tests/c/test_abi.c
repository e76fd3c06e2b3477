/*
 * test_abi.c — exercises include/vibectl.h against the built libvibectl.so from plain C.
 *
 * Build and run with scripts/test-c.sh. Every check prints on failure; the last line is
 * "N passed, N failed" and the exit status is non-zero when anything failed.
 * All files live in a mkdtemp directory passed as config_dir; the real ~/.config is never used.
 */
#define _XOPEN_SOURCE 700

#include "vibectl.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int passed = 0;
static int failed = 0;
static const char *current_step = "start";

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            fprintf(stderr, "FAIL %s:%d [%s] %s: ", __FILE__, __LINE__,      \
                    current_step, #cond);                                    \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

/* Checks that the last call failed with `expected` and left a usable error record. */
#define CHECK_STATUS(rc, expected)                                                     \
    do {                                                                               \
        int rc_ = (rc);                                                                \
        const vibectl_error *e_ = vibectl_error_last();                                \
        CHECK(rc_ == (expected), "returned %s (%d), expected %s; message: %s",         \
              vibectl_status_name(rc_), rc_, vibectl_status_name(expected),            \
              e_ && e_->message ? e_->message : "(null)");                             \
        if ((expected) != VIBECTL_OK) {                                                \
            CHECK(e_ != NULL && e_->code == (expected), "error_last()->code is %d",    \
                  e_ ? e_->code : 0);                                                  \
            CHECK(e_ != NULL && e_->message != NULL && e_->message[0] != '\0',         \
                  "error message is empty");                                           \
        }                                                                              \
    } while (0)

static char tmpdir[256];
static char config_dir[512];

/* ------------------------------------------------------------------------- */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------- */

static void step(const char *name) {
    current_step = name;
}

static void on_alarm(int sig) {
    static const char msg[] = "TIMEOUT: a libvibectl call hung (deadlock?)\n";
    (void)sig;
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
    _exit(3);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/*
 * Finds the value of the first "key" member in a JSON text: returns a pointer to the
 * first character of the value, or NULL. Tolerant of whitespace; nothing fancy.
 */
static const char *json_value(const char *json, const char *key) {
    char pattern[256];
    const char *p;
    if (json == NULL) return NULL;
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    p = json;
    while ((p = strstr(p, pattern)) != NULL) {
        const char *q = p + strlen(pattern);
        while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r') q++;
        if (*q == ':') {
            q++;
            while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r') q++;
            return q;
        }
        p = q;
    }
    return NULL;
}

/* Whether the first "key" member's value starts with `literal` (e.g. "true", "\"file\"", "10"). */
static int json_is(const char *json, const char *key, const char *literal) {
    const char *v = json_value(json, key);
    return v != NULL && strncmp(v, literal, strlen(literal)) == 0;
}

static int write_script(const char *path, const char *body) {
    FILE *f = fopen(path, "w");
    if (f == NULL) return -1;
    fprintf(f, "#!/bin/sh\n%s\n", body);
    if (fclose(f) != 0) return -1;
    return chmod(path, 0755);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (f == NULL) return NULL;
    buf = calloc(1, 65536);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0) fprintf(stderr, "warning: could not remove %s: %s\n", path, strerror(errno));
    return 0; /* keep walking */
}

/* Removes every VIBECTL_* variable so the environment cannot change what the test sees. */
static void scrub_environment(void) {
    int again = 1;
    while (again) {
        char **e;
        again = 0;
        for (e = environ; e != NULL && *e != NULL; e++) {
            if (strncmp(*e, "VIBECTL_", 8) == 0) {
                char name[256];
                const char *eq = strchr(*e, '=');
                size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
                if (len >= sizeof name) len = sizeof name - 1;
                memcpy(name, *e, len);
                name[len] = '\0';
                unsetenv(name);
                again = 1;
                break;
            }
        }
    }
}

static vibectl_client *new_client(const char *extra_json) {
    char options[2048];
    vibectl_client *c = NULL;
    int rc;
    snprintf(options, sizeof options, "{\"version\":1,\"config_dir\":\"%s\"%s%s}", config_dir,
             extra_json ? "," : "", extra_json ? extra_json : "");
    rc = vibectl_client_new(&c, options);
    CHECK(rc == VIBECTL_OK && c != NULL, "vibectl_client_new(%s) -> %s: %s", options,
          vibectl_status_name(rc), vibectl_error_last()->message);
    return c;
}

/* ------------------------------------------------------------------------- */
/* Versions, status names, errors                                            */
/* ------------------------------------------------------------------------- */

static void test_versions(void) {
    step("versions");
    CHECK(strcmp(vibectl_version_string(), VIBECTL_VERSION_STRING) == 0, "runtime %s vs header %s",
          vibectl_version_string(), VIBECTL_VERSION_STRING);
    CHECK(vibectl_version_number() == VIBECTL_VERSION_NUMBER, "runtime %d vs header %d",
          vibectl_version_number(), VIBECTL_VERSION_NUMBER);
    CHECK(VIBECTL_VERSION_NUMBER ==
              VIBECTL_VERSION_MAJOR * 10000 + VIBECTL_VERSION_MINOR * 100 + VIBECTL_VERSION_PATCH,
          "VIBECTL_VERSION_NUMBER disagrees with the parts");
    {
        char expected[32];
        snprintf(expected, sizeof expected, "%d.%d.%d", VIBECTL_VERSION_MAJOR, VIBECTL_VERSION_MINOR,
                 VIBECTL_VERSION_PATCH);
        CHECK(strcmp(expected, VIBECTL_VERSION_STRING) == 0, "VIBECTL_VERSION_STRING is %s, parts say %s",
              VIBECTL_VERSION_STRING, expected);
    }
    CHECK(vibectl_abi_version() == VIBECTL_ABI_VERSION, "ABI mismatch: library %d, header %d",
          vibectl_abi_version(), VIBECTL_ABI_VERSION);
}

static void test_status_names(void) {
    static const struct {
        int code;
        const char *name;
    } table[] = {
        {VIBECTL_OK, "VIBECTL_OK"},           {VIBECTL_ERROR, "VIBECTL_ERROR"},
        {VIBECTL_EINVAL, "VIBECTL_EINVAL"},   {VIBECTL_ENOTFOUND, "VIBECTL_ENOTFOUND"},
        {VIBECTL_ECONFIG, "VIBECTL_ECONFIG"}, {VIBECTL_EIO, "VIBECTL_EIO"},
        {VIBECTL_ELOCKED, "VIBECTL_ELOCKED"}, {VIBECTL_ECANCELED, "VIBECTL_ECANCELED"},
        {VIBECTL_EUSER, "VIBECTL_EUSER"},     {VIBECTL_ETIMEOUT, "VIBECTL_ETIMEOUT"},
        {VIBECTL_EKUBECTL, "VIBECTL_EKUBECTL"}, {VIBECTL_EMODEL, "VIBECTL_EMODEL"},
        {VIBECTL_ETRANSIENT, "VIBECTL_ETRANSIENT"}, {VIBECTL_EAUTH, "VIBECTL_EAUTH"},
    };
    static const int unknown[] = {1, 42, -14, -99, -2147483647 - 1, 2147483647};
    size_t i;
    step("status names");
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *got = vibectl_status_name(table[i].code);
        CHECK(got != NULL && strcmp(got, table[i].name) == 0, "status_name(%d) = %s, expected %s",
              table[i].code, got ? got : "(null)", table[i].name);
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *got = vibectl_status_name(unknown[i]);
        CHECK(got != NULL && strcmp(got, "VIBECTL_UNKNOWN") == 0, "status_name(%d) = %s", unknown[i],
              got ? got : "(null)");
    }
}

static void test_error_record(void) {
    const vibectl_error *e;
    char *out = (char *)1;
    step("error record");
    CHECK_STATUS(vibectl_config_schema(NULL), VIBECTL_EINVAL);
    vibectl_error_clear();
    e = vibectl_error_last();
    CHECK(e != NULL && e->code == VIBECTL_OK, "after clear, code is %d", e ? e->code : 0);
    CHECK(e != NULL && e->message != NULL, "message is NULL after clear");

    CHECK_STATUS(vibectl_config_schema(NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_schema(&out), VIBECTL_OK);
    e = vibectl_error_last();
    CHECK(e->code == VIBECTL_OK && e->message != NULL && e->message[0] == '\0',
          "a successful call did not clear the last error: code %d message '%s'", e->code,
          e->message ? e->message : "(null)");
    CHECK(out != NULL && strstr(out, "memory.max_chars") != NULL && json_is(out, "version", "1"),
          "schema lacks memory.max_chars or version: %.200s", out ? out : "(null)");
    vibectl_string_free(out);

    /* Both accept NULL; reaching the next line is the test. */
    vibectl_string_free(NULL);
    vibectl_client_free(NULL);
}

/* ------------------------------------------------------------------------- */
/* NULL and invalid input                                                    */
/* ------------------------------------------------------------------------- */

#define SENTINEL ((char *)&passed)

static void test_null_handling(vibectl_client *c) {
    char *out = NULL;
    vibectl_client *cl = (vibectl_client *)&passed;
    int code = 12345;
    step("NULL handling");

    CHECK_STATUS(vibectl_config_schema(NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_client_new(NULL, NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_client_new(NULL, "{\"version\":1}"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_client_cancel(NULL), VIBECTL_EINVAL);

    /* out parameters must be set to NULL on failure */
    out = SENTINEL;
    CHECK_STATUS(vibectl_config_get(NULL, "llm.model", &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "config_get did not NULL *out on failure");
    out = SENTINEL;
    CHECK_STATUS(vibectl_config_get(c, NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "config_get did not NULL *out on failure");
    CHECK_STATUS(vibectl_config_get(c, "llm.model", NULL), VIBECTL_EINVAL);

    CHECK_STATUS(vibectl_config_set(NULL, "llm.model", "x"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_set(c, NULL, "x"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_set(c, "llm.model", NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_set_json(NULL, "memory.max_chars", "5"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_set_json(c, NULL, "5"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_set_json(c, "memory.max_chars", NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_unset(NULL, "llm.model"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_unset(c, NULL), VIBECTL_EINVAL);

    out = SENTINEL;
    CHECK_STATUS(vibectl_config_show(NULL, "", &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "config_show did not NULL *out on failure");
    CHECK_STATUS(vibectl_config_show(c, "", NULL), VIBECTL_EINVAL);
    out = SENTINEL;
    CHECK_STATUS(vibectl_config_info(NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "config_info did not NULL *out on failure");
    CHECK_STATUS(vibectl_config_info(c, NULL), VIBECTL_EINVAL);

    out = SENTINEL;
    CHECK_STATUS(vibectl_memory_get(NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "memory_get did not NULL *out on failure");
    CHECK_STATUS(vibectl_memory_get(c, NULL), VIBECTL_EINVAL);
    out = SENTINEL;
    CHECK_STATUS(vibectl_memory_set(NULL, "x", &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "memory_set did not NULL *out on failure");
    out = SENTINEL;
    CHECK_STATUS(vibectl_memory_set(c, NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "memory_set did not NULL *out on failure");
    CHECK_STATUS(vibectl_memory_set(c, NULL, NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_memory_clear(NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_memory_freeze(NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_memory_unfreeze(NULL), VIBECTL_EINVAL);
    out = SENTINEL;
    CHECK_STATUS(vibectl_memory_status(NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "memory_status did not NULL *out on failure");
    CHECK_STATUS(vibectl_memory_status(c, NULL), VIBECTL_EINVAL);

    CHECK_STATUS(vibectl_kubectl_passthrough(NULL, "[\"version\"]", NULL, NULL, &code), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_kubectl_passthrough(c, NULL, NULL, NULL, &code), VIBECTL_EINVAL);
    CHECK(code == 12345 || code == 0, "out_exit_code set to %d on a refused call", code);

    /* a NULL client must not be written into on failure of client_new with bad options */
    CHECK_STATUS(vibectl_client_new(&cl, "{"), VIBECTL_EINVAL);
    CHECK(cl == NULL, "client_new did not NULL *out on failure");
}

static void test_invalid_input(vibectl_client *c) {
    char *out = NULL;
    vibectl_client *cl = NULL;
    int code = 0;
    step("invalid input");

    /* invalid UTF-8 */
    CHECK_STATUS(vibectl_config_get(c, "llm.\xff\xfe", &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "out not NULL");
    CHECK_STATUS(vibectl_config_set(c, "llm.model", "bad\xc3\x28utf8"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_set(c, "\xc0\xaf", "x"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_set_json(c, "memory.max_chars", "\"\xed\xa0\x80\""), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_unset(c, "\x80"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_config_show(c, "\xfe", &out), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_memory_set(c, "trailing \xe2\x82", NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"\xff\"]", NULL, NULL, &code), VIBECTL_EINVAL);

    /* malformed JSON */
    CHECK_STATUS(vibectl_config_set_json(c, "memory.max_chars", "{not json"), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\",", NULL, NULL, &code), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "{\"args\":[]}", NULL, NULL, &code), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\", 3]", NULL, NULL, &code), VIBECTL_EINVAL);

    /* client options */
    CHECK_STATUS(vibectl_client_new(&cl, "{"), VIBECTL_EINVAL);
    CHECK(cl == NULL, "client on failure");
    CHECK_STATUS(vibectl_client_new(&cl, "[1,2]"), VIBECTL_EINVAL);
    CHECK(cl == NULL, "client on failure");
    CHECK_STATUS(vibectl_client_new(&cl, "{\"version\":1,\"no_such_option\":true}"), VIBECTL_EINVAL);
    CHECK(cl == NULL, "client on failure");
    CHECK(strstr(vibectl_error_last()->message, "no_such_option") != NULL,
          "unknown option not named: %s", vibectl_error_last()->message);
    CHECK_STATUS(vibectl_client_new(&cl, "{\"version\":1,\"config_dir\":42}"), VIBECTL_EINVAL);
    CHECK(cl == NULL, "client on failure");
    CHECK_STATUS(vibectl_client_new(&cl, "{\"version\":1,\"overrides\":{\"llm.no_such_key\":\"x\"}}"),
                 VIBECTL_ENOTFOUND);
    CHECK(cl == NULL, "client on failure");
    CHECK_STATUS(vibectl_client_new(&cl, "{\"version\":1,\"overrides\":{\"memory.max_chars\":\"lots\"}}"),
                 VIBECTL_EINVAL);
    CHECK(cl == NULL, "client on failure");
    CHECK_STATUS(vibectl_client_new(&cl, "{\"version\":1,\"config_dir\":\"\xff\"}"), VIBECTL_EINVAL);
    CHECK(cl == NULL, "client on failure");

    /* defaults (NULL options) work and read no file */
    CHECK_STATUS(vibectl_client_new(&cl, NULL), VIBECTL_OK);
    CHECK(cl != NULL, "client_new(NULL options) gave no client");
    vibectl_client_free(cl);
}

/* ------------------------------------------------------------------------- */
/* Configuration                                                             */
/* ------------------------------------------------------------------------- */

static void test_config(vibectl_client *c) {
    char *out = NULL;
    const char *msg;
    step("config get default");
    CHECK_STATUS(vibectl_config_get(c, "memory.max_chars", &out), VIBECTL_OK);
    CHECK(json_is(out, "key", "\"memory.max_chars\"") && json_is(out, "value", "500") &&
              json_is(out, "source", "\"default\"") && json_is(out, "version", "1"),
          "unexpected: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("config info before any write");
    CHECK_STATUS(vibectl_config_info(c, &out), VIBECTL_OK);
    CHECK(json_is(out, "exists", "false"), "config file exists before any write: %s", out ? out : "(null)");
    CHECK(out != NULL && strstr(out, config_dir) != NULL, "info does not name the config dir: %s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("config set/get");
    CHECK_STATUS(vibectl_config_set(c, "memory.max_chars", "42"), VIBECTL_OK);
    CHECK_STATUS(vibectl_config_get(c, "memory.max_chars", &out), VIBECTL_OK);
    CHECK(json_is(out, "value", "42") && json_is(out, "source", "\"file\""), "after set: %s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_set(c, "display.show_vibe", "off"), VIBECTL_OK);
    CHECK_STATUS(vibectl_config_get(c, "display.show_vibe", &out), VIBECTL_OK);
    CHECK(json_is(out, "value", "false"), "'off' did not coerce to false: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_set_json(c, "memory.max_chars", "77"), VIBECTL_OK);
    CHECK_STATUS(vibectl_config_get(c, "memory.max_chars", &out), VIBECTL_OK);
    CHECK(json_is(out, "value", "77"), "after set_json: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_set(c, "memory.max_chars", "many"), VIBECTL_EINVAL);

    step("config info after write");
    CHECK_STATUS(vibectl_config_info(c, &out), VIBECTL_OK);
    CHECK(json_is(out, "exists", "true"), "config file missing after set: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("config show");
    CHECK_STATUS(vibectl_config_show(c, NULL, &out), VIBECTL_OK);
    CHECK(json_is(out, "scope", "\"all\"") && strstr(out, "memory") != NULL && strstr(out, "llm") != NULL,
          "show all: %.300s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_show(c, "", &out), VIBECTL_OK);
    CHECK(json_is(out, "scope", "\"all\""), "show '': %.300s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_show(c, "memory", &out), VIBECTL_OK);
    CHECK(json_is(out, "scope", "\"section\"") && strstr(out, "max_chars") != NULL &&
              strstr(out, "show_vibe") == NULL,
          "show section: %.300s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_show(c, "memory.max_chars", &out), VIBECTL_OK);
    CHECK(json_is(out, "scope", "\"key\"") && strstr(out, "77") != NULL, "show key: %.300s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_show(c, "no_such_section", &out), VIBECTL_ENOTFOUND);
    CHECK(out == NULL, "out set on failure");

    step("config unknown key");
    CHECK_STATUS(vibectl_config_get(c, "display.them", &out), VIBECTL_ENOTFOUND);
    msg = vibectl_error_last()->message;
    CHECK(strstr(msg, "did you mean") != NULL && strstr(msg, "theme") != NULL,
          "no suggestion for display.them: %s", msg);
    CHECK_STATUS(vibectl_config_set(c, "memory.max_char", "10"), VIBECTL_ENOTFOUND);
    msg = vibectl_error_last()->message;
    CHECK(strstr(msg, "did you mean") != NULL && strstr(msg, "max_chars") != NULL,
          "no suggestion for memory.max_char: %s", msg);

    step("config bad enum");
    CHECK_STATUS(vibectl_config_set(c, "display.show_metrics", "lots"), VIBECTL_EINVAL);
    msg = vibectl_error_last()->message;
    CHECK(strstr(msg, "none") != NULL && strstr(msg, "total") != NULL && strstr(msg, "all") != NULL,
          "bad enum message does not list the values: %s", msg);
    CHECK_STATUS(vibectl_config_set(c, "display.show_metrics", "total"), VIBECTL_OK);

    step("config unset");
    CHECK_STATUS(vibectl_config_unset(c, "memory.max_chars"), VIBECTL_OK);
    CHECK_STATUS(vibectl_config_get(c, "memory.max_chars", &out), VIBECTL_OK);
    CHECK(json_is(out, "value", "500") && json_is(out, "source", "\"default\""), "after unset: %s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_unset(c, "memory.max_chars"), VIBECTL_OK);
    CHECK_STATUS(vibectl_config_unset(c, "memory.max_charz"), VIBECTL_ENOTFOUND);

    step("config overrides");
    {
        vibectl_client *o = new_client("\"overrides\":{\"memory.max_chars\":\"321\"}");
        if (o != NULL) {
            CHECK_STATUS(vibectl_config_get(o, "memory.max_chars", &out), VIBECTL_OK);
            CHECK(json_is(out, "value", "321") && json_is(out, "source", "\"override\""), "override: %s",
                  out ? out : "(null)");
            vibectl_string_free(out);
            out = NULL;
            vibectl_client_free(o);
        }
        /* the override is per handle: the first client does not see it */
        CHECK_STATUS(vibectl_config_get(c, "memory.max_chars", &out), VIBECTL_OK);
        CHECK(json_is(out, "value", "500"), "override leaked into another client: %s", out ? out : "(null)");
        vibectl_string_free(out);
        out = NULL;
    }
}

/* ------------------------------------------------------------------------- */
/* Memory                                                                    */
/* ------------------------------------------------------------------------- */

static void test_memory(vibectl_client *c) {
    char *out = NULL;
    step("memory empty");
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && out[0] == '\0', "memory not empty at start: '%s'", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("memory set/get");
    CHECK_STATUS(vibectl_memory_set(c, "pods in ns web are crashlooping", NULL), VIBECTL_OK);
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strcmp(out, "pods in ns web are crashlooping") == 0, "memory: '%s'",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("memory status");
    CHECK_STATUS(vibectl_memory_status(c, &out), VIBECTL_OK);
    CHECK(json_is(out, "chars", "31") && json_is(out, "max_chars", "500") && json_is(out, "frozen", "false") &&
              json_is(out, "content", "\"pods in ns web") && json_is(out, "version", "1"),
          "status: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("memory truncation");
    CHECK_STATUS(vibectl_config_set(c, "memory.max_chars", "10"), VIBECTL_OK);
    CHECK_STATUS(vibectl_memory_set(c, "0123456789abcdefghij", &out), VIBECTL_OK);
    CHECK(json_is(out, "truncated", "true"), "truncation not reported: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strcmp(out, "0123456789") == 0, "memory not cut to 10 chars: '%s'", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    /* multi-byte characters: 12 x "é" (2 bytes each) must become 10 characters, 20 bytes */
    CHECK_STATUS(vibectl_memory_set(c, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                       "\xc3\xa9\xc3\xa9\xc3\xa9",
                                    NULL),
                 VIBECTL_OK);
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strlen(out) == 20, "cut inside a UTF-8 sequence or wrong length: %zu bytes",
          out ? strlen(out) : 0);
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_memory_set(c, "short", &out), VIBECTL_OK);
    CHECK(json_is(out, "truncated", "false"), "short text reported truncated: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_unset(c, "memory.max_chars"), VIBECTL_OK);

    step("memory freeze/unfreeze");
    CHECK_STATUS(vibectl_memory_freeze(c), VIBECTL_OK);
    CHECK_STATUS(vibectl_memory_status(c, &out), VIBECTL_OK);
    CHECK(json_is(out, "frozen", "true"), "not frozen: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_config_get(c, "memory.enabled", &out), VIBECTL_OK);
    CHECK(json_is(out, "value", "false") && json_is(out, "source", "\"file\""),
          "freeze not persisted as memory.enabled=false: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_memory_set(c, "explicit while frozen", NULL), VIBECTL_OK);
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strcmp(out, "explicit while frozen") == 0, "explicit set while frozen lost: '%s'",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_memory_unfreeze(c), VIBECTL_OK);
    CHECK_STATUS(vibectl_memory_status(c, &out), VIBECTL_OK);
    CHECK(json_is(out, "frozen", "false"), "still frozen: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("memory clear");
    CHECK_STATUS(vibectl_memory_clear(c), VIBECTL_OK);
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && out[0] == '\0', "memory not cleared: '%s'", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("memory survives a new client");
    CHECK_STATUS(vibectl_memory_set(c, "persisted", NULL), VIBECTL_OK);
    {
        vibectl_client *again = new_client(NULL);
        if (again != NULL) {
            CHECK_STATUS(vibectl_memory_get(again, &out), VIBECTL_OK);
            CHECK(out != NULL && strcmp(out, "persisted") == 0, "second client sees '%s'", out ? out : "(null)");
            vibectl_string_free(out);
            out = NULL;
            vibectl_client_free(again);
        }
    }
    CHECK_STATUS(vibectl_memory_clear(c), VIBECTL_OK);
}

/* ------------------------------------------------------------------------- */
/* kubectl pass-through                                                      */
/* ------------------------------------------------------------------------- */

struct events {
    vibectl_client *client;
    int started;
    int exited;
    int total;
    int out_of_order;
    int abort_on_event; /* abort (return non-zero) on this event number (1-based); 0 = never */
    int reentered_ok;
    int bad_json;
    char exited_json[2048];
};

static int on_event(const char *event_json, void *user_data) {
    struct events *ev = (struct events *)user_data;
    ev->total++;
    if (event_json == NULL || !json_is(event_json, "version", "1") || json_value(event_json, "seq") == NULL ||
        json_value(event_json, "time") == NULL || json_value(event_json, "data") == NULL) {
        ev->bad_json++;
    }
    if (json_is(event_json, "type", "\"command_started\"")) {
        if (ev->exited > 0) ev->out_of_order++;
        ev->started++;
        /* callbacks may call back into the library, on the same client */
        if (ev->client != NULL) {
            char *out = NULL;
            if (vibectl_config_get(ev->client, "core.kubectl_command", &out) == VIBECTL_OK && out != NULL) {
                ev->reentered_ok++;
            }
            vibectl_string_free(out);
        }
    } else if (json_is(event_json, "type", "\"command_exited\"")) {
        if (ev->started == 0) ev->out_of_order++;
        ev->exited++;
        snprintf(ev->exited_json, sizeof ev->exited_json, "%s", event_json);
    }
    if (ev->abort_on_event != 0 && ev->total == ev->abort_on_event) return 1;
    return 0;
}

struct canceller {
    vibectl_client *client;
    long delay_ms;
    int rc;
};

static void *cancel_later(void *arg) {
    struct canceller *cn = (struct canceller *)arg;
    sleep_ms(cn->delay_ms);
    cn->rc = vibectl_client_cancel(cn->client);
    return NULL;
}

static void test_passthrough(vibectl_client *c) {
    char fake[512], sleeper[512], argv_file[512], missing[512];
    char body[1024];
    char *text;
    int code = -1;
    struct events ev;
    double t0, elapsed;

    snprintf(fake, sizeof fake, "%s/fake-kubectl", tmpdir);
    snprintf(sleeper, sizeof sleeper, "%s/sleepy-kubectl", tmpdir);
    snprintf(argv_file, sizeof argv_file, "%s/argv.txt", tmpdir);
    snprintf(missing, sizeof missing, "%s/no-such-dir/kubectl", tmpdir);
    snprintf(body, sizeof body, "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done > '%s'\nexit 7", argv_file);
    CHECK(write_script(fake, body) == 0, "could not write %s", fake);
    CHECK(write_script(sleeper, "exec sleep 30") == 0, "could not write %s", sleeper);

    step("passthrough exit code and argv");
    CHECK_STATUS(vibectl_config_set(c, "core.kubectl_command", fake), VIBECTL_OK);
    memset(&ev, 0, sizeof ev);
    ev.client = c;
    code = -1;
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\",\"pods\",\"a b\",\"$(touch x)\",\";\",\"\\\"q\\\"\"]",
                                             on_event, &ev, &code),
                 VIBECTL_OK);
    CHECK(code == 7, "exit code %d, expected 7", code);
    CHECK(ev.started == 1 && ev.exited == 1 && ev.total == 2, "events: started %d exited %d total %d",
          ev.started, ev.exited, ev.total);
    CHECK(ev.out_of_order == 0, "command_exited came before command_started");
    CHECK(ev.bad_json == 0, "%d events lack version/seq/time/data", ev.bad_json);
    CHECK(ev.reentered_ok == 1, "calling back into the library from the callback failed");
    CHECK(json_is(ev.exited_json, "exit_code", "7"), "command_exited: %s", ev.exited_json);
    text = read_file(argv_file);
    CHECK(text != NULL && strcmp(text, "get\npods\na b\n$(touch x)\n;\n\"q\"\n") == 0, "fake saw argv:\n%s",
          text ? text : "(nothing)");
    free(text);
    remove(argv_file);

    step("passthrough --kubeconfig");
    CHECK_STATUS(vibectl_config_set(c, "core.kubeconfig", "/tmp/some kubeconfig"), VIBECTL_OK);
    code = -1;
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"version\"]", NULL, NULL, &code), VIBECTL_OK);
    CHECK(code == 7, "exit code %d", code);
    text = read_file(argv_file);
    CHECK(text != NULL && strcmp(text, "--kubeconfig\n/tmp/some kubeconfig\nversion\n") == 0,
          "fake saw argv:\n%s", text ? text : "(nothing)");
    free(text);
    remove(argv_file);
    CHECK_STATUS(vibectl_config_unset(c, "core.kubeconfig"), VIBECTL_OK);

    step("passthrough NULL out_exit_code and empty args");
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[]", NULL, NULL, NULL), VIBECTL_OK);
    remove(argv_file);

    step("passthrough callback abort");
    memset(&ev, 0, sizeof ev);
    ev.abort_on_event = 1;
    CHECK_STATUS(vibectl_config_set(c, "core.kubectl_command", sleeper), VIBECTL_OK);
    t0 = now_seconds();
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\"]", on_event, &ev, &code), VIBECTL_EUSER);
    elapsed = now_seconds() - t0;
    CHECK(elapsed < 5.0, "abort by callback took %.1f s", elapsed);
    CHECK(ev.started == 1, "started events: %d", ev.started);

    step("passthrough cancel from another thread");
    {
        pthread_t th;
        struct canceller cn;
        cn.client = c;
        cn.delay_ms = 300;
        cn.rc = -100;
        CHECK(pthread_create(&th, NULL, cancel_later, &cn) == 0, "pthread_create failed");
        t0 = now_seconds();
        CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\"]", NULL, NULL, &code), VIBECTL_ECANCELED);
        elapsed = now_seconds() - t0;
        pthread_join(th, NULL);
        CHECK(cn.rc == VIBECTL_OK, "vibectl_client_cancel returned %d", cn.rc);
        CHECK(elapsed >= 0.2 && elapsed < 5.0, "cancelled call returned after %.2f s", elapsed);
    }

    step("passthrough after cancel is unaffected");
    CHECK_STATUS(vibectl_client_cancel(c), VIBECTL_OK); /* nothing running: still OK */
    CHECK_STATUS(vibectl_config_set(c, "core.kubectl_command", fake), VIBECTL_OK);
    code = -1;
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\"]", NULL, NULL, &code), VIBECTL_OK);
    CHECK(code == 7, "exit code %d after an earlier cancel", code);
    remove(argv_file);

    step("passthrough missing kubectl");
    CHECK_STATUS(vibectl_config_set(c, "core.kubectl_command", missing), VIBECTL_OK);
    CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\"]", NULL, NULL, &code), VIBECTL_EKUBECTL);
    CHECK(strstr(vibectl_error_last()->message, missing) != NULL, "message does not name the command: %s",
          vibectl_error_last()->message);
    CHECK(vibectl_error_last()->hint != NULL && strstr(vibectl_error_last()->hint, "core.kubectl_command") != NULL,
          "no hint: %s", vibectl_error_last()->hint ? vibectl_error_last()->hint : "(null)");
    {
        vibectl_client *o = new_client("\"overrides\":{\"core.kubectl_command\":\"vibectl-no-such-kubectl-xyz\"}");
        if (o != NULL) {
            memset(&ev, 0, sizeof ev);
            CHECK_STATUS(vibectl_kubectl_passthrough(o, "[\"get\"]", on_event, &ev, &code), VIBECTL_EKUBECTL);
            CHECK(strstr(vibectl_error_last()->message, "vibectl-no-such-kubectl-xyz") != NULL,
                  "message does not name the command: %s", vibectl_error_last()->message);
            CHECK(ev.started == 0, "command_started although nothing started");
            vibectl_client_free(o);
        }
    }
    step("passthrough not executable");
    {
        char noexec[512];
        snprintf(noexec, sizeof noexec, "%s/noexec-kubectl", tmpdir);
        CHECK(write_script(noexec, "exit 0") == 0 && chmod(noexec, 0644) == 0, "could not write %s", noexec);
        CHECK_STATUS(vibectl_config_set(c, "core.kubectl_command", noexec), VIBECTL_OK);
        CHECK_STATUS(vibectl_kubectl_passthrough(c, "[\"get\"]", NULL, NULL, &code), VIBECTL_EKUBECTL);
    }
    CHECK_STATUS(vibectl_config_unset(c, "core.kubectl_command"), VIBECTL_OK);
}

/* ------------------------------------------------------------------------- */
/* Threads                                                                   */
/* ------------------------------------------------------------------------- */

struct thread_probe {
    int initial_code;
    int own_rc;
    int own_code;
};

static void *probe_errors(void *arg) {
    struct thread_probe *p = (struct thread_probe *)arg;
    char *out = NULL;
    p->initial_code = vibectl_error_last()->code;
    p->own_rc = vibectl_config_schema(&out);
    vibectl_string_free(out);
    p->own_code = vibectl_error_last()->code;
    return NULL;
}

static void test_thread_errors(vibectl_client *c) {
    pthread_t th;
    struct thread_probe probe;
    char *out = NULL;
    step("per-thread errors");
    CHECK_STATUS(vibectl_config_get(c, "nope.nope", &out), VIBECTL_ENOTFOUND);
    memset(&probe, 0, sizeof probe);
    probe.initial_code = 12345;
    CHECK(pthread_create(&th, NULL, probe_errors, &probe) == 0, "pthread_create failed");
    pthread_join(th, NULL);
    CHECK(probe.initial_code == VIBECTL_OK, "thread B saw thread A's error: %d", probe.initial_code);
    CHECK(probe.own_rc == VIBECTL_OK && probe.own_code == VIBECTL_OK, "thread B's own call: %d/%d", probe.own_rc,
          probe.own_code);
    CHECK(vibectl_error_last()->code == VIBECTL_ENOTFOUND, "thread A's error changed to %d by thread B",
          vibectl_error_last()->code);
}

/* Models without a network: everything here fails (or succeeds) before any request is sent. */
static void test_models(vibectl_client *c) {
    char *out = NULL;
    step("models");

    CHECK_STATUS(vibectl_models_list(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"default\":\"claude-3.7-sonnet\"") != NULL, "models_list: %s", out ? out : "(null)");
    CHECK(out != NULL && strstr(out, "\"key_available\"") != NULL, "models_list has no key_available");
    vibectl_string_free(out);

    out = SENTINEL;
    CHECK_STATUS(vibectl_models_list(NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "models_list did not NULL *out on failure");
    CHECK_STATUS(vibectl_models_list(c, NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_client_metrics(c, NULL), VIBECTL_EINVAL);
    out = SENTINEL;
    CHECK_STATUS(vibectl_client_metrics(NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "client_metrics did not NULL *out on failure");
    CHECK_STATUS(vibectl_client_metrics(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"calls\":0") != NULL, "fresh client metrics: %s", out ? out : "(null)");
    vibectl_string_free(out);

    out = SENTINEL;
    CHECK_STATUS(vibectl_complete(c, NULL, NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "complete did not NULL *out on failure");
    CHECK_STATUS(vibectl_complete(c, "{\"user\":\"hi\"}", NULL, NULL, NULL), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_complete(c, "{\"user\":", NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_complete(c, "{\"user\":\"hi\",\"temperature\":9}", NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK(strstr(vibectl_error_last()->message, "temperature") != NULL, "message: %s", vibectl_error_last()->message);

    /* An unknown bare name is a permanent model error listing the known names. */
    CHECK_STATUS(vibectl_complete(c, "{\"user\":\"hi\",\"model\":\"no-such-model\"}", NULL, NULL, &out),
                 VIBECTL_EMODEL);
    CHECK(strstr(vibectl_error_last()->message, "no-such-model") != NULL, "message: %s", vibectl_error_last()->message);
    CHECK_STATUS(vibectl_model_check(c, "no-such-model", &out), VIBECTL_EMODEL);

    /* No key anywhere for Gemini (scrub_environment cleared the variables): EAUTH with the ways to set one. */
    CHECK_STATUS(vibectl_complete(c, "{\"user\":\"hi\",\"model\":\"gemini:gemini-2.5-flash\"}", NULL, NULL, &out),
                 VIBECTL_EAUTH);
    CHECK(vibectl_error_last()->hint != NULL && strstr(vibectl_error_last()->hint, "VIBECTL_GEMINI_API_KEY") != NULL,
          "hint: %s", vibectl_error_last()->hint ? vibectl_error_last()->hint : "(null)");
}

/* Classification, compaction, redaction: pure functions of the input and the config. */
static void test_output(vibectl_client *c) {
    char *out = NULL;
    step("classify, compact, redact");

    CHECK_STATUS(vibectl_classify(c, "[\"get\",\"pods\"]", NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"verdict\":\"safe\"") != NULL, "classify get: %s", out ? out : "(null)");
    vibectl_string_free(out);
    CHECK_STATUS(vibectl_classify(c, "[\"get\",\"pods\",\"&&\",\"curl\",\"evil\"]", NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"verdict\":\"reject\"") != NULL, "classify &&: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = SENTINEL;
    CHECK_STATUS(vibectl_classify(c, NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "classify did not NULL *out on failure");

    CHECK_STATUS(vibectl_compact(c, "plain words", "{\"budget\":1000}", &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "plain words") != NULL, "compact: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = SENTINEL;
    CHECK_STATUS(vibectl_compact(c, "x", "{\"budget\":-1}", &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "compact did not NULL *out on failure");

    CHECK_STATUS(vibectl_redact(c, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n", &out),
                 VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7") == NULL, "redact kept the key: %s",
          out ? out : "(null)");
    CHECK(out != NULL && strstr(out, "[REDACTED:") != NULL, "redact: %s", out ? out : "(null)");
    vibectl_string_free(out);
    CHECK_STATUS(vibectl_redact(NULL, "x", &out), VIBECTL_EINVAL);
}

/* ------------------------------------------------------------------------- */


/* ------------------------------------------------------------------------- */
/* Vibe engine (against Tests/c/fake_llm.py, started by scripts/test-c.sh)   */
/* ------------------------------------------------------------------------- */

static char llm_dir[512];

/* Scripts the fake's next structured replies: one JSON value per line. */
static void llm_script(const char *lines) {
    char tmp[600], path[600];
    FILE *f;
    snprintf(tmp, sizeof tmp, "%s/replies.tmp", llm_dir);
    snprintf(path, sizeof path, "%s/replies.jsonl", llm_dir);
    f = fopen(tmp, "w");
    CHECK(f != NULL, "cannot write %s", tmp);
    if (f == NULL) return;
    fputs(lines, f);
    fclose(f);
    CHECK(rename(tmp, path) == 0, "cannot rename %s", tmp);
}

/* Forgets the requests the fake recorded so far. */
static void llm_reset(void) {
    char path[600];
    snprintf(path, sizeof path, "%s/requests.jsonl", llm_dir);
    remove(path);
}

/* The request bodies recorded since llm_reset(); free() it. */
static char *llm_requests(void) {
    char path[600];
    char *text;
    snprintf(path, sizeof path, "%s/requests.jsonl", llm_dir);
    text = read_file(path);
    return text ? text : calloc(1, 1);
}

static int count_lines(const char *text) {
    int n = 0;
    for (; text && *text; text++) n += *text == '\n';
    return n;
}

struct engine_events {
    int plan, summary_text, command_started, confirm_requested, done, other;
    char summary[1024];
};

static int on_engine_event(const char *event_json, void *user_data) {
    struct engine_events *ev = (struct engine_events *)user_data;
    if (json_is(event_json, "type", "\"plan\"")) ev->plan++;
    else if (json_is(event_json, "type", "\"summary_text\"")) {
        const char *text = json_value(json_value(event_json, "data"), "text");
        ev->summary_text++;
        if (text != NULL && *text == '"') {
            const char *end = strchr(text + 1, '"');
            size_t len = end ? (size_t)(end - text - 1) : 0;
            size_t used = strlen(ev->summary);
            if (used + len < sizeof ev->summary) strncat(ev->summary, text + 1, len);
        }
    } else if (json_is(event_json, "type", "\"command_started\"")) ev->command_started++;
    else if (json_is(event_json, "type", "\"confirm_requested\"")) ev->confirm_requested++;
    else if (json_is(event_json, "type", "\"done\"")) ev->done++;
    else ev->other++;
    return 0;
}

struct confirm_state {
    int answers[4];
    int count;
    int asked;
    const char *note;
    char last_request[2048];
};

static int on_confirm(const char *request_json, char *note, size_t note_size, void *user_data) {
    struct confirm_state *cs = (struct confirm_state *)user_data;
    int answer = cs->asked < cs->count ? cs->answers[cs->asked] : VIBECTL_CONFIRM_NO;
    cs->asked++;
    snprintf(cs->last_request, sizeof cs->last_request, "%s", request_json);
    CHECK(note != NULL && note_size == VIBECTL_CONFIRM_NOTE_SIZE && note[0] == '\0', "note buffer not as documented");
    if (cs->note != NULL && note != NULL) snprintf(note, note_size, "%s", cs->note);
    return answer;
}

static void test_engine(void) {
    char kubectl[600], argv_file[600], out_file[600], options[2048], body[2400];
    char *out = NULL, *text = NULL, *requests = NULL;
    struct engine_events ev;
    struct confirm_state cs;
    vibectl_client *c;
    const char *dir = getenv("CTEST_LLM_DIR");
    FILE *url_file;
    char url[256] = "";

    step("engine setup");
    if (dir == NULL) {
        printf("note: CTEST_LLM_DIR is not set (no fake LLM server); engine scenarios skipped\n");
        return;
    }
    snprintf(llm_dir, sizeof llm_dir, "%s", dir);
    snprintf(body, sizeof body, "%s/url", llm_dir);
    url_file = fopen(body, "r");
    CHECK(url_file != NULL && fgets(url, sizeof url, url_file) != NULL, "no fake LLM url in %s", body);
    if (url_file) fclose(url_file);
    if (url[0] == '\0') return;

    snprintf(kubectl, sizeof kubectl, "%s/engine-kubectl", tmpdir);
    snprintf(argv_file, sizeof argv_file, "%s/engine-kubectl.argv", tmpdir);
    snprintf(out_file, sizeof out_file, "%s/engine-kubectl.out", tmpdir);
    snprintf(body, sizeof body,
             ": > '%s'\nfor a in \"$@\"; do printf '%%s\\n' \"$a\" >> '%s'; done\ncat '%s' 2>/dev/null\nexit 0",
             argv_file, argv_file, out_file);
    CHECK(write_script(kubectl, body) == 0, "could not write %s", kubectl);

    setenv("OPENAI_API_KEY", "sk-proj-CTESTengine0123456789abcdefghijklmn", 1);
    snprintf(options, sizeof options,
             "\"overrides\":{\"llm.model\":\"openai:gpt-4o\",\"providers.openai.base_url\":\"%s\","
             "\"core.kubectl_command\":\"%s\",\"llm.retry_delay_seconds\":0.001}",
             url, kubectl);
    c = new_client(options);
    unsetenv("OPENAI_API_KEY");
    if (c == NULL) return;
    CHECK_STATUS(vibectl_memory_clear(c), VIBECTL_OK);

    step("engine: plan only");
    llm_reset();
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"get\",\"pods\"],\"explanation\":\"list\"}}\n");
    memset(&ev, 0, sizeof ev);
    CHECK_STATUS(vibectl_plan(c, "show my pods", NULL, on_engine_event, &ev, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"action_type\":\"COMMAND\"") != NULL, "plan: %s", out ? out : "(null)");
    CHECK(out != NULL && strstr(out, "\"display\":\"kubectl get pods\"") != NULL, "plan display: %s", out ? out : "(null)");
    CHECK(out != NULL && strstr(out, "\"verdict\":\"safe\"") != NULL, "plan safety: %s", out ? out : "(null)");
    CHECK(ev.plan == 1, "plan events: %d", ev.plan);
    vibectl_string_free(out);
    out = NULL;
    requests = llm_requests();
    CHECK(count_lines(requests) == 1 && strstr(requests, "show my pods") != NULL, "plan requests: %.300s", requests);
    free(requests);

    step("engine: vibe, confirmed yes, summary streamed, memory updated");
    llm_reset();
    remove(argv_file);
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"delete\",\"pod\",\"web-1\"],\"explanation\":\"gone\"}}\n"
               "{\"summary\":\"Deleted web-1.\",\"memory\":\"web-1 was deleted\"}\n");
    memset(&ev, 0, sizeof ev);
    memset(&cs, 0, sizeof cs);
    cs.answers[0] = VIBECTL_CONFIRM_YES;
    cs.count = 1;
    CHECK_STATUS(vibectl_vibe(c, "delete web-1", NULL, on_engine_event, &ev, on_confirm, &cs, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "status", "\"completed\"") && json_is(out, "exit_code", "0"), "vibe: %.400s",
          out ? out : "(null)");
    CHECK(cs.asked == 1 && strstr(cs.last_request, "\"command\":\"kubectl delete pod web-1\"") != NULL,
          "confirm asked %d: %s", cs.asked, cs.last_request);
    text = read_file(argv_file);
    CHECK(text != NULL && strcmp(text, "delete\npod\nweb-1\n") == 0, "kubectl argv: %s", text ? text : "(not run)");
    free(text);
    CHECK(ev.summary_text >= 1 && strcmp(ev.summary, "Deleted web-1.") == 0, "streamed summary (%d): %s",
          ev.summary_text, ev.summary);
    CHECK(ev.done == 1, "done events: %d", ev.done);
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "web-1 was deleted") != NULL, "memory: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("engine: no confirm callback -> needs_confirmation, not run");
    llm_reset();
    remove(argv_file);
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"delete\",\"pod\",\"web-2\"]}}\n");
    CHECK_STATUS(vibectl_vibe(c, "delete web-2", NULL, NULL, NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "status", "\"needs_confirmation\"") && json_is(out, "exit_code", "11"), "%.300s",
          out ? out : "(null)");
    CHECK(access(argv_file, F_OK) != 0, "kubectl ran without confirmation");
    vibectl_string_free(out);
    out = NULL;

    step("engine: no_but with a note -> declined, note folded into memory");
    llm_reset();
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"delete\",\"pod\",\"web-3\"]}}\n"
               "{\"memory\":\"never delete web-3\"}\n");
    memset(&cs, 0, sizeof cs);
    cs.answers[0] = VIBECTL_CONFIRM_NO_BUT;
    cs.count = 1;
    cs.note = "never delete web-3";
    CHECK_STATUS(vibectl_vibe(c, "delete web-3", NULL, NULL, NULL, on_confirm, &cs, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "status", "\"declined\"") && json_is(out, "exit_code", "10"), "%.300s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    requests = llm_requests();
    CHECK(count_lines(requests) == 2 && strstr(requests, "never delete web-3") != NULL, "memory call: %.300s", requests);
    free(requests);
    CHECK_STATUS(vibectl_memory_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "never delete web-3") != NULL, "memory: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("engine: a confirm callback returning a non-choice aborts with EUSER");
    llm_reset();
    remove(argv_file);
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"delete\",\"pod\",\"web-4\"]}}\n");
    memset(&cs, 0, sizeof cs);
    cs.answers[0] = 42;
    cs.count = 1;
    CHECK_STATUS(vibectl_vibe(c, "delete web-4", NULL, NULL, NULL, on_confirm, &cs, &out), VIBECTL_EUSER);
    CHECK(out == NULL, "out set on failure");
    CHECK(access(argv_file, F_OK) != 0, "kubectl ran after an aborting answer");

    step("engine: a shell-operator plan is rejected");
    llm_reset();
    remove(argv_file);
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"get\",\"pods\",\"&&\",\"rm\",\"-rf\",\"/\"]}}\n");
    CHECK_STATUS(vibectl_vibe(c, "pods", "{\"yes\":true}", NULL, NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "status", "\"rejected\"") && json_is(out, "exit_code", "12"), "%.300s",
          out ? out : "(null)");
    CHECK(access(argv_file, F_OK) != 0, "kubectl ran a rejected plan");
    vibectl_string_free(out);
    out = NULL;

    step("engine: execute a given plan; secrets in the output never reach the model");
    llm_reset();
    {
        FILE *f = fopen(out_file, "w");
        CHECK(f != NULL, "cannot write %s", out_file);
        if (f) {
            fputs("DB_PASSWORD=hunter2-ctest-secret-value\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", f);
            fclose(f);
        }
    }
    llm_script("{\"summary\":\"Two settings.\",\"memory\":\"env checked\"}\n");
    CHECK_STATUS(vibectl_execute(c, "{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"get\",\"configmap\",\"web\",\"-o\",\"yaml\"]}}",
                                 "{\"mode\":\"auto\"}", NULL, NULL, NULL, NULL, &out),
                 VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"summary\":\"Two settings.\"") != NULL, "execute: %.400s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    requests = llm_requests();
    CHECK(count_lines(requests) == 1, "execute made %d model calls", count_lines(requests));
    CHECK(strstr(requests, "hunter2-ctest-secret-value") == NULL && strstr(requests, "wJalrXUtnFEMI") == NULL,
          "a secret reached the model: %.500s", requests);
    CHECK(strstr(requests, "REDACTED") != NULL, "no redaction marker: %.300s", requests);
    free(requests);
    remove(out_file);

    step("engine: summarize and memory update");
    llm_reset();
    llm_script("{\"summary\":\"It panicked on a nil map.\",\"memory\":\"web panics\"}\n");
    CHECK_STATUS(vibectl_summarize(c, "10:00 panic: assignment to entry in nil map\n", "{\"verb\":\"logs\"}", NULL, NULL, &out),
                 VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "It panicked on a nil map.") != NULL && strstr(out, "\"compaction\"") != NULL,
          "summarize: %.300s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    llm_script("{\"memory\":\"staging is ours\"}\n");
    CHECK_STATUS(vibectl_memory_update(c, "the staging namespace is ours", NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"memory\":\"staging is ours\"") != NULL, "memory update: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_memory_update(c, "   ", NULL, NULL, NULL, &out), VIBECTL_EINVAL);

    step("engine: custom instructions reach the planner");
    CHECK_STATUS(vibectl_instructions_set(c, "Always use namespace shop."), VIBECTL_OK);
    CHECK_STATUS(vibectl_instructions_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "Always use namespace shop.") != NULL, "instructions: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    llm_reset();
    llm_script("{\"action\":{\"action_type\":\"DONE\",\"exit_code\":0,\"explanation\":\"nothing to do\"}}\n");
    CHECK_STATUS(vibectl_vibe(c, "anything left?", NULL, NULL, NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "status", "\"done\""), "%.300s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    requests = llm_requests();
    CHECK(strstr(requests, "Always use namespace shop.") != NULL, "instructions not in the planning prompt");
    free(requests);
    CHECK_STATUS(vibectl_instructions_clear(c), VIBECTL_OK);
    CHECK_STATUS(vibectl_instructions_get(c, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "instructions", "null"), "cleared: %s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;

    step("engine: check — iteration 1's output reaches iteration 2; verdict false (1)");
    llm_reset();
    {
        FILE *f = fopen(out_file, "w");
        if (f) {
            fputs("NAME STATUS\nweb-9 CrashLoopBackOff\n", f);
            fclose(f);
        }
    }
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"get\",\"pods\"]}}\n"
               "{\"action\":{\"action_type\":\"DONE\",\"exit_code\":1,\"explanation\":\"web-9 crash-loops\"}}\n");
    CHECK_STATUS(vibectl_check(c, "all pods are running", NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "verdict", "\"false\"") && strstr(out, "\"exit_code\":1,\"explanation\"") != NULL,
          "check: %.300s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    requests = llm_requests();
    CHECK(count_lines(requests) == 2, "check made %d model calls", count_lines(requests));
    {
        const char *second = strchr(requests, '\n');
        CHECK(second != NULL && strstr(second, "web-9 CrashLoopBackOff") != NULL, "output not fed back: %.200s", requests);
    }
    free(requests);
    remove(out_file);

    step("engine: check refuses a mutating plan (cannot determine, 3)");
    remove(argv_file);
    llm_script("{\"action\":{\"action_type\":\"COMMAND\",\"commands\":[\"delete\",\"pod\",\"web-9\"]}}\n");
    CHECK_STATUS(vibectl_check(c, "web-9 can go", NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "verdict", "\"cannot_determine\"") && strstr(out, "\"exit_code\":3") != NULL,
          "check: %.300s", out ? out : "(null)");
    CHECK(access(argv_file, F_OK) != 0, "check ran a mutating command");
    vibectl_string_free(out);
    out = NULL;

    step("engine: loop — a halting error exits non-zero; the step limit exits 4");
    llm_script("{\"action\":{\"action_type\":\"ERROR\",\"message\":\"no cluster\"}}\n");
    CHECK_STATUS(vibectl_loop(c, "fix it", "{\"mode\":\"auto\"}", NULL, NULL, NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "end", "\"halted\"") && !json_is(out, "exit_code", "0"), "loop: %.300s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    llm_script("{\"action\":{\"action_type\":\"THOUGHT\",\"text\":\"one\"}}\n"
               "{\"action\":{\"action_type\":\"THOUGHT\",\"text\":\"two\"}}\n");
    CHECK_STATUS(vibectl_loop(c, "think", "{\"mode\":\"auto\"}", "{\"max_steps\":2}", NULL, NULL, NULL, NULL, &out),
                 VIBECTL_OK);
    CHECK(out != NULL && json_is(out, "end", "\"limit_reached\"") && json_is(out, "exit_code", "4"), "loop: %.300s",
          out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    CHECK_STATUS(vibectl_loop(c, "x", NULL, "{\"max_steps\":-1}", NULL, NULL, NULL, NULL, &out), VIBECTL_EINVAL);

    step("engine: run the user's own command, summarised; diff's exit 1 is success");
    llm_reset();
    {
        FILE *f = fopen(out_file, "w");
        if (f) {
            fputs("web-1 Running\n", f);
            fclose(f);
        }
    }
    llm_script("{\"summary\":\"web-1 runs.\",\"memory\":\"web-1 runs\"}\n");
    CHECK_STATUS(vibectl_run(c, "[\"get\",\"pods\",\"--chunk-size=7\",\"-l\",\"app=a b\"]", NULL, NULL, NULL, &out), VIBECTL_OK);
    CHECK(out != NULL && strstr(out, "\"summary\":\"web-1 runs.\"") != NULL && json_is(out, "status", "\"completed\""),
          "run: %.300s", out ? out : "(null)");
    vibectl_string_free(out);
    out = NULL;
    text = read_file(argv_file);
    CHECK(text != NULL && strcmp(text, "get\npods\n--chunk-size=7\n-l\napp=a b\n") == 0, "run argv: %s", text ? text : "(not run)");
    free(text);
    remove(out_file);
    CHECK_STATUS(vibectl_run(c, "[\"--help\"]", NULL, NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_run(c, "[\"get\",\"pods\"]", "{\"allowed_exit_codes\":\"0\"}", NULL, NULL, &out), VIBECTL_EINVAL);

    step("engine: bad input");
    CHECK_STATUS(vibectl_plan(c, NULL, NULL, NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_plan(c, "x", "{\"mode\":\"reckless\"}", NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK(strstr(vibectl_error_last()->message, "reckless") != NULL, "message: %s", vibectl_error_last()->message);
    CHECK_STATUS(vibectl_execute(c, "{\"action\":{\"action_type\":\"COMMAND\"}}", NULL, NULL, NULL, NULL, NULL, &out),
                 VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_execute(c, "[]", NULL, NULL, NULL, NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK_STATUS(vibectl_vibe(NULL, "x", NULL, NULL, NULL, NULL, NULL, &out), VIBECTL_EINVAL);
    CHECK(out == NULL, "out set on failure");

    vibectl_client_free(c);
}

int main(void) {
    vibectl_client *c;

    signal(SIGALRM, on_alarm);
    alarm(120);
    scrub_environment();
    /* The providers' own variables too: the model tests expect no key and no endpoint override. */
    unsetenv("ANTHROPIC_API_KEY");
    unsetenv("OPENAI_API_KEY");
    unsetenv("GEMINI_API_KEY");
    unsetenv("ANTHROPIC_BASE_URL");
    unsetenv("OPENAI_BASE_URL");
    unsetenv("GEMINI_BASE_URL");
    unsetenv("OLLAMA_HOST");

    snprintf(tmpdir, sizeof tmpdir, "/tmp/vibectl-ctest-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(config_dir, sizeof config_dir, "%s/config", tmpdir);
    /* Even a path that slipped through would land in the temp dir. */
    setenv("VIBECTL_CONFIG_DIR", config_dir, 1);
    setenv("XDG_CONFIG_HOME", tmpdir, 1);
    setenv("HOME", tmpdir, 1);

    test_versions();
    test_status_names();
    test_error_record();

    step("client lifecycle");
    c = new_client(NULL);
    if (c != NULL) {
        test_null_handling(c);
        test_invalid_input(c);
        test_config(c);
        test_memory(c);
        test_passthrough(c);
        test_thread_errors(c);
        test_models(c);
        test_output(c);
        test_engine();
        vibectl_client_free(c);
    }

    if (nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        fprintf(stderr, "warning: could not clean up %s: %s\n", tmpdir, strerror(errno));
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
