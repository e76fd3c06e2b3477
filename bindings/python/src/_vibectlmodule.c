/*
 * _vibectlmodule.c — the private CPython extension `vibectl._vibectl`.
 *
 * A thin layer over include/vibectl.h: every Client method maps 1:1 to a C call and
 * returns the library's JSON (or text) as str, or None. The pure-Python package
 * `vibectl` builds the friendly API on top of it.
 *
 * Rules this file follows (see docs/python.md):
 *  - Multi-phase initialisation; all type and exception objects live in per-module state.
 *  - Import fails with ImportError when the loaded library's ABI differs from the header's.
 *  - The GIL is released around every C call that takes a client. The event callback runs
 *    on the calling thread inside the C call; the trampoline re-acquires the GIL. An
 *    exception raised by the Python callback aborts the call and is re-raised unchanged.
 *  - One table maps status codes to exception classes.
 *  - A Client may be used from several threads; close() during a call on another thread
 *    defers the release of the C handle until the last call has returned.
 *  - Long calls (models, the engine) may be made interruptible: on the main thread, Ctrl-C
 *    then cancels the call and KeyboardInterrupt is raised (see "Ctrl-C" below).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "vibectl.h"

/* ------------------------------------------------------------------------- */
/* Exception save/restore that works on 3.10 to 3.13                          */
/* ------------------------------------------------------------------------- */

/* Takes the pending exception (normalised, traceback attached), or NULL if none. */
static PyObject *
fetch_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(tb);
    Py_DECREF(type);
    return value;
#endif
}

/* Makes `exc` (stolen) the pending exception again, unchanged. */
static void
restore_exception(PyObject *exc)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(exc)), exc, PyException_GetTraceback(exc));
#endif
}

/* ------------------------------------------------------------------------- */
/* The status table: one row per error status, in the order of the header.    */
/* ------------------------------------------------------------------------- */

typedef struct {
    int code;                 /* the VIBECTL_E* status */
    const char *class_name;   /* the Python class name inside the vibectl package */
    PyObject **builtin_base;  /* a second, builtin base class, or NULL */
} status_row;

#define STATUS_ROWS 13

static const status_row status_table[STATUS_ROWS] = {
    {VIBECTL_ERROR, "InternalError", NULL},
    {VIBECTL_EINVAL, "InvalidArgumentError", &PyExc_ValueError},
    {VIBECTL_ENOTFOUND, "NotFoundError", &PyExc_KeyError},
    {VIBECTL_ECONFIG, "ConfigError", NULL},
    {VIBECTL_EIO, "VibectlIOError", &PyExc_OSError},
    {VIBECTL_ELOCKED, "LockedError", NULL},
    {VIBECTL_ECANCELED, "CancelledError", NULL},
    {VIBECTL_EUSER, "CallbackError", NULL},
    {VIBECTL_ETIMEOUT, "TimeoutError", &PyExc_TimeoutError},
    {VIBECTL_EKUBECTL, "KubectlError", NULL},
    {VIBECTL_EMODEL, "ModelError", NULL},
    {VIBECTL_ETRANSIENT, "TransientModelError", NULL},
    {VIBECTL_EAUTH, "AuthenticationError", NULL},
};

/* ------------------------------------------------------------------------- */
/* Module state                                                              */
/* ------------------------------------------------------------------------- */

typedef struct {
    PyTypeObject *client_type;
    PyObject *error;                       /* VibectlError */
    PyObject *status_errors[STATUS_ROWS];  /* parallel to status_table */
} module_state;

static inline module_state *
get_state(PyObject *module)
{
    return (module_state *)PyModule_GetState(module);
}

/* The state of the module that defined `type` (Client is not subclassable). */
static module_state *
state_from_type(PyTypeObject *type)
{
    PyObject *module = PyType_GetModule(type);
    if (module == NULL) {
        return NULL;
    }
    return get_state(module);
}

/* ------------------------------------------------------------------------- */
/* Errors                                                                    */
/* ------------------------------------------------------------------------- */

static PyObject *
class_for_status(module_state *st, int status)
{
    for (int i = 0; i < STATUS_ROWS; i++) {
        if (status_table[i].code == status) {
            return st->status_errors[i];
        }
    }
    return st->status_errors[0]; /* an unknown code is an internal error */
}

/*
 * Builds an exception instance for `status` with `message` and `hint` (str or None)
 * and the attributes .code, .code_name, .hint. Returns a new reference or NULL.
 */
static PyObject *
make_error(module_state *st, int status, PyObject *message, PyObject *hint)
{
    PyObject *cls = class_for_status(st, status);
    PyObject *exc = PyObject_CallOneArg(cls, message);
    if (exc == NULL) {
        return NULL;
    }
    PyObject *code = PyLong_FromLong(status);
    PyObject *code_name = PyUnicode_FromString(vibectl_status_name(status));
    if (code == NULL || code_name == NULL
        || PyObject_SetAttrString(exc, "code", code) < 0
        || PyObject_SetAttrString(exc, "code_name", code_name) < 0
        || PyObject_SetAttrString(exc, "hint", hint) < 0) {
        Py_XDECREF(code);
        Py_XDECREF(code_name);
        Py_DECREF(exc);
        return NULL;
    }
    Py_DECREF(code);
    Py_DECREF(code_name);
#if PY_VERSION_HEX >= 0x030B0000
    /* Show the hint under the traceback (PEP 678 notes, Python 3.11+). */
    if (hint != Py_None) {
        PyObject *note = PyUnicode_FromFormat("hint: %U", hint);
        PyObject *res = note ? PyObject_CallMethod(exc, "add_note", "O", note) : NULL;
        Py_XDECREF(note);
        if (res == NULL) {
            Py_DECREF(exc);
            return NULL;
        }
        Py_DECREF(res);
    }
#endif
    return exc;
}

static PyObject *
decode_text(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* Raises the exception for a failed call, using the calling thread's last error. */
static void
raise_status(module_state *st, int status)
{
    const vibectl_error *last = vibectl_error_last();
    PyObject *message = NULL;
    PyObject *hint = NULL;

    if (last != NULL && last->code == status && last->message != NULL && last->message[0] != '\0') {
        message = decode_text(last->message);
    } else {
        message = PyUnicode_FromFormat("the call failed with %s", vibectl_status_name(status));
    }
    if (last != NULL && last->code == status && last->hint != NULL) {
        hint = decode_text(last->hint);
    } else {
        hint = Py_NewRef(Py_None);
    }
    if (message == NULL || hint == NULL) {
        Py_XDECREF(message);
        Py_XDECREF(hint);
        return;
    }
    PyObject *exc = make_error(st, status, message, hint);
    Py_DECREF(message);
    Py_DECREF(hint);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
}

/* Raises a binding-side error (no C call made) with a formatted message. */
static void
raise_local(module_state *st, int status, const char *format, ...)
{
    va_list va;
    va_start(va, format);
    PyObject *message = PyUnicode_FromFormatV(format, va);
    va_end(va);
    if (message == NULL) {
        return;
    }
    PyObject *exc = make_error(st, status, message, Py_None);
    Py_DECREF(message);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
}

/*
 * Converts a str argument to UTF-8 for the library. The pointer stays valid while the
 * caller holds `obj` (the GIL may be released meanwhile). None gives NULL when allowed.
 * A lone surrogate or a NUL character raises InvalidArgumentError; a non-str TypeError.
 */
static int
utf8_arg(module_state *st, PyObject *obj, const char *what, int allow_none, const char **out)
{
    *out = NULL;
    if (obj == Py_None && allow_none) {
        return 0;
    }
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be str%s, not %.100s", what,
                     allow_none ? " or None" : "", Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t size = 0;
    const char *s = PyUnicode_AsUTF8AndSize(obj, &size);
    if (s == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
            return -1;
        }
        PyObject *cause = fetch_exception();
        raise_local(st, VIBECTL_EINVAL,
                    "%s is not valid UTF-8 text: it contains a lone surrogate character", what);
        if (cause != NULL) {
            PyObject *exc = fetch_exception();
            if (exc != NULL) {
                PyException_SetCause(exc, cause); /* steals cause */
                restore_exception(exc);
            } else {
                Py_DECREF(cause);
            }
        }
        return -1;
    }
    if ((Py_ssize_t)strlen(s) != size) {
        raise_local(st, VIBECTL_EINVAL, "%s contains a NUL character", what);
        return -1;
    }
    *out = s;
    return 0;
}

/* Takes ownership of a library string and returns it as str (None for NULL). */
static PyObject *
take_string(char *s)
{
    if (s == NULL) {
        Py_RETURN_NONE;
    }
    PyObject *result = decode_text(s);
    vibectl_string_free(s);
    return result;
}

/* ------------------------------------------------------------------------- */
/* Client                                                                    */
/* ------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    vibectl_client *handle;  /* NULL once released */
    Py_ssize_t busy;         /* calls in progress (changed only with the GIL held) */
    int closed;              /* close() was called: no new calls */
} ClientObject;

/* Starts a call: returns the handle and counts the call, or raises for a closed client. */
static vibectl_client *
client_enter(ClientObject *self, module_state *st)
{
    if (self->closed || self->handle == NULL) {
        raise_local(st, VIBECTL_EINVAL,
                    "the client is closed; create a new vibectl.Client to make more calls");
        return NULL;
    }
    self->busy++;
    return self->handle;
}

/* Releases the C handle (GIL released around the free). */
static void
client_release(ClientObject *self)
{
    vibectl_client *handle = self->handle;
    self->handle = NULL;
    if (handle != NULL) {
        Py_BEGIN_ALLOW_THREADS
        vibectl_client_free(handle);
        Py_END_ALLOW_THREADS
    }
}

/* Ends a call; the last call on a client closed meanwhile releases the handle. */
static void
client_leave(ClientObject *self)
{
    self->busy--;
    if (self->busy == 0 && self->closed) {
        /* Keep a pending exception intact across the release. */
        PyObject *exc = fetch_exception();
        client_release(self);
        if (exc != NULL) {
            restore_exception(exc);
        }
    }
}

#define CLIENT_STATE(self) state_from_type(Py_TYPE(self))

static PyObject *
Client_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"options_json", NULL};
    PyObject *options = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:Client", kwlist, &options)) {
        return NULL;
    }
    module_state *st = state_from_type(type);
    if (st == NULL) {
        return NULL;
    }
    const char *options_json = NULL;
    if (utf8_arg(st, options, "options_json", 1, &options_json) < 0) {
        return NULL;
    }
    ClientObject *self = (ClientObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    vibectl_client *handle = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = vibectl_client_new(&handle, options_json);
    Py_END_ALLOW_THREADS
    if (status != VIBECTL_OK) {
        raise_status(st, status);
        Py_DECREF(self);
        return NULL;
    }
    self->handle = handle;
    return (PyObject *)self;
}

static void
Client_dealloc(ClientObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    /* No call can be in progress: each call holds a reference to self. */
    client_release(self);
    type->tp_free((PyObject *)self);
    Py_DECREF(type);
}

static PyObject *
Client_repr(ClientObject *self)
{
    return PyUnicode_FromFormat("<vibectl._vibectl.Client %s>", self->closed ? "closed" : "open");
}

static PyObject *
Client_get_closed(ClientObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->closed);
}

/* --- the shared parts of a call -------------------------------------------- */

/* A str argument of a call: the object, its name in messages, whether None is allowed. */
typedef struct {
    PyObject *obj;
    const char *what;
    int allow_none;
} text_arg;

/*
 * Starts a call (GIL held): converts the `n` str arguments to UTF-8 into `texts` (valid
 * while the caller holds the objects), then counts the call on the client. Returns the
 * handle and sets *st, or returns NULL with an exception set.
 */
static vibectl_client *
call_begin(ClientObject *self, module_state **st, const text_arg *args, const char **texts, int n)
{
    *st = CLIENT_STATE(self);
    if (*st == NULL) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (utf8_arg(*st, args[i].obj, args[i].what, args[i].allow_none, &texts[i]) < 0) {
            return NULL;
        }
    }
    return client_enter(self, *st);
}

/*
 * Ends a call (GIL held again) and returns its result: the exception a callback raised
 * (`callback_exc`, stolen) wins unchanged whatever the status, then Ctrl-C
 * (KeyboardInterrupt), then a failed status; otherwise `out` as str, None when NULL.
 * `out` is always freed.
 */
static PyObject *
call_end(ClientObject *self, module_state *st, int status, char *out, PyObject *callback_exc, int interrupted)
{
    PyObject *result = NULL;
    if (callback_exc != NULL) {
        vibectl_string_free(out);
        restore_exception(callback_exc);
    } else if (interrupted) {
        vibectl_string_free(out);
        PyErr_SetNone(PyExc_KeyboardInterrupt);
    } else if (status != VIBECTL_OK) {
        vibectl_string_free(out);
        raise_status(st, status);
    } else {
        result = take_string(out);
    }
    client_leave(self);
    return result;
}

/* --- calls without callbacks, by shape --------------------------------------- */

typedef int (*plain_fn)(vibectl_client *);
typedef int (*out_only_fn)(vibectl_client *, char **);
typedef int (*text_fn)(vibectl_client *, const char *);
typedef int (*text_out_fn)(vibectl_client *, const char *, char **);
typedef int (*text2_fn)(vibectl_client *, const char *, const char *);
typedef int (*text2_out_fn)(vibectl_client *, const char *, const char *, char **);

/* f(client) -> None */
static PyObject *
call_plain(ClientObject *self, plain_fn fn)
{
    module_state *st;
    vibectl_client *handle = call_begin(self, &st, NULL, NULL, 0);
    if (handle == NULL) {
        return NULL;
    }
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(handle);
    Py_END_ALLOW_THREADS
    return call_end(self, st, status, NULL, NULL, 0);
}

/* f(client, &out) -> str */
static PyObject *
call_out_only(ClientObject *self, out_only_fn fn)
{
    module_state *st;
    vibectl_client *handle = call_begin(self, &st, NULL, NULL, 0);
    if (handle == NULL) {
        return NULL;
    }
    char *out = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(handle, &out);
    Py_END_ALLOW_THREADS
    return call_end(self, st, status, out, NULL, 0);
}

/* f(client, text) -> None */
static PyObject *
call_text(ClientObject *self, text_fn fn, PyObject *arg, const char *what)
{
    module_state *st;
    const text_arg args[1] = {{arg, what, 0}};
    const char *text = NULL;
    vibectl_client *handle = call_begin(self, &st, args, &text, 1);
    if (handle == NULL) {
        return NULL;
    }
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(handle, text);
    Py_END_ALLOW_THREADS
    return call_end(self, st, status, NULL, NULL, 0);
}

/* f(client, text, &out) -> str */
static PyObject *
call_text_out(ClientObject *self, text_out_fn fn, PyObject *arg, const char *what, int allow_none)
{
    module_state *st;
    const text_arg args[1] = {{arg, what, allow_none}};
    const char *text = NULL;
    vibectl_client *handle = call_begin(self, &st, args, &text, 1);
    if (handle == NULL) {
        return NULL;
    }
    char *out = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(handle, text, &out);
    Py_END_ALLOW_THREADS
    return call_end(self, st, status, out, NULL, 0);
}

/* f(client, key, value) -> None; `format` parses (key, value). */
static PyObject *
call_key_value(ClientObject *self, text2_fn fn, PyObject *args, const char *format, const char *value_name)
{
    text_arg targs[2] = {{NULL, "key", 0}, {NULL, value_name, 0}};
    if (!PyArg_ParseTuple(args, format, &targs[0].obj, &targs[1].obj)) {
        return NULL;
    }
    module_state *st;
    const char *texts[2] = {NULL, NULL};
    vibectl_client *handle = call_begin(self, &st, targs, texts, 2);
    if (handle == NULL) {
        return NULL;
    }
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(handle, texts[0], texts[1]);
    Py_END_ALLOW_THREADS
    return call_end(self, st, status, NULL, NULL, 0);
}

/* f(client, text, options, &out) -> str; `format` parses (text, options_json=None). */
static PyObject *
call_text_options_out(ClientObject *self, text2_out_fn fn, PyObject *args, const char *format, const char *what)
{
    text_arg targs[2] = {{NULL, what, 0}, {Py_None, "options_json", 1}};
    if (!PyArg_ParseTuple(args, format, &targs[0].obj, &targs[1].obj)) {
        return NULL;
    }
    module_state *st;
    const char *texts[2] = {NULL, NULL};
    vibectl_client *handle = call_begin(self, &st, targs, texts, 2);
    if (handle == NULL) {
        return NULL;
    }
    char *out = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = fn(handle, texts[0], texts[1], &out);
    Py_END_ALLOW_THREADS
    return call_end(self, st, status, out, NULL, 0);
}

/* --- the methods ---------------------------------------------------------- */

static PyObject *
Client_config_get(ClientObject *self, PyObject *key)
{
    return call_text_out(self, vibectl_config_get, key, "key", 0);
}

static PyObject *
Client_config_set(ClientObject *self, PyObject *args)
{
    return call_key_value(self, vibectl_config_set, args, "OO:config_set", "value");
}

static PyObject *
Client_config_set_json(ClientObject *self, PyObject *args)
{
    return call_key_value(self, vibectl_config_set_json, args, "OO:config_set_json", "value_json");
}

static PyObject *
Client_config_unset(ClientObject *self, PyObject *key)
{
    return call_text(self, vibectl_config_unset, key, "key");
}

static PyObject *
Client_config_show(ClientObject *self, PyObject *args)
{
    PyObject *selector = Py_None;
    if (!PyArg_ParseTuple(args, "|O:config_show", &selector)) {
        return NULL;
    }
    return call_text_out(self, vibectl_config_show, selector, "selector", 1);
}

static PyObject *
Client_config_info(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_out_only(self, vibectl_config_info);
}

static PyObject *
Client_memory_get(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_out_only(self, vibectl_memory_get);
}

static PyObject *
Client_memory_set(ClientObject *self, PyObject *text)
{
    return call_text_out(self, vibectl_memory_set, text, "text", 0);
}

static PyObject *
Client_memory_clear(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_plain(self, vibectl_memory_clear);
}

static PyObject *
Client_memory_freeze(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_plain(self, vibectl_memory_freeze);
}

static PyObject *
Client_memory_unfreeze(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_plain(self, vibectl_memory_unfreeze);
}

static PyObject *
Client_memory_status(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_out_only(self, vibectl_memory_status);
}

/* --- the callback trampolines ------------------------------------------------- */

typedef struct {
    PyObject *callable;   /* borrowed: the caller holds it for the whole call */
    PyObject *exception;  /* the exception the callable raised, or NULL */
    int stopped;          /* the callable returned False */
} event_context;

/*
 * Called by the library on the thread that called vibectl_kubectl_passthrough(),
 * vibectl_complete() or an engine call, while that thread has released the GIL. Returns
 * non-zero to abort the call.
 */
static int
event_trampoline(const char *event_json, void *user_data)
{
    event_context *ctx = (event_context *)user_data;
    if (ctx == NULL) {
        return 1;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    int rc = 0;
    if (ctx->exception != NULL || ctx->stopped) {
        rc = 1; /* already aborting: do not call Python again */
    } else {
        PyObject *event = decode_text(event_json != NULL ? event_json : "");
        PyObject *result = event != NULL ? PyObject_CallOneArg(ctx->callable, event) : NULL;
        Py_XDECREF(event);
        if (result == NULL) {
            ctx->exception = fetch_exception();
            rc = 1;
        } else {
            if (result == Py_False) {
                ctx->stopped = 1;
                rc = 1;
            }
            Py_DECREF(result);
        }
    }
    PyGILState_Release(gil);
    return rc;
}

/* The event context comes first, so the event trampoline serves every call with callbacks. */
typedef struct {
    event_context events; /* callable (or None), exception, stopped */
    module_state *st;
    PyObject *confirm;    /* the confirm callable (borrowed: held by the caller) */
} engine_context;

/*
 * Copies `note` (UTF-8, NUL-free) into `buffer` of `size` bytes, cut at the last whole
 * character that fits before the terminating NUL.
 */
static void
copy_note(char *buffer, size_t size, const char *note, size_t length)
{
    if (buffer == NULL || size == 0) {
        return;
    }
    if (length > size - 1) {
        length = size - 1;
        /* Step back over continuation bytes (10xxxxxx) to the start of the cut character. */
        size_t start = length;
        while (start > 0 && ((unsigned char)note[start] & 0xC0) == 0x80) {
            start--;
        }
        length = start;
    }
    memcpy(buffer, note, length);
    buffer[length] = '\0';
}

/*
 * Interprets what the Python confirm callable returned: an int VIBECTL_CONFIRM_* value, or
 * a tuple (choice, note) with note a str or None. Sets an exception and returns 0 when the
 * value is unusable.
 */
static int
confirm_decision(engine_context *ctx, PyObject *value, char *note_buffer, size_t note_size)
{
    PyObject *choice_obj = value;
    PyObject *note_obj = Py_None;
    if (PyTuple_Check(value)) {
        if (PyTuple_GET_SIZE(value) != 2) {
            PyErr_Format(PyExc_TypeError, "confirm must return a choice or a (choice, note) pair, not a %zd-tuple",
                         PyTuple_GET_SIZE(value));
            return 0;
        }
        choice_obj = PyTuple_GET_ITEM(value, 0);
        note_obj = PyTuple_GET_ITEM(value, 1);
    }
    if (!PyLong_Check(choice_obj) || PyBool_Check(choice_obj)) {
        PyErr_Format(PyExc_TypeError, "confirm must return an int VIBECTL_CONFIRM_* choice, not %.100s",
                     Py_TYPE(choice_obj)->tp_name);
        return 0;
    }
    long choice = PyLong_AsLong(choice_obj);
    if (choice == -1 && PyErr_Occurred()) {
        return 0;
    }
    if (choice < VIBECTL_CONFIRM_YES || choice > VIBECTL_CONFIRM_EXIT) {
        PyErr_Format(PyExc_ValueError, "confirm returned %ld, which is not a VIBECTL_CONFIRM_* choice (%d to %d)",
                     choice, VIBECTL_CONFIRM_YES, VIBECTL_CONFIRM_EXIT);
        return 0;
    }
    if (note_obj != Py_None) {
        const char *note = NULL;
        if (utf8_arg(ctx->st, note_obj, "the confirmation note", 0, &note) < 0) {
            return 0;
        }
        copy_note(note_buffer, note_size, note, strlen(note));
    }
    return (int)choice;
}

static int
engine_confirm_trampoline(const char *request_json, char *note, size_t note_size, void *user_data)
{
    engine_context *ctx = (engine_context *)user_data;
    if (ctx == NULL) {
        return 0;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    int rc = 0; /* not a VIBECTL_CONFIRM_* value: aborts the call with VIBECTL_EUSER */
    if (ctx->events.exception == NULL && !ctx->events.stopped) {
        PyObject *request = decode_text(request_json != NULL ? request_json : "");
        PyObject *result = request != NULL ? PyObject_CallOneArg(ctx->confirm, request) : NULL;
        Py_XDECREF(request);
        if (result != NULL) {
            rc = confirm_decision(ctx, result, note, note_size);
            Py_DECREF(result);
        }
        if (rc == 0) {
            ctx->events.exception = fetch_exception();
        }
    }
    PyGILState_Release(gil);
    return rc;
}

static int
check_callable(PyObject *obj, const char *what)
{
    if (obj != Py_None && !PyCallable_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be callable or None, not %.100s", what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    return 0;
}

/* --- Ctrl-C ------------------------------------------------------------------ */

/*
 * Ctrl-C for long calls. Python runs its SIGINT handler only on the main thread and only
 * between bytecodes, so it cannot stop a C call that waits on a model. When the binding
 * asks for it (the call is made on the main thread and SIGINT has Python's default
 * handler), the call runs with a C handler for SIGINT installed instead: the handler
 * notes the signal and writes one byte to a pipe (both async-signal-safe); a watcher
 * thread, started once, reads the pipe and calls vibectl_client_cancel() on the client of
 * the call in progress. When the call returns, Python's handler is put back and the
 * binding raises KeyboardInterrupt. All of this runs only with the GIL held on the main
 * thread, so at most one guard (plus nested ones from callbacks) exists at a time.
 */
static volatile sig_atomic_t sigint_seen = 0;
static volatile sig_atomic_t sigint_generation = 0; /* 1..255, the guard in force; 0: none */
static int sigint_pipe[2] = {-1, -1};
static pthread_mutex_t sigint_lock = PTHREAD_MUTEX_INITIALIZER;
static vibectl_client *sigint_target = NULL; /* guarded by sigint_lock */
static int sigint_ready = 0;                 /* pipe and watcher started (GIL held) */

static void
sigint_handler(int signo)
{
    (void)signo;
    int saved_errno = errno;
    sigint_seen = 1;
    if (sigint_pipe[1] >= 0) {
        unsigned char byte = (unsigned char)sigint_generation;
        ssize_t written = write(sigint_pipe[1], &byte, 1);
        (void)written;
    }
    errno = saved_errno;
}

static void *
sigint_watcher(void *arg)
{
    (void)arg;
    for (;;) {
        unsigned char byte = 0;
        ssize_t n = read(sigint_pipe[0], &byte, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NULL;
        }
        pthread_mutex_lock(&sigint_lock);
        /* A byte written for a guard that has gone since must not cancel a later call. */
        if (sigint_target != NULL && byte == (unsigned char)sigint_generation) {
            (void)vibectl_client_cancel(sigint_target);
        }
        pthread_mutex_unlock(&sigint_lock);
    }
}

/* Starts the pipe and the watcher thread once; returns 0, or -1 (Ctrl-C then stays as it is). */
static int
sigint_setup(void)
{
    if (sigint_ready) {
        return 0;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        (void)fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
    sigint_pipe[0] = fds[0];
    sigint_pipe[1] = fds[1];
    pthread_attr_t attr;
    pthread_t thread;
    sigset_t all, previous;
    /* The watcher must never be the thread a signal is delivered to. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        (void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        (void)pthread_attr_setstacksize(&attr, 64 * 1024);
        rc = pthread_create(&thread, &attr, sigint_watcher, NULL);
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
        close(fds[0]);
        close(fds[1]);
        sigint_pipe[0] = sigint_pipe[1] = -1;
        return -1;
    }
    sigint_ready = 1;
    return 0;
}

typedef struct {
    int active;
    struct sigaction previous_action;
    vibectl_client *previous_target;
    sig_atomic_t previous_seen;
    sig_atomic_t previous_generation;
} sigint_guard;

static unsigned char sigint_counter = 0; /* GIL held */

/* Before the call (GIL held): routes SIGINT to vibectl_client_cancel(handle). */
static void
sigint_guard_enter(sigint_guard *guard, vibectl_client *handle, int wanted)
{
    guard->active = 0;
    if (!wanted || sigint_setup() != 0) {
        return;
    }
    pthread_mutex_lock(&sigint_lock);
    guard->previous_target = sigint_target;
    guard->previous_generation = sigint_generation;
    sigint_target = handle;
    sigint_counter = (unsigned char)(sigint_counter % 255 + 1);
    sigint_generation = sigint_counter;
    pthread_mutex_unlock(&sigint_lock);
    guard->previous_seen = sigint_seen;
    sigint_seen = 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sigint_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART | SA_ONSTACK;
    if (sigaction(SIGINT, &action, &guard->previous_action) != 0) {
        pthread_mutex_lock(&sigint_lock);
        sigint_target = guard->previous_target;
        sigint_generation = guard->previous_generation;
        pthread_mutex_unlock(&sigint_lock);
        sigint_seen = guard->previous_seen;
        return;
    }
    guard->active = 1;
}

/* After the call (GIL held): puts the previous handler back; returns 1 if Ctrl-C came. */
static int
sigint_guard_leave(sigint_guard *guard)
{
    if (!guard->active) {
        return 0;
    }
    (void)sigaction(SIGINT, &guard->previous_action, NULL);
    pthread_mutex_lock(&sigint_lock);
    sigint_target = guard->previous_target;
    sigint_generation = guard->previous_generation;
    pthread_mutex_unlock(&sigint_lock);
    int seen = sigint_seen != 0;
    /* A Ctrl-C during a nested call (from a callback) is that call's KeyboardInterrupt. */
    sigint_seen = guard->previous_seen;
    guard->active = 0;
    return seen;
}

/* --- calls with callbacks ------------------------------------------------------ */

/* What a call with callbacks sets up before it releases the GIL and undoes after. */
typedef struct {
    engine_context ctx;          /* what the trampolines see */
    vibectl_event_cb events;     /* event_trampoline, or NULL without a callback */
    vibectl_confirm_cb confirm;  /* engine_confirm_trampoline, or NULL without confirm */
    void *data;                  /* &ctx when either trampoline is used, else NULL */
    sigint_guard guard;
} callback_scope;

/* Before the call (GIL held): `callback` and `confirm` are callables or None. */
static void
callbacks_begin(callback_scope *s, module_state *st, vibectl_client *handle, PyObject *callback,
                PyObject *confirm, int interruptible)
{
    s->ctx.events.callable = callback;
    s->ctx.events.exception = NULL;
    s->ctx.events.stopped = 0;
    s->ctx.st = st;
    s->ctx.confirm = confirm;
    s->events = callback != Py_None ? event_trampoline : NULL;
    s->confirm = confirm != Py_None ? engine_confirm_trampoline : NULL;
    s->data = (s->events != NULL || s->confirm != NULL) ? &s->ctx : NULL;
    Py_INCREF(callback);
    Py_INCREF(confirm);
    sigint_guard_enter(&s->guard, handle, interruptible);
}

/* After the call (GIL held again): undoes callbacks_begin() and returns as call_end(). */
static PyObject *
callbacks_end(callback_scope *s, ClientObject *self, module_state *st, int status, char *out)
{
    int interrupted = sigint_guard_leave(&s->guard);
    Py_DECREF(s->ctx.events.callable);
    Py_DECREF(s->ctx.confirm);
    return call_end(self, st, status, out, s->ctx.events.exception, interrupted);
}

static PyObject *
Client_kubectl_passthrough(ClientObject *self, PyObject *args)
{
    text_arg targ = {NULL, "args_json", 0};
    PyObject *callback = Py_None;
    if (!PyArg_ParseTuple(args, "O|O:kubectl_passthrough", &targ.obj, &callback)
        || check_callable(callback, "callback") < 0) {
        return NULL;
    }
    module_state *st;
    const char *args_json = NULL;
    vibectl_client *handle = call_begin(self, &st, &targ, &args_json, 1);
    if (handle == NULL) {
        return NULL;
    }
    callback_scope s;
    int exit_code = 0;
    int status;
    callbacks_begin(&s, st, handle, callback, Py_None, 0);
    Py_BEGIN_ALLOW_THREADS
    status = vibectl_kubectl_passthrough(handle, args_json, s.events, s.data, &exit_code);
    Py_END_ALLOW_THREADS
    PyObject *result = callbacks_end(&s, self, st, status, NULL); /* None, or NULL on error */
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    return PyLong_FromLong(exit_code);
}

/* --- models ---------------------------------------------------------------- */

static PyObject *
Client_models_list(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_out_only(self, vibectl_models_list);
}

static PyObject *
Client_model_check(ClientObject *self, PyObject *args)
{
    PyObject *model = Py_None;
    if (!PyArg_ParseTuple(args, "|O:model_check", &model)) {
        return NULL;
    }
    return call_text_out(self, vibectl_model_check, model, "model", 1);
}

static PyObject *
Client_metrics(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_out_only(self, vibectl_client_metrics);
}

static PyObject *
Client_complete(ClientObject *self, PyObject *args)
{
    text_arg targ = {NULL, "request_json", 0};
    PyObject *callback = Py_None;
    int interruptible = 0;
    if (!PyArg_ParseTuple(args, "O|Op:complete", &targ.obj, &callback, &interruptible)
        || check_callable(callback, "callback") < 0) {
        return NULL;
    }
    module_state *st;
    const char *request_json = NULL;
    vibectl_client *handle = call_begin(self, &st, &targ, &request_json, 1);
    if (handle == NULL) {
        return NULL;
    }
    callback_scope s;
    char *out = NULL;
    int status;
    callbacks_begin(&s, st, handle, callback, Py_None, interruptible);
    Py_BEGIN_ALLOW_THREADS
    status = vibectl_complete(handle, request_json, s.events, s.data, &out);
    Py_END_ALLOW_THREADS
    return callbacks_end(&s, self, st, status, out);
}

/* --- safety, compaction, redaction ---------------------------------------- */

static PyObject *
Client_classify(ClientObject *self, PyObject *args)
{
    return call_text_options_out(self, vibectl_classify, args, "O|O:classify", "args_json");
}

static PyObject *
Client_compact(ClientObject *self, PyObject *args)
{
    return call_text_options_out(self, vibectl_compact, args, "O|O:compact", "text");
}

static PyObject *
Client_redact(ClientObject *self, PyObject *text)
{
    return call_text_out(self, vibectl_redact, text, "text", 0);
}

/* --- the vibe engine --------------------------------------------------------- */

typedef int (*engine_fn)(vibectl_client *, const char *, const char *, vibectl_event_cb, void *, char **);
typedef int (*engine_confirm_fn)(vibectl_client *, const char *, const char *, vibectl_event_cb, void *,
                                 vibectl_confirm_cb, void *, char **);

/*
 * One engine method. Its arguments are (text, options_json=None[, loop_json=None],
 * callback=None[, confirm=None], interruptible=False): with `fn`, no confirm; with
 * `confirm_fn`, confirm; with neither, vibectl_loop() (loop_json and confirm).
 */
typedef struct {
    const char *format;           /* for PyArg_ParseTuple */
    const char *what;             /* the first argument's name in messages */
    engine_fn fn;
    engine_confirm_fn confirm_fn;
} engine_spec;

/* Returns the result JSON as str. */
static PyObject *
engine_call(ClientObject *self, PyObject *args, const engine_spec *spec)
{
    /* text, options_json, loop_json */
    text_arg targs[3] = {{NULL, spec->what, 0}, {Py_None, "options_json", 1}, {Py_None, "loop_json", 1}};
    PyObject *callback = Py_None;
    PyObject *confirm = Py_None;
    int interruptible = 0;
    int ok;
    if (spec->fn != NULL) {
        ok = PyArg_ParseTuple(args, spec->format, &targs[0].obj, &targs[1].obj, &callback, &interruptible);
    } else if (spec->confirm_fn != NULL) {
        ok = PyArg_ParseTuple(args, spec->format, &targs[0].obj, &targs[1].obj, &callback, &confirm,
                              &interruptible);
    } else {
        ok = PyArg_ParseTuple(args, spec->format, &targs[0].obj, &targs[1].obj, &targs[2].obj, &callback,
                              &confirm, &interruptible);
    }
    if (!ok || check_callable(callback, "callback") < 0 || check_callable(confirm, "confirm") < 0) {
        return NULL;
    }
    module_state *st;
    const char *texts[3] = {NULL, NULL, NULL};
    vibectl_client *handle = call_begin(self, &st, targs, texts, 3);
    if (handle == NULL) {
        return NULL;
    }
    callback_scope s;
    char *out = NULL;
    int status;
    callbacks_begin(&s, st, handle, callback, confirm, interruptible);
    Py_BEGIN_ALLOW_THREADS
    if (spec->fn != NULL) {
        status = spec->fn(handle, texts[0], texts[1], s.events, s.data, &out);
    } else if (spec->confirm_fn != NULL) {
        status = spec->confirm_fn(handle, texts[0], texts[1], s.events, s.data, s.confirm, s.data, &out);
    } else {
        status = vibectl_loop(handle, texts[0], texts[1], texts[2], s.events, s.data, s.confirm, s.data, &out);
    }
    Py_END_ALLOW_THREADS
    return callbacks_end(&s, self, st, status, out);
}

#define ENGINE_METHOD(name, format, what, fn, confirm_fn)                   \
    static PyObject *Client_##name(ClientObject *self, PyObject *args)     \
    {                                                                      \
        static const engine_spec spec = {format, what, fn, confirm_fn};    \
        return engine_call(self, args, &spec);                             \
    }

ENGINE_METHOD(plan, "O|OOp:plan", "request", vibectl_plan, NULL)
ENGINE_METHOD(execute, "O|OOOp:execute", "plan_json", NULL, vibectl_execute)
ENGINE_METHOD(vibe, "O|OOOp:vibe", "request", NULL, vibectl_vibe)
ENGINE_METHOD(summarize, "O|OOp:summarize", "text", vibectl_summarize, NULL)
ENGINE_METHOD(memory_update, "O|OOp:memory_update", "text", vibectl_memory_update, NULL)
ENGINE_METHOD(run, "O|OOp:run", "args_json", vibectl_run, NULL)
ENGINE_METHOD(loop, "O|OOOOp:loop", "request", NULL, NULL)
ENGINE_METHOD(check, "O|OOp:check", "predicate", vibectl_check, NULL)

#undef ENGINE_METHOD

static PyObject *
Client_instructions_get(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_out_only(self, vibectl_instructions_get);
}

static PyObject *
Client_instructions_set(ClientObject *self, PyObject *text)
{
    return call_text(self, vibectl_instructions_set, text, "text");
}

static PyObject *
Client_instructions_clear(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_plain(self, vibectl_instructions_clear);
}

static PyObject *
Client_cancel(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    return call_plain(self, vibectl_client_cancel);
}

static PyObject *
Client_close(ClientObject *self, PyObject *Py_UNUSED(ignored))
{
    if (!self->closed) {
        self->closed = 1;
        if (self->busy == 0) {
            client_release(self);
        }
    }
    Py_RETURN_NONE;
}

static PyMethodDef Client_methods[] = {
    {"config_get", (PyCFunction)Client_config_get, METH_O,
     "config_get($self, key, /)\n--\n\n"
     "vibectl_config_get(): the effective value of a dotted key as JSON\n"
     "({\"version\":1,\"key\":...,\"value\":...,\"source\":...})."},
    {"config_set", (PyCFunction)Client_config_set, METH_VARARGS,
     "config_set($self, key, value, /)\n--\n\n"
     "vibectl_config_set(): sets a key from text (coerced to the key's type) and saves."},
    {"config_set_json", (PyCFunction)Client_config_set_json, METH_VARARGS,
     "config_set_json($self, key, value_json, /)\n--\n\n"
     "vibectl_config_set_json(): sets a key from a JSON value and saves."},
    {"config_unset", (PyCFunction)Client_config_unset, METH_O,
     "config_unset($self, key, /)\n--\n\n"
     "vibectl_config_unset(): resets a key to its default."},
    {"config_show", (PyCFunction)Client_config_show, METH_VARARGS,
     "config_show($self, selector=None, /)\n--\n\n"
     "vibectl_config_show(): effective values of everything, a section or a key, as JSON."},
    {"config_info", (PyCFunction)Client_config_info, METH_NOARGS,
     "config_info($self, /)\n--\n\n"
     "vibectl_config_info(): the config file's path, existence, size and time, as JSON."},
    {"memory_get", (PyCFunction)Client_memory_get, METH_NOARGS,
     "memory_get($self, /)\n--\n\n"
     "vibectl_memory_get(): the memory text (\"\" when empty)."},
    {"memory_set", (PyCFunction)Client_memory_set, METH_O,
     "memory_set($self, text, /)\n--\n\n"
     "vibectl_memory_set(): replaces the memory; returns the memory status JSON."},
    {"memory_clear", (PyCFunction)Client_memory_clear, METH_NOARGS,
     "memory_clear($self, /)\n--\n\nvibectl_memory_clear(): empties the memory."},
    {"memory_freeze", (PyCFunction)Client_memory_freeze, METH_NOARGS,
     "memory_freeze($self, /)\n--\n\nvibectl_memory_freeze(): stops automatic memory updates."},
    {"memory_unfreeze", (PyCFunction)Client_memory_unfreeze, METH_NOARGS,
     "memory_unfreeze($self, /)\n--\n\nvibectl_memory_unfreeze(): resumes automatic memory updates."},
    {"memory_status", (PyCFunction)Client_memory_status, METH_NOARGS,
     "memory_status($self, /)\n--\n\n"
     "vibectl_memory_status(): content, length, limit, frozen state and path, as JSON."},
    {"kubectl_passthrough", (PyCFunction)Client_kubectl_passthrough, METH_VARARGS,
     "kubectl_passthrough($self, args_json, callback=None, /)\n--\n\n"
     "vibectl_kubectl_passthrough(): runs kubectl attached to the terminal and returns its\n"
     "exit code. `callback(event_json)` runs on this thread for every event; an exception\n"
     "it raises aborts the call and is re-raised; returning False aborts with CallbackError."},
    {"models_list", (PyCFunction)Client_models_list, METH_NOARGS,
     "models_list($self, /)\n--\n\n"
     "vibectl_models_list(): the known models, their providers and key sources (never\n"
     "keys), as JSON. Makes no network request."},
    {"model_check", (PyCFunction)Client_model_check, METH_VARARGS,
     "model_check($self, model=None, /)\n--\n\n"
     "vibectl_model_check(): resolves a model (None: llm.model), finds its key and asks the\n"
     "provider's model list; returns the check as JSON."},
    {"complete", (PyCFunction)Client_complete, METH_VARARGS,
     "complete($self, request_json, callback=None, interruptible=False, /)\n--\n\n"
     "vibectl_complete(): sends a completion request (JSON, docs/abi.md) and returns the\n"
     "result JSON. `callback(event_json)` runs on this thread for every event (streamed\n"
     "text, retrying, fallback); an exception it raises aborts the call and is re-raised;\n"
     "returning False aborts with CallbackError. `interruptible` (main thread only): Ctrl-C\n"
     "cancels the call and raises KeyboardInterrupt."},
    {"plan", (PyCFunction)Client_plan, METH_VARARGS,
     "plan($self, request, options_json=None, callback=None, interruptible=False, /)\n--\n\n"
     "vibectl_plan(): plans the next step for a request without running anything; returns\n"
     "the plan JSON. `callback(event_json)` receives events as in complete();\n"
     "`interruptible` (main thread only): Ctrl-C cancels the call and raises KeyboardInterrupt."},
    {"execute", (PyCFunction)Client_execute, METH_VARARGS,
     "execute($self, plan_json, options_json=None, callback=None, confirm=None, interruptible=False, /)\n--\n\n"
     "vibectl_execute(): checks, confirms, runs and summarises a plan; returns the step\n"
     "result JSON. `confirm(request_json)` returns a VIBECTL_CONFIRM_* int or a (choice,\n"
     "note) pair; an exception it raises aborts the call and is re-raised."},
    {"vibe", (PyCFunction)Client_vibe, METH_VARARGS,
     "vibe($self, request, options_json=None, callback=None, confirm=None, interruptible=False, /)\n--\n\n"
     "vibectl_vibe(): plans and executes one step; returns the step result JSON.\n"
     "Callbacks as in execute()."},
    {"summarize", (PyCFunction)Client_summarize, METH_VARARGS,
     "summarize($self, text, options_json=None, callback=None, interruptible=False, /)\n--\n\n"
     "vibectl_summarize(): summarises command output and updates memory in one model call;\n"
     "returns the result JSON."},
    {"memory_update", (PyCFunction)Client_memory_update, METH_VARARGS,
     "memory_update($self, text, options_json=None, callback=None, interruptible=False, /)\n--\n\n"
     "vibectl_memory_update(): folds text into memory with one model call; returns\n"
     "{\"memory\",\"previous\",\"metrics\"} as JSON."},
    {"run", (PyCFunction)Client_run, METH_VARARGS,
     "run($self, args_json, options_json=None, callback=None, interruptible=False, /)\n--\n\n"
     "vibectl_run(): runs the user's own kubectl arguments (a JSON array of str, verb first),\n"
     "captured, then summarises the output and updates memory; returns the step result JSON.\n"
     "kubectl's exit code is in the result, not an error. Callbacks as in plan()."},
    {"loop", (PyCFunction)Client_loop, METH_VARARGS,
     "loop($self, request, options_json=None, loop_json=None, callback=None, confirm=None, interruptible=False, /)\n--\n\n"
     "vibectl_loop(): runs vibe steps until DONE, a halting step, a limit (loop_json: max_steps,\n"
     "max_seconds, max_cost, interval_seconds), a repeating command or the user's exit;\n"
     "returns the loop result JSON. Callbacks as in execute()."},
    {"check", (PyCFunction)Client_check, METH_VARARGS,
     "check($self, predicate, options_json=None, callback=None, interruptible=False, /)\n--\n\n"
     "vibectl_check(): evaluates a predicate about the cluster with read-only commands;\n"
     "returns the verdict JSON. Callbacks as in plan()."},
    {"instructions_get", (PyCFunction)Client_instructions_get, METH_NOARGS,
     "instructions_get($self, /)\n--\n\n"
     "vibectl_instructions_get(): the custom instructions and their source, as JSON."},
    {"instructions_set", (PyCFunction)Client_instructions_set, METH_O,
     "instructions_set($self, text, /)\n--\n\n"
     "vibectl_instructions_set(): sets the custom instructions (saved; \"\" clears them)."},
    {"instructions_clear", (PyCFunction)Client_instructions_clear, METH_NOARGS,
     "instructions_clear($self, /)\n--\n\nvibectl_instructions_clear(): clears the custom instructions."},
    {"metrics", (PyCFunction)Client_metrics, METH_NOARGS,
     "metrics($self, /)\n--\n\n"
     "vibectl_client_metrics(): calls, tokens, retries and cost accumulated by this client,\n"
     "as JSON."},
    {"classify", (PyCFunction)Client_classify, METH_VARARGS,
     "classify($self, args_json, options_json=None, /)\n--\n\n"
     "vibectl_classify(): the safety verdict on planned kubectl arguments (a JSON array of\n"
     "str) as JSON: verdict, class, forced, reasons."},
    {"compact", (PyCFunction)Client_compact, METH_VARARGS,
     "compact($self, text, options_json=None, /)\n--\n\n"
     "vibectl_compact(): redacts (unless switched off) and compacts text to a budget;\n"
     "returns the text, its type, sizes, token estimates, what was dropped and the\n"
     "redactions by kind, as JSON."},
    {"redact", (PyCFunction)Client_redact, METH_O,
     "redact($self, text, /)\n--\n\n"
     "vibectl_redact(): the text with its secrets replaced by [REDACTED:<kind>] and the\n"
     "findings by kind, as JSON (never a secret)."},
    {"cancel", (PyCFunction)Client_cancel, METH_NOARGS,
     "cancel($self, /)\n--\n\n"
     "vibectl_client_cancel(): makes the calls in progress on this client (on any thread)\n"
     "return with CancelledError."},
    {"close", (PyCFunction)Client_close, METH_NOARGS,
     "close($self, /)\n--\n\n"
     "Releases the C handle. Calls in progress on other threads finish first; later calls\n"
     "raise InvalidArgumentError. Closing twice is harmless."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Client_getset[] = {
    {"closed", (getter)Client_get_closed, NULL, "True once close() was called.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Client_slots[] = {
    {Py_tp_new, Client_new},
    {Py_tp_dealloc, Client_dealloc},
    {Py_tp_repr, Client_repr},
    {Py_tp_methods, Client_methods},
    {Py_tp_getset, Client_getset},
    {Py_tp_doc,
     "Client(options_json=None, /)\n--\n\n"
     "A vibectl_client handle: one configuration directory and its per-handle overrides.\n"
     "options_json is the JSON of vibectl_client_new() (docs/abi.md, \"client options\")."},
    {0, NULL},
};

static PyType_Spec Client_spec = {
    .name = "vibectl._vibectl.Client",
    .basicsize = sizeof(ClientObject),
    .itemsize = 0,
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = Client_slots,
};

/* ------------------------------------------------------------------------- */
/* Module functions                                                          */
/* ------------------------------------------------------------------------- */

static PyObject *
mod_abi_version(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(vibectl_abi_version());
}

static PyObject *
mod_version_string(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored))
{
    return decode_text(vibectl_version_string());
}

static PyObject *
mod_version_number(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(vibectl_version_number());
}

static PyObject *
mod_status_name(PyObject *Py_UNUSED(module), PyObject *arg)
{
    int overflow = 0;
    long code = PyLong_AsLongAndOverflow(arg, &overflow);
    if (code == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (overflow != 0 || code < INT_MIN || code > INT_MAX) {
        return PyUnicode_FromString("VIBECTL_UNKNOWN");
    }
    return decode_text(vibectl_status_name((int)code));
}

static PyObject *
mod_config_schema(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    char *out = NULL;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = vibectl_config_schema(&out);
    Py_END_ALLOW_THREADS
    if (status != VIBECTL_OK) {
        vibectl_string_free(out);
        raise_status(get_state(module), status);
        return NULL;
    }
    return take_string(out);
}

static PyObject *
mod_make_error(PyObject *module, PyObject *args)
{
    int code = 0;
    PyObject *message = NULL;
    PyObject *hint = Py_None;
    if (!PyArg_ParseTuple(args, "iU|O:_make_error", &code, &message, &hint)) {
        return NULL;
    }
    if (hint != Py_None && !PyUnicode_Check(hint)) {
        PyErr_SetString(PyExc_TypeError, "hint must be str or None");
        return NULL;
    }
    return make_error(get_state(module), code, message, hint);
}

static PyMethodDef module_methods[] = {
    {"abi_version", mod_abi_version, METH_NOARGS,
     "abi_version()\n--\n\nvibectl_abi_version(): the ABI version of the loaded library."},
    {"version_string", mod_version_string, METH_NOARGS,
     "version_string()\n--\n\nvibectl_version_string(): the library version, \"major.minor.patch\"."},
    {"version_number", mod_version_number, METH_NOARGS,
     "version_number()\n--\n\nvibectl_version_number(): major * 10000 + minor * 100 + patch."},
    {"status_name", mod_status_name, METH_O,
     "status_name(code, /)\n--\n\nvibectl_status_name(): e.g. \"VIBECTL_EINVAL\"; "
     "\"VIBECTL_UNKNOWN\" for other values."},
    {"config_schema", mod_config_schema, METH_NOARGS,
     "config_schema()\n--\n\nvibectl_config_schema(): every configuration key, as JSON."},
    {"_make_error", mod_make_error, METH_VARARGS,
     "_make_error(code, message, hint=None, /)\n--\n\n"
     "The exception instance the binding raises for `code` (for tests and tools)."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------------- */
/* Module initialisation                                                     */
/* ------------------------------------------------------------------------- */

/* KeyError's str() shows repr(message); NotFoundError shows the message itself. */
static PyObject *
not_found_str(PyObject *Py_UNUSED(unused), PyObject *exc)
{
    return ((PyTypeObject *)PyExc_BaseException)->tp_str(exc);
}

static PyMethodDef not_found_str_def = {
    "__str__", not_found_str, METH_O, "The message, without KeyError's quotes."};

static PyObject *
new_error_class(PyObject *module, const char *name, PyObject *bases, int code, int with_str)
{
    PyObject *dict = PyDict_New();
    if (dict == NULL) {
        return NULL;
    }
    PyObject *code_obj = code != 0 ? PyLong_FromLong(code) : Py_NewRef(Py_None);
    PyObject *name_obj = code != 0 ? PyUnicode_FromString(vibectl_status_name(code)) : Py_NewRef(Py_None);
    int failed = code_obj == NULL || name_obj == NULL
                 || PyDict_SetItemString(dict, "code", code_obj) < 0
                 || PyDict_SetItemString(dict, "code_name", name_obj) < 0
                 || PyDict_SetItemString(dict, "hint", Py_None) < 0;
    Py_XDECREF(code_obj);
    Py_XDECREF(name_obj);
    if (!failed && with_str) {
        PyObject *fn = PyCFunction_New(&not_found_str_def, NULL);
        PyObject *method = fn != NULL ? PyInstanceMethod_New(fn) : NULL;
        Py_XDECREF(fn);
        failed = method == NULL || PyDict_SetItemString(dict, "__str__", method) < 0;
        Py_XDECREF(method);
    }
    if (failed) {
        Py_DECREF(dict);
        return NULL;
    }
    char qualified[96];
    PyOS_snprintf(qualified, sizeof qualified, "vibectl.%s", name);
    PyObject *cls = PyErr_NewException(qualified, bases, dict);
    Py_DECREF(dict);
    if (cls == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, name, cls) < 0) {
        Py_DECREF(cls);
        return NULL;
    }
    return cls;
}

static int
module_exec(PyObject *module)
{
    int abi = vibectl_abi_version();
    if (abi != VIBECTL_ABI_VERSION) {
        PyErr_Format(PyExc_ImportError,
                     "vibectl._vibectl was built for libvibectl ABI %d but the loaded library has "
                     "ABI %d (version %s); reinstall the vibectl Python package against this library",
                     VIBECTL_ABI_VERSION, abi, vibectl_version_string());
        return -1;
    }
    module_state *st = get_state(module);

    st->client_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Client_spec, NULL);
    if (st->client_type == NULL || PyModule_AddType(module, st->client_type) < 0) {
        return -1;
    }

    st->error = new_error_class(module, "VibectlError", PyExc_Exception, 0, 0);
    if (st->error == NULL) {
        return -1;
    }
    for (int i = 0; i < STATUS_ROWS; i++) {
        const status_row *row = &status_table[i];
        PyObject *bases = row->builtin_base != NULL ? PyTuple_Pack(2, st->error, *row->builtin_base)
                                                    : PyTuple_Pack(1, st->error);
        if (bases == NULL) {
            return -1;
        }
        st->status_errors[i] = new_error_class(module, row->class_name, bases, row->code,
                                               row->code == VIBECTL_ENOTFOUND);
        Py_DECREF(bases);
        if (st->status_errors[i] == NULL) {
            return -1;
        }
    }

#define ADD_INT(name) \
    if (PyModule_AddIntConstant(module, #name, name) < 0) return -1
    ADD_INT(VIBECTL_OK);
    ADD_INT(VIBECTL_ERROR);
    ADD_INT(VIBECTL_EINVAL);
    ADD_INT(VIBECTL_ENOTFOUND);
    ADD_INT(VIBECTL_ECONFIG);
    ADD_INT(VIBECTL_EIO);
    ADD_INT(VIBECTL_ELOCKED);
    ADD_INT(VIBECTL_ECANCELED);
    ADD_INT(VIBECTL_EUSER);
    ADD_INT(VIBECTL_ETIMEOUT);
    ADD_INT(VIBECTL_EKUBECTL);
    ADD_INT(VIBECTL_EMODEL);
    ADD_INT(VIBECTL_ETRANSIENT);
    ADD_INT(VIBECTL_EAUTH);
    ADD_INT(VIBECTL_CONFIRM_YES);
    ADD_INT(VIBECTL_CONFIRM_NO);
    ADD_INT(VIBECTL_CONFIRM_YES_AND);
    ADD_INT(VIBECTL_CONFIRM_NO_BUT);
    ADD_INT(VIBECTL_CONFIRM_MEMORY);
    ADD_INT(VIBECTL_CONFIRM_EXIT);
    ADD_INT(VIBECTL_CONFIRM_NOTE_SIZE);
#undef ADD_INT
    if (PyModule_AddIntConstant(module, "HEADER_ABI_VERSION", VIBECTL_ABI_VERSION) < 0
        || PyModule_AddStringConstant(module, "HEADER_VERSION", VIBECTL_VERSION_STRING) < 0) {
        return -1;
    }
    return 0;
}

static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *st = get_state(module);
    Py_VISIT(st->client_type);
    Py_VISIT(st->error);
    for (int i = 0; i < STATUS_ROWS; i++) {
        Py_VISIT(st->status_errors[i]);
    }
    return 0;
}

static int
module_clear(PyObject *module)
{
    module_state *st = get_state(module);
    Py_CLEAR(st->client_type);
    Py_CLEAR(st->error);
    for (int i = 0; i < STATUS_ROWS; i++) {
        Py_CLEAR(st->status_errors[i]);
    }
    return 0;
}

static void
module_free(void *module)
{
    (void)module_clear((PyObject *)module);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef vibectl_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "vibectl._vibectl",
    .m_doc = "Private C extension over libvibectl (include/vibectl.h). Use the `vibectl` package.",
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit__vibectl(void)
{
    return PyModuleDef_Init(&vibectl_module);
}
