/*
 * vibectl.h — the C ABI of libvibectl.
 *
 * libvibectl turns plain-English intent into kubectl commands, runs them safely,
 * summarises their output with a language model and remembers context between
 * commands. This header is the one contract between the library and every host:
 * the `vibectl` command-line tool, the Python binding and any C or C++ program.
 *
 * Conventions (see docs/abi.md for every JSON shape, docs/threading.md for threads):
 *
 *  - Every fallible function returns an int status: VIBECTL_OK (0) or a negative
 *    VIBECTL_E* code. The detail (message and hint) is in the thread-local last
 *    error, read with vibectl_error_last() right after the failing call.
 *  - Strings passed in are NUL-terminated UTF-8. They are copied; nothing the caller
 *    passes is kept after the call returns.
 *  - Strings returned through a `char **out` parameter belong to the caller and must
 *    be released with vibectl_string_free(). On failure `*out` is set to NULL.
 *  - Structured data crosses as UTF-8 JSON objects carrying a "version" field.
 *  - Callbacks run synchronously on the calling thread, while the call that received
 *    them is in progress. A non-zero return aborts that call with VIBECTL_EUSER.
 *  - A vibectl_client may be shared between threads: calls on one client are
 *    serialised inside the library; different clients run in parallel.
 *  - Nothing in this library aborts the host process on bad input.
 */
#ifndef VIBECTL_H
#define VIBECTL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Portability macros                                                        */
/* ------------------------------------------------------------------------- */

/** Marks a function exported by libvibectl. */
#if defined(_WIN32)
#define VIBECTL_API __declspec(dllimport)
#elif defined(__GNUC__) || defined(__clang__)
#define VIBECTL_API __attribute__((visibility("default")))
#else
#define VIBECTL_API
#endif

/** Nullability annotations: meaningful to clang, empty for every other compiler. */
#if defined(__clang__)
#define VIBECTL_NULLABLE _Nullable
#define VIBECTL_NONNULL _Nonnull
#else
#define VIBECTL_NULLABLE
#define VIBECTL_NONNULL
#endif

/* clang -pedantic calls nullability an extension; it is one on purpose. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnullability-extension"
#endif

/* ------------------------------------------------------------------------- */
/* Versions                                                                  */
/* ------------------------------------------------------------------------- */

/** Major version of the library this header belongs to. @since 0.1.0 */
#define VIBECTL_VERSION_MAJOR 0
/** Minor version. @since 0.1.0 */
#define VIBECTL_VERSION_MINOR 3
/** Patch version. @since 0.1.0 */
#define VIBECTL_VERSION_PATCH 0
/** The version as "major.minor.patch". @since 0.1.0 */
#define VIBECTL_VERSION_STRING "0.3.0"
/** The version as major * 10000 + minor * 100 + patch. @since 0.1.0 */
#define VIBECTL_VERSION_NUMBER 300
/**
 * The ABI version this header describes. It is the suffix of the library's SONAME
 * (libvibectl.so.1) and changes only when a published declaration changes.
 * Compare it with vibectl_abi_version() before using the library. @since 0.1.0
 */
#define VIBECTL_ABI_VERSION 1

/**
 * The library's version as "major.minor.patch".
 *
 * @return A static string owned by the library; never NULL, never freed.
 * @note Thread-safe. @since 0.1.0
 */
VIBECTL_API const char *VIBECTL_NONNULL vibectl_version_string(void);

/**
 * The library's version as major * 10000 + minor * 100 + patch.
 *
 * @return The version number of the loaded library (may differ from
 *         VIBECTL_VERSION_NUMBER if the program was built against another header).
 * @note Thread-safe. @since 0.1.0
 */
VIBECTL_API int vibectl_version_number(void);

/**
 * The ABI version of the loaded library.
 *
 * A host compiled against this header should refuse to run when
 * vibectl_abi_version() != VIBECTL_ABI_VERSION.
 *
 * @return The ABI version. @note Thread-safe. @since 0.1.0
 */
VIBECTL_API int vibectl_abi_version(void);

/* ------------------------------------------------------------------------- */
/* Status codes and errors                                                   */
/* ------------------------------------------------------------------------- */

/*
 * Status codes. 0 is success; errors are negative. The list is append-only:
 * a published number never changes meaning.
 */
/** Success. */
#define VIBECTL_OK 0
/** An unexpected internal failure. */
#define VIBECTL_ERROR (-1)
/** An argument is NULL, not UTF-8, malformed JSON, or an invalid value. */
#define VIBECTL_EINVAL (-2)
/** A key, section or object does not exist. */
#define VIBECTL_ENOTFOUND (-3)
/** A configuration or memory file is corrupt or holds invalid content. */
#define VIBECTL_ECONFIG (-4)
/** A file could not be read or written. */
#define VIBECTL_EIO (-5)
/** Another process held a lock on a vibectl file for too long. */
#define VIBECTL_ELOCKED (-6)
/** The call was cancelled with vibectl_client_cancel(). */
#define VIBECTL_ECANCELED (-7)
/** A callback returned non-zero and so aborted the call. */
#define VIBECTL_EUSER (-8)
/** The operation ran out of time. */
#define VIBECTL_ETIMEOUT (-9)
/** kubectl is missing, not executable, or could not be started. */
#define VIBECTL_EKUBECTL (-10)
/** A permanent model failure: unknown model, invalid request, unusable reply. @since 0.2.0 */
#define VIBECTL_EMODEL (-11)
/** A transient model failure (rate limited, overloaded, server error, unreachable) that
 *  persisted through the configured retries and fallback models. @since 0.2.0 */
#define VIBECTL_ETRANSIENT (-12)
/** No API key for the model's provider, or the provider rejected the key. @since 0.2.0 */
#define VIBECTL_EAUTH (-13)

/**
 * The name of a status code, e.g. "VIBECTL_EINVAL".
 *
 * @param status Any integer.
 * @return A static string owned by the library, never NULL; "VIBECTL_UNKNOWN" for a
 *         value that is not a status code of this library.
 * @note Thread-safe. @since 0.1.0
 */
VIBECTL_API const char *VIBECTL_NONNULL vibectl_status_name(int status);

/**
 * The detail of the last error raised on the calling thread.
 *
 * `code` is the status the failing call returned (VIBECTL_OK when the last call
 * succeeded), `message` says what went wrong and `hint` how to fix it (NULL when
 * there is no hint). Use the return value of a call, not this, to learn whether it
 * failed: every function that returns a status also sets or clears this record.
 */
typedef struct vibectl_error {
    int code;                                   /**< The status of the last call. */
    const char *VIBECTL_NONNULL message;        /**< What went wrong; "" after success. */
    const char *VIBECTL_NULLABLE hint;          /**< How to fix it, or NULL. */
} vibectl_error;

/**
 * The last error raised on the calling thread.
 *
 * @return A record owned by the library, never NULL. It and its strings stay valid
 *         until the next vibectl call on the same thread.
 * @note Per thread: another thread's errors are never visible here. @since 0.1.0
 */
VIBECTL_API const vibectl_error *VIBECTL_NONNULL vibectl_error_last(void);

/**
 * Clears the calling thread's last error (code becomes VIBECTL_OK).
 * @since 0.1.0
 */
VIBECTL_API void vibectl_error_clear(void);

/**
 * Releases a string the library returned through a `char **out` parameter.
 *
 * @param s The string, or NULL (then nothing happens). Never pass a string that did
 *          not come from libvibectl, and never release one with free().
 * @since 0.1.0
 */
VIBECTL_API void vibectl_string_free(char *VIBECTL_NULLABLE s);

/* ------------------------------------------------------------------------- */
/* Configuration schema (no client needed)                                   */
/* ------------------------------------------------------------------------- */

/**
 * Describes every configuration key: type, default, valid values, description.
 *
 * @param[out] out_json Receives the schema JSON (docs/abi.md, "config schema").
 *                      Free with vibectl_string_free().
 * @return VIBECTL_OK, or VIBECTL_EINVAL if out_json is NULL.
 * @note Thread-safe. @since 0.1.0
 */
VIBECTL_API int vibectl_config_schema(char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/* ------------------------------------------------------------------------- */
/* The client handle                                                         */
/* ------------------------------------------------------------------------- */

/**
 * A client: one configuration directory, its per-handle overrides and the state of
 * the calls made through it. Opaque; create with vibectl_client_new().
 */
typedef struct vibectl_client vibectl_client;

/**
 * Creates a client.
 *
 * @param[out] out          Receives the new client; set to NULL on failure.
 * @param[in]  options_json NULL for defaults, or a JSON object (docs/abi.md,
 *                          "client options"):
 *                          {"version": 1,
 *                           "config_dir": "/path"        (optional; else VIBECTL_CONFIG_DIR,
 *                                                          XDG_CONFIG_HOME/vibectl, ~/.config/vibectl),
 *                           "overrides": {"llm.model": "..."}  (optional; per-handle
 *                                                          values that win over the
 *                                                          environment and the file, never saved)}
 * @return VIBECTL_OK; VIBECTL_EINVAL for a NULL `out`, malformed JSON, an unknown
 *         option or an override with an invalid value; VIBECTL_ENOTFOUND for an
 *         override naming an unknown key.
 * @note Creating a client reads no file: a missing or corrupt config file is
 *       reported by the calls that need it. Thread-safe. @since 0.1.0
 */
VIBECTL_API int vibectl_client_new(vibectl_client *VIBECTL_NULLABLE *VIBECTL_NULLABLE out,
                                   const char *VIBECTL_NULLABLE options_json);

/**
 * Destroys a client.
 *
 * @param client The client, or NULL (then nothing happens). No call may be in
 *               progress on it, on any thread.
 * @since 0.1.0
 */
VIBECTL_API void vibectl_client_free(vibectl_client *VIBECTL_NULLABLE client);

/**
 * Cancels the calls in progress on a client.
 *
 * May be called from any thread, including a signal-handling thread, while another
 * thread is blocked in a call on the same client. The blocked call returns
 * VIBECTL_ECANCELED promptly (a running kubectl gets SIGTERM, then SIGKILL after two
 * seconds). Calls that start after this one returns are not affected.
 *
 * @param client The client.
 * @return VIBECTL_OK (also when nothing was running), or VIBECTL_EINVAL for NULL.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_client_cancel(vibectl_client *VIBECTL_NULLABLE client);

/* ------------------------------------------------------------------------- */
/* Events                                                                    */
/* ------------------------------------------------------------------------- */

/**
 * Receives one event of a long-running call.
 *
 * @param event_json The event as JSON: {"version":1,"type":"...","seq":N,
 *                   "time":"<ISO 8601>","data":{...}} (docs/abi.md, "events").
 *                   Borrowed: valid only during the callback.
 * @param user_data  The pointer given next to the callback.
 * @return 0 to continue; non-zero to abort the call, which then returns VIBECTL_EUSER.
 * @note Runs synchronously on the thread that made the call. It may call back into
 *       the library, on the same client too.
 */
typedef int (*vibectl_event_cb)(const char *VIBECTL_NONNULL event_json, void *VIBECTL_NULLABLE user_data);

/* ------------------------------------------------------------------------- */
/* Configuration                                                             */
/* ------------------------------------------------------------------------- */

/**
 * Reads the effective value of one configuration key.
 *
 * Precedence: per-handle override, then environment (VIBECTL_<SECTION>_<KEY>), then
 * the config file, then the default. Secrets (providers.*.key) are masked.
 *
 * @param client    The client.
 * @param key       A dotted key, e.g. "llm.model".
 * @param[out] out_json {"version":1,"key":...,"value":...,"source":"override|env|file|default",...}.
 *                  Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL (NULL, not UTF-8); VIBECTL_ENOTFOUND (unknown
 *         key: the message lists the section's keys and suggests the nearest);
 *         VIBECTL_ECONFIG (corrupt file: the message names file and line); VIBECTL_EIO.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_config_get(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE key,
                                   char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Sets a configuration key from text, coercing it to the key's type, and saves the file.
 *
 * Coercion: booleans accept true/false, yes/no, on/off, 1/0; integers and floats
 * are parsed; lists accept JSON ("[\"a\",\"b\"]") or comma-separated text; nullable
 * keys accept "null". The write is atomic and locked against other processes; the
 * file has mode 0600.
 *
 * @param client The client.
 * @param key    A dotted key.
 * @param value  The value as text.
 * @return VIBECTL_OK; VIBECTL_EINVAL (NULL, not UTF-8, a value of the wrong type or
 *         outside the valid values, which the message lists); VIBECTL_ENOTFOUND;
 *         VIBECTL_ECONFIG (the existing file is corrupt: it is left untouched);
 *         VIBECTL_ELOCKED; VIBECTL_EIO.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_config_set(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE key,
                                   const char *VIBECTL_NULLABLE value);

/**
 * Sets a configuration key from a JSON value (e.g. "42", "true", "[\"a\"]", "null").
 *
 * Same as vibectl_config_set() but the value is typed JSON, so no text coercion
 * happens (an integer is accepted where a float is expected).
 *
 * @return As vibectl_config_set(); VIBECTL_EINVAL also for malformed JSON.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_config_set_json(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE key,
                                        const char *VIBECTL_NULLABLE value_json);

/**
 * Resets a key to its default by removing it from the config file.
 *
 * @return VIBECTL_OK (also when the key was not set); otherwise as vibectl_config_set().
 * @since 0.1.0
 */
VIBECTL_API int vibectl_config_unset(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE key);

/**
 * Shows effective configuration values as JSON.
 *
 * @param client   The client.
 * @param selector NULL or "" for everything, a section name ("llm"), or a dotted key.
 * @param[out] out_json {"version":1,"scope":"all|section|key",...} (docs/abi.md).
 *                 Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_ENOTFOUND; VIBECTL_ECONFIG; VIBECTL_EIO.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_config_show(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE selector,
                                    char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Describes the config file: path, whether it exists, size, modification time.
 *
 * @param[out] out_json {"version":1,"config_dir":...,"path":...,"exists":...,
 *                 "size":...,"modified":...,"memory_path":...}. Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_EIO.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_config_info(vibectl_client *VIBECTL_NULLABLE client,
                                    char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/* ------------------------------------------------------------------------- */
/* Memory                                                                    */
/* ------------------------------------------------------------------------- */

/**
 * Reads the memory text (the context vibectl carries between commands).
 *
 * @param[out] out_text The memory as UTF-8 text ("" when empty). Free with
 *                 vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_ECONFIG (corrupt memory file); VIBECTL_EIO.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_memory_get(vibectl_client *VIBECTL_NULLABLE client,
                                   char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_text);

/**
 * Replaces the memory text.
 *
 * Text longer than memory.max_chars characters is cut at a character boundary
 * (never inside a UTF-8 sequence); the result reports that. Works while memory is
 * frozen: freezing stops automatic updates, not explicit ones.
 *
 * @param text          The new memory.
 * @param[out] out_json NULL, or receives the memory status JSON with "truncated".
 *                      Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_ECONFIG; VIBECTL_ELOCKED; VIBECTL_EIO.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_memory_set(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE text,
                                   char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Empties the memory.
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_ELOCKED; VIBECTL_EIO. @since 0.1.0
 */
VIBECTL_API int vibectl_memory_clear(vibectl_client *VIBECTL_NULLABLE client);

/**
 * Freezes memory: automatic updates after commands stop until unfrozen. Persisted
 * (config key memory.enabled = false).
 * @return As vibectl_config_set(). @since 0.1.0
 */
VIBECTL_API int vibectl_memory_freeze(vibectl_client *VIBECTL_NULLABLE client);

/**
 * Unfreezes memory (config key memory.enabled = true). Persisted.
 * @return As vibectl_config_set(). @since 0.1.0
 */
VIBECTL_API int vibectl_memory_unfreeze(vibectl_client *VIBECTL_NULLABLE client);

/**
 * Describes the memory: content, length, limit, frozen state, file.
 *
 * @param[out] out_json {"version":1,"content":...,"chars":N,"max_chars":N,
 *                 "frozen":bool,"path":...,...} (docs/abi.md). Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_ECONFIG; VIBECTL_EIO. @since 0.1.0
 */
VIBECTL_API int vibectl_memory_status(vibectl_client *VIBECTL_NULLABLE client,
                                      char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/* ------------------------------------------------------------------------- */
/* kubectl pass-through                                                      */
/* ------------------------------------------------------------------------- */

/**
 * Runs kubectl with the given arguments, attached to the caller's terminal.
 *
 * Runs core.kubectl_command (never through a shell) with `--kubeconfig
 * <core.kubeconfig>` first when that key is set, then `args`. The child inherits
 * stdin, stdout and stderr, so interactive kubectl (exec -it, edit) works. Emits the
 * events "command_started" and "command_exited" (docs/abi.md).
 *
 * @param client        The client.
 * @param args_json     A JSON array of strings: the kubectl arguments.
 * @param callback      NULL, or receives events on this thread.
 * @param user_data     Passed to the callback.
 * @param[out] out_exit_code Receives kubectl's exit code (128 + signal number if it
 *                      was killed by a signal). May be NULL.
 * @return VIBECTL_OK when kubectl ran, whatever its exit code; VIBECTL_EINVAL;
 *         VIBECTL_EKUBECTL (not found or not executable; the message names the
 *         command and the hint how to fix it); VIBECTL_ECANCELED; VIBECTL_EUSER;
 *         VIBECTL_ECONFIG.
 * @since 0.1.0
 */
VIBECTL_API int vibectl_kubectl_passthrough(vibectl_client *VIBECTL_NULLABLE client,
                                            const char *VIBECTL_NULLABLE args_json,
                                            vibectl_event_cb VIBECTL_NULLABLE callback,
                                            void *VIBECTL_NULLABLE user_data,
                                            int *VIBECTL_NULLABLE out_exit_code);

/* ------------------------------------------------------------------------- */
/* Models                                                                    */
/* ------------------------------------------------------------------------- */

/**
 * Lists the models vibectl knows: the alias table, the configured default and fallbacks.
 *
 * Each entry says its provider and model id, its alias, whether a key for its provider is
 * available and where it comes from (e.g. "env VIBECTL_OPENAI_API_KEY") — never the key.
 * Makes no network request.
 *
 * @param[out] out_json {"version":1,"default":"...","models":[{...}]} (docs/abi.md,
 *                 "model list"). Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_ECONFIG.
 * @since 0.2.0
 */
VIBECTL_API int vibectl_models_list(vibectl_client *VIBECTL_NULLABLE client,
                                    char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Checks that a model can be used: the name resolves, a key is available, and the
 * provider answers its model-list endpoint and knows the model.
 *
 * @param model         A model name ("provider:model" or an alias), or NULL for llm.model.
 * @param[out] out_json {"version":1,"model":...,"provider":...,"key_source":...,
 *                      "reachable":bool,"model_found":bool|null,"latency_ms":N,
 *                      "warnings":[...]} (docs/abi.md). Free with vibectl_string_free().
 * @return VIBECTL_OK when the check ran (read "reachable"/"model_found" for the verdict);
 *         VIBECTL_EMODEL (unknown name); VIBECTL_EAUTH (no key); VIBECTL_EINVAL;
 *         VIBECTL_ECANCELED.
 * @since 0.2.0
 */
VIBECTL_API int vibectl_model_check(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE model,
                                    char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Asks a model for a completion, optionally structured by a JSON schema and streamed.
 *
 * The request is JSON (docs/abi.md, "completion request"):
 * {"version":1, "system":["..."], "user":["..."], "schema":{...}|null,
 *  "schema_name":"response", "stream":false, "model":null, "timeout_seconds":null,
 *  "max_tokens":4096, "temperature":null}. Retries transient failures
 * (llm.max_retries, llm.retry_delay_seconds) and tries llm.fallback_models when the model
 * is unavailable. Events: "text" (streamed text chunks, only with "stream": true),
 * "retrying", "fallback". Cancel with vibectl_client_cancel(): the HTTP request stops.
 *
 * @param request_json  The request.
 * @param callback      NULL, or receives events on this thread.
 * @param user_data     Passed to the callback.
 * @param[out] out_json {"version":1,"text":...,"json":...,"model":...,"provider":...,
 *                      "stop_reason":...,"metrics":{...},"warnings":[...]}.
 *                      Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL (bad request JSON); VIBECTL_EMODEL (unknown model,
 *         request rejected, reply not matching the schema); VIBECTL_ETRANSIENT (rate
 *         limited / overloaded / unreachable through every retry and fallback);
 *         VIBECTL_EAUTH (no key or key rejected); VIBECTL_ETIMEOUT; VIBECTL_ECANCELED;
 *         VIBECTL_EUSER.
 * @since 0.2.0
 */
VIBECTL_API int vibectl_complete(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE request_json,
                                 vibectl_event_cb VIBECTL_NULLABLE callback, void *VIBECTL_NULLABLE user_data,
                                 char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * The model metrics accumulated by this client since it was created: calls, tokens,
 * retries, cost, by model.
 *
 * @param[out] out_json {"version":1,"calls":N,"input_tokens":N,"output_tokens":N,
 *                 "retries":N,"cost_usd":x,"by_model":{...}} (docs/abi.md).
 *                 Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL.
 * @since 0.2.0
 */
VIBECTL_API int vibectl_client_metrics(vibectl_client *VIBECTL_NULLABLE client,
                                       char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/* ------------------------------------------------------------------------- */
/* Safety, compaction, redaction                                             */
/* ------------------------------------------------------------------------- */

/**
 * Classifies a planned kubectl command as safe, needing confirmation, or rejected.
 *
 * Planner output is untrusted input: shell operators, non-kubectl programs, flags that
 * redirect credentials or the target cluster (unless the user's own config or flags set
 * them), and shells opened with exec are rejected; dangerous flags force confirmation.
 *
 * @param args_json     A JSON array of strings: the kubectl arguments, without "kubectl".
 * @param options_json  NULL, or {"version":1,"manifest":"...","user_flags":["--context"],
 *                      "user_asked_for_shell":false}. core.kubeconfig, core.context and
 *                      core.namespace, when set in config, count as the user's own flags.
 * @param[out] out_json {"version":1,"verdict":"safe|confirm|reject","class":"read-only|
 *                      mutating|interactive|unknown","forced":bool,"reasons":[...]}
 *                      (docs/abi.md). Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL.
 * @since 0.2.0
 */
VIBECTL_API int vibectl_classify(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE args_json,
                                 const char *VIBECTL_NULLABLE options_json,
                                 char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Compacts command output the way vibectl does before a model sees it: redacted first
 * (unless security.redact is off or the options say so), then reduced to a character
 * budget while keeping the facts (counts, unhealthy items, images, errors).
 *
 * @param text          The command output.
 * @param options_json  NULL, or {"version":1,"budget":5000,"intent":"why is it failing",
 *                      "redact":true}. budget defaults to output.max_chars.
 * @param[out] out_json {"version":1,"text":...,"type":"json|yaml|table|logs|events|text",
 *                      "original_chars":N,"kept_chars":N,"original_tokens_estimate":N,
 *                      "kept_tokens_estimate":N,"dropped":[...],"redactions":{kind:N}}
 *                      (docs/abi.md). Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL (bad options, or an invalid security.redact_patterns
 *         entry); VIBECTL_ECONFIG.
 * @since 0.2.0
 */
VIBECTL_API int vibectl_compact(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE text,
                                const char *VIBECTL_NULLABLE options_json,
                                char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Replaces secrets in text with [REDACTED:<kind>]: Secret data, tokens, JWTs, PEM blocks,
 * kubeconfig credentials, cloud and API keys, password-like values, high-entropy blobs,
 * and matches of security.redact_patterns. Applies even when security.redact is off.
 *
 * @param[out] out_json {"version":1,"text":...,"findings":{kind:N},"total":N} — never a
 *                      secret (docs/abi.md). Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL (NULL, not UTF-8, an invalid custom pattern).
 * @since 0.2.0
 */
VIBECTL_API int vibectl_redact(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE text,
                               char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/* ------------------------------------------------------------------------- */
/* Vibe engine: plan, confirm, run, summarise, remember                      */
/* ------------------------------------------------------------------------- */

/*
 * Answers to a confirmation request (vibectl_confirm_cb's return value).
 */
/** Run the command. @since 0.3.0 */
#define VIBECTL_CONFIRM_YES 1
/** Do not run it. @since 0.3.0 */
#define VIBECTL_CONFIRM_NO 2
/** Run it, and first fold the note written to `note` into memory. @since 0.3.0 */
#define VIBECTL_CONFIRM_YES_AND 3
/** Do not run it, and fold the note written to `note` into memory. @since 0.3.0 */
#define VIBECTL_CONFIRM_NO_BUT 4
/** Show the memory: the library emits a "memory_shown" event and asks again. @since 0.3.0 */
#define VIBECTL_CONFIRM_MEMORY 5
/** Do not run it and stop (semiauto's Exit; offered only when "exit" is in "choices"). @since 0.3.0 */
#define VIBECTL_CONFIRM_EXIT 6

/** Bytes the library provides for a confirmation note, terminating NUL included. @since 0.3.0 */
#define VIBECTL_CONFIRM_NOTE_SIZE 4096

/**
 * Decides whether a planned command that needs confirmation runs.
 *
 * @param request_json The request (docs/abi.md, "confirmation request"):
 *                     {"version":1,"command":"kubectl delete pod web-1","argv":[...],
 *                     "manifest":null|"...","explanation":...,"safety":{"verdict":"confirm",
 *                     "class":...,"forced":bool,"reasons":[...]},"mode":"manual|semiauto|auto",
 *                     "choices":["yes","no","yes_and","no_but","memory"(,"exit")],
 *                     "memory":"..."}. Borrowed: valid only during the callback.
 * @param note         A buffer of note_size bytes the callback may fill with a
 *                     NUL-terminated UTF-8 note for VIBECTL_CONFIRM_YES_AND / NO_BUT.
 *                     It starts as an empty string; a note that is not terminated within
 *                     note_size bytes is cut at the last whole character.
 * @param note_size    VIBECTL_CONFIRM_NOTE_SIZE.
 * @param user_data    The pointer given next to the callback.
 * @return One of VIBECTL_CONFIRM_*; any other value aborts the call with VIBECTL_EUSER.
 * @note Runs synchronously on the thread that made the call, like vibectl_event_cb.
 * @since 0.3.0
 */
typedef int (*vibectl_confirm_cb)(const char *VIBECTL_NONNULL request_json, char *VIBECTL_NONNULL note,
                                  size_t note_size, void *VIBECTL_NULLABLE user_data);

/*
 * The engine calls below share one options object (docs/abi.md, "vibe options"); every
 * key is optional and NULL means all defaults:
 * {"version":1,
 *  "model":null,            model name for this call (default llm.model)
 *  "mode":null,             "manual|semiauto|auto" (aliases per-command|per-session|none);
 *                           default security.confirmation_mode
 *  "yes":false,             skip confirmation, except confirmations the safety classifier forces
 *  "freeze_memory":false,   this call reads memory but never writes it (not persisted)
 *  "verb":null,             plan the arguments of this kubectl verb (e.g. "get"); the verb is implied
 *  "input":null,            text the request refers to (e.g. piped stdin); redacted and compacted
 *  "summary":true,          make the summary call after a command runs
 *  "stream":true,           emit "summary_text" events as the summary arrives
 *  "budget":null,           characters of command output a model may see (default output.max_chars)
 *  "timeout_seconds":null}  kubectl timeout for this call (default core.timeout_seconds)
 *
 * Without a confirm callback (NULL), a command that needs confirmation is not run: the
 * result has "status":"needs_confirmation". A command the safety classifier rejects is
 * never run ("status":"rejected"). Planner output is untrusted input: the plan of
 * vibectl_execute() is checked again, whoever produced it.
 *
 * Events (docs/abi.md, "events"): "plan_started", "plan", "plan_invalid", "safety",
 * "confirm_requested", "confirm_answered", "memory_shown", "command_started",
 * "command_output", "command_exited", "summary_started", "summary_text", "memory_updated",
 * "thought", "feedback", "wait", "retrying", "fallback", "metrics", "done", "error".
 */

/**
 * Plans the next step for a request, without running anything.
 *
 * One model call (two if the first reply does not fit the planner contract). The prompt
 * carries memory, system.custom_instructions, the current time and the kubectl
 * context/namespace; everything sent is redacted first.
 *
 * @param request      The request in plain English; "" plans the next step from memory.
 * @param options_json NULL or the vibe options.
 * @param[out] out_json The plan: {"version":1,"action":{"action_type":"COMMAND|THOUGHT|
 *                     FEEDBACK|WAIT|ERROR|DONE",...},"presentation_hints":...,"verb":...,
 *                     "argv":[...]|null,"safety":{...}|null,"metrics":{...}} (docs/abi.md,
 *                     "plan"). Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL (bad options); VIBECTL_EMODEL (also: the planner's
 *         reply did not fit the contract twice — the message quotes it, redacted);
 *         VIBECTL_ETRANSIENT; VIBECTL_EAUTH; VIBECTL_ETIMEOUT; VIBECTL_ECANCELED; VIBECTL_EUSER.
 * @since 0.3.0
 */
VIBECTL_API int vibectl_plan(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE request,
                             const char *VIBECTL_NULLABLE options_json, vibectl_event_cb VIBECTL_NULLABLE callback,
                             void *VIBECTL_NULLABLE user_data, char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Executes a plan: safety check, confirmation, kubectl, then one model call for the
 * summary and the new memory (or recovery suggestions when kubectl failed).
 *
 * @param plan_json    A plan from vibectl_plan(), or any object {"action":{...}} in the
 *                     planner contract (docs/abi.md, "plan").
 * @param options_json NULL or the vibe options.
 * @param confirm      NULL, or decides commands that need confirmation.
 * @param[out] out_json The step result: {"version":1,"status":"completed|failed|done|declined|
 *                     needs_confirmation|rejected|exited|thought|feedback|waited|error|
 *                     planner_error","exit_code":N (the CLI's exit code: kubectl's code for
 *                     completed/failed, DONE's exit_code, 10 declined, 11 needs_confirmation,
 *                     12 rejected, 1 error/planner_error, otherwise 0),
 *                     "message":...,"hint":...,"halt":bool,"plan":{...},"commands":[...],
 *                     "summary":...,"recovery":...,"memory":{...},"metrics":{...}}
 *                     (docs/abi.md, "step result"). Free with vibectl_string_free().
 * @return VIBECTL_OK whenever a step result was produced — a failed kubectl command or a
 *         declined confirmation is a result, not an error; VIBECTL_EINVAL (bad plan or
 *         options); VIBECTL_EKUBECTL (kubectl missing); model errors as vibectl_plan();
 *         VIBECTL_ECANCELED; VIBECTL_EUSER.
 * @since 0.3.0
 */
VIBECTL_API int vibectl_execute(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE plan_json,
                                const char *VIBECTL_NULLABLE options_json, vibectl_event_cb VIBECTL_NULLABLE callback,
                                void *VIBECTL_NULLABLE user_data, vibectl_confirm_cb VIBECTL_NULLABLE confirm,
                                void *VIBECTL_NULLABLE confirm_data, char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Plans and executes one step for a request: vibectl_plan() then vibectl_execute().
 * At most two model calls for a successful step.
 *
 * @param request  The request; "" plans the next step from memory.
 * @param[out] out_json The step result, as vibectl_execute().
 * @return As vibectl_execute(); an unusable planner reply is a step result with
 *         "status":"planner_error" and "halt":false, not an error.
 * @since 0.3.0
 */
VIBECTL_API int vibectl_vibe(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE request,
                             const char *VIBECTL_NULLABLE options_json, vibectl_event_cb VIBECTL_NULLABLE callback,
                             void *VIBECTL_NULLABLE user_data, vibectl_confirm_cb VIBECTL_NULLABLE confirm,
                             void *VIBECTL_NULLABLE confirm_data, char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Summarises command output (redacted, then compacted) with the focus of a kubectl verb,
 * and updates memory in the same model call (unless memory is frozen).
 *
 * @param text         The output, e.g. of `kubectl logs`.
 * @param options_json NULL or {"version":1,"verb":"logs","command":"kubectl logs web-1",
 *                     "request":null,"model":null,"freeze_memory":false,"stream":true,
 *                     "budget":null,"failed":false}; "failed":true asks for recovery
 *                     suggestions instead of a summary.
 * @param[out] out_json {"version":1,"summary":...,"recovery":...,"memory":{"updated":bool,
 *                     "text":...},"compaction":{...},"metrics":{...}}.
 *                     Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; model errors as vibectl_plan().
 * @since 0.3.0
 */
VIBECTL_API int vibectl_summarize(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE text,
                                  const char *VIBECTL_NULLABLE options_json, vibectl_event_cb VIBECTL_NULLABLE callback,
                                  void *VIBECTL_NULLABLE user_data, char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Folds free text into memory with one model call ("the staging namespace is ours").
 * Works when memory is frozen (an explicit request), and stores the result redacted.
 *
 * @param text         What to remember.
 * @param options_json NULL or {"version":1,"model":null}.
 * @param[out] out_json {"version":1,"memory":...,"previous":...,"metrics":{...}}.
 *                     Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; model errors as vibectl_plan(); VIBECTL_EIO; VIBECTL_ELOCKED.
 * @since 0.3.0
 */
VIBECTL_API int vibectl_memory_update(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE text,
                                      const char *VIBECTL_NULLABLE options_json,
                                      vibectl_event_cb VIBECTL_NULLABLE callback, void *VIBECTL_NULLABLE user_data,
                                      char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Runs the user's own kubectl command, captured, then summarises its output and updates memory
 * in one model call (vibectl get pods, vibectl logs web-1, ...). The arguments are the user's,
 * so the safety classifier does not judge them; they run from an argv, never a shell.
 * Without a usable model the output stands and "summary_error" says why there is no summary.
 *
 * @param args_json    A JSON array of strings: kubectl's arguments, verb first, without "kubectl".
 * @param options_json NULL or the vibe options; also "stdin":"..." (given to kubectl on stdin, e.g.
 *                     a manifest for -f -) and "allowed_exit_codes":[0,1] (default [0]; [0,1]
 *                     for diff). "summary":false runs kubectl only.
 * @param[out] out_json The step result (status completed/failed, exit_code = kubectl's, commands,
 *                     summary, recovery, summary_error, memory, metrics). Free with vibectl_string_free().
 * @return VIBECTL_OK whenever kubectl ran (whatever its exit code); VIBECTL_EINVAL; VIBECTL_EKUBECTL;
 *         VIBECTL_ETIMEOUT; VIBECTL_ECANCELED; VIBECTL_EUSER. Model failures are not errors here.
 * @since 0.3.0
 */
VIBECTL_API int vibectl_run(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE args_json,
                            const char *VIBECTL_NULLABLE options_json, vibectl_event_cb VIBECTL_NULLABLE callback,
                            void *VIBECTL_NULLABLE user_data, char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Runs vibe steps in a loop (vibectl auto / semiauto): each step's compacted output goes to the
 * next planning call; stops on DONE, a halting error, a limit, a command repeating with the
 * same result three times, or the user's "exit" (semiauto). Cancel with vibectl_client_cancel().
 *
 * @param request      The goal; "" continues from memory.
 * @param options_json NULL or the vibe options ("mode" auto or semiauto; manual also works).
 * @param loop_json    NULL or {"version":1,"max_steps":N,"max_seconds":S,"max_cost":USD,
 *                     "interval_seconds":S} (docs/abi.md, "loop").
 * @param[out] out_json {"version":1,"end":"done|halted|exited|limit_reached|repeating",
 *                     "exit_code":N,"message":...,"steps":[step results],"metrics":{...}}.
 *                     exit_code: DONE's; the halting step's (never 0); 0 exited; 4 limit
 *                     reached; 5 repeating. Free with vibectl_string_free().
 * @return As vibectl_vibe(). Events: those of vibectl_vibe() plus "step_started", "step_finished",
 *         "loop_ended".
 * @since 0.3.0
 */
VIBECTL_API int vibectl_loop(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE request,
                             const char *VIBECTL_NULLABLE options_json, const char *VIBECTL_NULLABLE loop_json,
                             vibectl_event_cb VIBECTL_NULLABLE callback, void *VIBECTL_NULLABLE user_data,
                             vibectl_confirm_cb VIBECTL_NULLABLE confirm, void *VIBECTL_NULLABLE confirm_data,
                             char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Evaluates a predicate about the cluster with read-only commands (vibectl check). Each
 * command's compacted output goes to the next iteration; at most
 * features.check_max_iterations iterations (or options "max_iterations"). A plan that is not
 * read-only is refused and the verdict is "cannot determine".
 *
 * @param predicate    E.g. "every deployment in shop has all replicas ready".
 * @param options_json NULL or the vibe options, plus "max_iterations":N (1..100).
 * @param[out] out_json {"version":1,"verdict":"true|false|poorly_posed|cannot_determine",
 *                     "exit_code":0|1|2|3,"explanation":...,"iterations":N,"commands":[...],
 *                     "metrics":{...}}. Free with vibectl_string_free().
 * @return VIBECTL_OK whenever a verdict was reached (including "cannot determine"); errors as
 *         vibectl_plan(). Events: "check_iteration", "plan", "command_started",
 *         "command_exited", "metrics", "done".
 * @since 0.3.0
 */
VIBECTL_API int vibectl_check(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE predicate,
                              const char *VIBECTL_NULLABLE options_json, vibectl_event_cb VIBECTL_NULLABLE callback,
                              void *VIBECTL_NULLABLE user_data, char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * The custom instructions every prompt carries (system.custom_instructions).
 *
 * @param[out] out_json {"version":1,"instructions":"..."|null,"source":"override|env|file|default"}.
 *                      Free with vibectl_string_free().
 * @return VIBECTL_OK; VIBECTL_EINVAL; VIBECTL_ECONFIG.
 * @since 0.3.0
 */
VIBECTL_API int vibectl_instructions_get(vibectl_client *VIBECTL_NULLABLE client,
                                         char *VIBECTL_NULLABLE *VIBECTL_NULLABLE out_json);

/**
 * Sets the custom instructions (persisted in the config file; "" clears them).
 *
 * @return As vibectl_config_set(). @since 0.3.0
 */
VIBECTL_API int vibectl_instructions_set(vibectl_client *VIBECTL_NULLABLE client, const char *VIBECTL_NULLABLE text);

/**
 * Clears the custom instructions.
 *
 * @return As vibectl_config_set(). @since 0.3.0
 */
VIBECTL_API int vibectl_instructions_clear(vibectl_client *VIBECTL_NULLABLE client);

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* VIBECTL_H */
