#!/usr/bin/env bash
# Checks that libvibectl.so exports exactly the functions include/vibectl.h declares.
#
# Usage: scripts/check-exports.sh [path/to/libvibectl.so] [path/to/vibectl.h]
#        (defaults: .build/debug/libvibectl.so and include/vibectl.h)
#
# Fails (exit 1) when:
#   - a function declared in the header is not exported as a defined function (T), or
#     an exported vibectl_* function is not declared in the header (both directions);
#   - the library exports any other global (or weak) defined dynamic symbol;
#   - the SONAME is not libvibectl.so.<VIBECTL_ABI_VERSION from the header>;
#   - the library has a NEEDED entry on the Swift runtime (it must be linked with -static-stdlib);
#   - a program cannot link against it (undefined symbols none of its NEEDED libraries define).
# Exit 2 on a usage problem (missing file or tool).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

lib="${1:-.build/debug/libvibectl.so}"
header="${2:-include/vibectl.h}"
cc="${CC:-cc}"

for tool in "$cc" nm readelf awk sort comm; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found" >&2; exit 2; }
done
[[ -f "$lib" ]] || { echo "error: no library at $lib (build it: swift build --product vibectl)" >&2; exit 2; }
[[ -f "$header" ]] || { echo "error: no header at $header" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/vibectl-check-exports.XXXXXX")"
trap 'rm -rf "$work"' EXIT
status=0
fail() {
    echo "FAIL: $*" >&2
    status=1
}

header_dir="$(cd "$(dirname "$header")" && pwd)"
header_name="$(basename "$header")"

# --- 1. Functions declared by the header ------------------------------------------------
# Preprocess (so macros and #if branches are resolved), join lines, and take every
# vibectl_* identifier directly followed by "(": a function declaration. A typedef'd
# function pointer is written "(*vibectl_x_cb)(" and so is not matched.
"$cc" -E -P -I "$header_dir" -x c "$header" >"$work/header.i"
tr '\n' ' ' <"$work/header.i" |
    grep -oE '(^|[^A-Za-z0-9_*])vibectl_[A-Za-z0-9_]+[[:space:]]*\(' |
    grep -oE 'vibectl_[A-Za-z0-9_]+' | sort -u >"$work/declared.txt" || true
if [[ ! -s "$work/declared.txt" ]]; then
    fail "no vibectl_* function declarations found in $header"
fi

# --- 2. Functions the library exports -----------------------------------------------------
nm -D --defined-only "$lib" | awk '$2 == "T" && $3 ~ /^vibectl_/ { sub(/@.*/, "", $3); print $3 }' |
    sort -u >"$work/exported.txt"

comm -23 "$work/declared.txt" "$work/exported.txt" >"$work/missing.txt"
comm -13 "$work/declared.txt" "$work/exported.txt" >"$work/extra.txt"
if [[ -s "$work/missing.txt" ]]; then
    fail "declared in $header but not exported by $lib:"
    sed 's/^/    - /' "$work/missing.txt" >&2
fi
if [[ -s "$work/extra.txt" ]]; then
    fail "exported by $lib but not declared in $header:"
    sed 's/^/    + /' "$work/extra.txt" >&2
fi

# --- 3. Nothing else global ---------------------------------------------------------------
# readelf states the binding explicitly (nm's letter case does too, but gold keeps many
# LOCAL entries in .dynsym, shown as lowercase d/b; those are harmless).
# Fields: Num Value Size Type Bind Vis Ndx Name
readelf --dyn-syms -W "$lib" |
    awk '($5 == "GLOBAL" || $5 == "WEAK" || $5 == "UNIQUE") && $7 != "UND" && NF >= 8 {
             name = $8; sub(/@.*/, "", name); print $4 " " $5 " " name }' |
    sort -u >"$work/globals.txt"
# Linker-defined markers some linkers add; none are code or data of ours.
awk '$3 !~ /^vibectl_/ && $3 !~ /^(_init|_fini|_edata|_end|__bss_start|_DYNAMIC|_GLOBAL_OFFSET_TABLE_)$/' \
    "$work/globals.txt" >"$work/foreign.txt"
if [[ -s "$work/foreign.txt" ]]; then
    count="$(wc -l <"$work/foreign.txt")"
    fail "$lib exports $count global symbol(s) that do not start with vibectl_ (check include/vibectl.map):"
    head -n 20 "$work/foreign.txt" | sed 's/^/    ! /' >&2
    if [[ "$count" -gt 20 ]]; then echo "    ... and $((count - 20)) more" >&2; fi
fi
awk '$3 ~ /^vibectl_/ && $1 != "FUNC"' "$work/globals.txt" >"$work/nonfunc.txt"
if [[ -s "$work/nonfunc.txt" ]]; then
    fail "exported vibectl_* symbols that are not functions:"
    sed 's/^/    ! /' "$work/nonfunc.txt" >&2
fi

# --- 4. SONAME ---------------------------------------------------------------------------
printf '#include "%s"\nVIBECTL_ABI_VERSION\n' "$header_name" |
    "$cc" -E -P -I "$header_dir" -x c - | awk 'NF { last = $0 } END { print last }' | tr -d ' ()' >"$work/abi.txt"
abi="$(cat "$work/abi.txt")"
if ! [[ "$abi" =~ ^[0-9]+$ ]]; then
    fail "could not read VIBECTL_ABI_VERSION from $header (got '$abi')"
fi
soname="$(readelf -d "$lib" | awk '/\(SONAME\)/ { gsub(/.*\[|\].*/, ""); print }')"
if [[ "$soname" != "libvibectl.so.$abi" ]]; then
    fail "SONAME is '${soname:-<none>}', expected 'libvibectl.so.$abi' (VIBECTL_ABI_VERSION in $header)"
fi

# --- 5. Static Swift runtime ---------------------------------------------------------------
readelf -d "$lib" | awk '/\(NEEDED\)/ { gsub(/.*\[|\].*/, ""); print }' >"$work/needed.txt"
grep -E '^(libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime)' "$work/needed.txt" \
    >"$work/swift-needed.txt" || true
if [[ -s "$work/swift-needed.txt" ]]; then
    fail "$lib needs the Swift runtime dynamically (link it with -static-stdlib):"
    sed 's/^/    NEEDED /' "$work/swift-needed.txt" >&2
fi

# --- 6. Every symbol resolves --------------------------------------------------------------
# A shared library may be linked with undefined symbols; they only fail when a program links
# against it or loads it. Linking a trivial program makes the linker check them against the
# library's NEEDED entries (the default --no-allow-shlib-undefined for executables).
printf 'int vibectl_abi_version(void);\nint main(void) { return vibectl_abi_version(); }\n' >"$work/probe.c"
if ! "$cc" "$work/probe.c" "$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")" -o "$work/probe" \
    -Wl,--no-allow-shlib-undefined 2>"$work/link.txt"; then
    count="$(grep -c 'undefined reference' "$work/link.txt" || true)"
    fail "a program cannot link against $lib: $count undefined reference(s), e.g.:"
    grep -m 5 'undefined reference' "$work/link.txt" | sed -E 's/.*(undefined reference to .*)/    \1/' >&2 || true
    if grep -q 'undefined reference to .\(CF\|_CF\|swift_u\|\$s22_FoundationCollections\)' "$work/link.txt"; then
        echo "    (the static Foundation's dependencies are missing from the link: add -lFoundationEssentials" \
            "-lFoundationInternationalization -lCoreFoundation -l_FoundationICU -l_FoundationCollections" \
            "-l_FoundationCShims, or build with -Xswiftc -static-stdlib)" >&2
    fi
fi

declared_count="$(wc -l <"$work/declared.txt")"
exported_count="$(wc -l <"$work/exported.txt")"
if [[ "$status" -eq 0 ]]; then
    echo "ok: $declared_count functions declared in $header, all exported by $lib and nothing else;" \
        "SONAME $soname; NEEDED: $(tr '\n' ' ' <"$work/needed.txt")"
else
    echo "check-exports: FAILED ($declared_count declared, $exported_count exported vibectl_* functions)" >&2
fi
exit "$status"
