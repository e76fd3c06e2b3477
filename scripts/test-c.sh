#!/usr/bin/env bash
# Builds libvibectl.so if needed, checks include/vibectl.h compiles as strict C and C++,
# then compiles and runs Tests/c/test_abi.c against the library.
#
# Usage: scripts/test-c.sh [path/to/libvibectl.so]     (default: .build/debug/libvibectl.so)
# Env:   CC (default gcc), CXX (default g++), SWIFT_BUILD_FLAGS (extra flags for swift build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

lib="${1:-.build/debug/libvibectl.so}"
cc="${CC:-gcc}"
cxx="${CXX:-g++}"
status=0

if [[ ! -f "$lib" ]]; then
    echo "== $lib is missing: swift build --product vibectl"
    # shellcheck disable=SC2086
    swift build --product vibectl ${SWIFT_BUILD_FLAGS:-}
fi
if [[ ! -f "$lib" ]]; then
    echo "error: $lib still does not exist after the build" >&2
    exit 1
fi
libdir="$(cd "$(dirname "$lib")" && pwd)"
libname="$(basename "$lib")"
if [[ "$libname" != "libvibectl.so" ]]; then
    echo "error: the library must be named libvibectl.so (got $libname)" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/vibectl-test-c.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== header as C++ ($cxx -std=c++11 -pedantic)"
if "$cxx" -std=c++11 -Wall -Wextra -Werror -pedantic -x c++ -fsyntax-only -Iinclude Tests/c/header_check.cpp; then
    echo "ok"
else
    echo "FAIL: include/vibectl.h does not compile as C++11" >&2
    status=1
fi

echo "== header as C99 with every warning ($cc)"
printf '#include "vibectl.h"\nint main(void) { return vibectl_abi_version() == VIBECTL_ABI_VERSION ? 0 : 1; }\n' >"$work/min.c"
if "$cc" -std=c99 -Wall -Wextra -Werror -pedantic -Wstrict-prototypes -Wmissing-prototypes -Iinclude \
    -fsyntax-only "$work/min.c"; then
    echo "ok"
else
    echo "FAIL: include/vibectl.h is not clean C99" >&2
    status=1
fi

clang_bin="$(command -v clang || true)"
if [[ -n "$clang_bin" ]]; then
    echo "== header under clang (nullability annotations active)"
    if "$clang_bin" -std=c99 -Wall -Wextra -Werror -Wnullability-completeness -Iinclude -fsyntax-only "$work/min.c"; then
        echo "ok"
    else
        echo "FAIL: include/vibectl.h under clang" >&2
        status=1
    fi
    if "$clang_bin" -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -fsyntax-only "$work/min.c"; then
        echo "ok: clang -pedantic"
    else
        echo "FAIL: include/vibectl.h under clang -pedantic -Werror" >&2
        status=1
    fi
fi

# The library's SONAME is libvibectl.so.<ABI>, so a program linked with -lvibectl needs a file
# of that name at run time; SwiftPM only writes libvibectl.so. Link through a private folder
# holding both names as symlinks to the library under test (.build is left untouched).
soname="$(readelf -d "$lib" | awk '/\(SONAME\)/ { gsub(/.*\[|\].*/, ""); print }')"
mkdir -p "$work/lib"
ln -s "$libdir/$libname" "$work/lib/libvibectl.so"
if [[ -n "$soname" && "$soname" != "libvibectl.so" ]]; then
    ln -s "$libdir/$libname" "$work/lib/$soname"
    if [[ ! -e "$libdir/$soname" ]]; then
        echo "note: $libdir has no $soname (the SONAME); programs linked with -lvibectl need it next to the library"
    fi
fi

echo "== compile Tests/c/test_abi.c ($cc -std=c99 -pedantic)"
"$cc" -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude Tests/c/test_abi.c -pthread \
    -L"$work/lib" -lvibectl -Wl,-rpath,"$work/lib" -o "$work/test_abi"

# The engine scenarios talk to a fake OpenAI-compatible server on loopback (Tests/c/fake_llm.py).
llm_pid=""
if command -v python3 >/dev/null; then
    mkdir -p "$work/llm"
    python3 Tests/c/fake_llm.py "$work/llm" &
    llm_pid=$!
    trap 'kill "$llm_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
    for _ in $(seq 100); do [[ -f "$work/llm/url" ]] && break; sleep 0.1; done
    export CTEST_LLM_DIR="$work/llm"
else
    echo "note: python3 not found; the engine scenarios are skipped"
fi

echo "== run test_abi"
if "$work/test_abi"; then
    echo "ok"
else
    echo "FAIL: test_abi" >&2
    status=1
fi

exit "$status"
