#!/usr/bin/env bash
# The CLI is a thin layer over the C ABI: its sources may import only the header module,
# ArgumentParser and the system. Fails, naming the file and line, on any other import.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='^(CVibectl|ArgumentParser|Foundation|Glibc|Darwin|Dispatch)$'
status=0
while IFS=: read -r file line text; do
    module=$(sed -E 's/^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*(public |internal |private |fileprivate |package )?import[[:space:]]+(class |struct |enum |func |protocol |typealias |var |let )?([A-Za-z_][A-Za-z0-9_]*).*/\4/' <<<"$text")
    if ! [[ $module =~ $allowed ]]; then
        echo "error: $file:$line imports '$module'; the CLI may import only CVibectl, ArgumentParser and system modules" >&2
        status=1
    fi
done < <(grep -rnE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*((public|internal|private|fileprivate|package)[[:space:]]+)?import[[:space:]]' Sources/VibectlCLI)
[ "$status" -eq 0 ] && echo "CLI imports: only the C header, ArgumentParser and system modules"
exit "$status"
