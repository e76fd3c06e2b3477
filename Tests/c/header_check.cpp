// header_check.cpp — include/vibectl.h must compile as C++ and declare C-linkage functions.
// Compiled with -fsyntax-only by scripts/test-c.sh; never linked or run.
#include "vibectl.h"

// The status codes and versions are integer constant expressions usable in C++.
static_assert(VIBECTL_OK == 0, "VIBECTL_OK");
static_assert(VIBECTL_EKUBECTL == -10, "status codes are append-only");
static_assert(VIBECTL_VERSION_NUMBER ==
                  VIBECTL_VERSION_MAJOR * 10000 + VIBECTL_VERSION_MINOR * 100 + VIBECTL_VERSION_PATCH,
              "VIBECTL_VERSION_NUMBER");
static_assert(VIBECTL_ABI_VERSION >= 1, "VIBECTL_ABI_VERSION");

// A C++ lambda without captures converts to the C callback type.
static const vibectl_event_cb callback = [](const char *, void *) -> int { return 0; };

// Every function is declared and has the expected type.
extern "C" typedef int (*status_fn)(vibectl_client *, const char *, char **);
static const status_fn getters[] = {&vibectl_config_get, &vibectl_config_show};
static int (*const passthrough)(vibectl_client *, const char *, vibectl_event_cb, void *, int *) =
    &vibectl_kubectl_passthrough;

int use_everything() {
    const vibectl_error *e = vibectl_error_last();
    vibectl_client *c = nullptr;
    char *out = nullptr;
    int code = 0;
    int n = vibectl_client_new(&c, nullptr) + vibectl_client_cancel(c) + vibectl_config_schema(&out) +
            vibectl_config_set(c, "k", "v") + vibectl_config_set_json(c, "k", "1") + vibectl_config_unset(c, "k") +
            vibectl_config_info(c, &out) + vibectl_memory_get(c, &out) + vibectl_memory_set(c, "t", &out) +
            vibectl_memory_clear(c) + vibectl_memory_freeze(c) + vibectl_memory_unfreeze(c) +
            vibectl_memory_status(c, &out) + vibectl_version_number() + vibectl_abi_version() + e->code +
            (vibectl_version_string()[0] + vibectl_status_name(0)[0]) + passthrough(c, "[]", callback, nullptr, &code) +
            getters[0](c, "k", &out);
    vibectl_error_clear();
    vibectl_string_free(out);
    vibectl_client_free(c);
    return n + code;
}
