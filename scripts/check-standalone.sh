#!/usr/bin/env bash
# Proves libvibectl.so needs no Swift toolchain: builds a small C host against it and runs it
# with the toolchain directory hidden (an empty directory bind-mounted over it in a private
# mount namespace). Skips, saying so, where mount namespaces are not available (not root).
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:-.build/debug/libvibectl.so}
toolchain=$(dirname "$(dirname "$(dirname "$(command -v swift)")")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$lib" "$work/libvibectl.so.1"
ln -s libvibectl.so.1 "$work/libvibectl.so"
cat > "$work/host.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "vibectl.h"
int main(void) {
    char *schema = NULL;
    if (vibectl_abi_version() != VIBECTL_ABI_VERSION) return 2;
    if (vibectl_config_schema(&schema) != VIBECTL_OK || strstr(schema, "llm.model") == NULL) return 3;
    vibectl_string_free(schema);
    printf("libvibectl %s loaded without the Swift toolchain\n", vibectl_version_string());
    return 0;
}
C
cc -std=c99 -Iinclude "$work/host.c" -L"$work" -lvibectl -Wl,-rpath,"$work" -o "$work/host"
if readelf -d "$lib" | grep -q 'NEEDED.*libswift'; then
    echo "error: $lib needs a Swift runtime library from the toolchain" >&2
    exit 1
fi
mkdir "$work/empty"
if unshare -m true 2>/dev/null; then
    unshare -m sh -c "mount --bind '$work/empty' '$toolchain' && '$work/host'"
else
    echo "skipped: no mount namespace here (needs root); NEEDED has no Swift runtime, checked above"
    "$work/host"
fi
