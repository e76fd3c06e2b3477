#!/usr/bin/env bash
# bench/startup.sh — startup times of libvibectl against the Python original, vibectl 0.11.6.
#
# Prints one table of medians (not a test; it never fails on slow figures):
#   vibectl version                      ours: .build/release/vibectl-cli version
#                                        original: vibectl --version
#   vibectl just version --client        both, next to `kubectl version --client`
#   python -c "import vibectl"           each in its own venv, the venv's python binary
#
# It builds the release artifacts (as `make install` does), keeps two venvs under .bench/
# (py-ours: this repository's binding; py-orig: `pip install vibectl==0.11.6`, installed
# once and reused) and runs every command with a throw-away HOME, XDG_CONFIG_HOME and
# VIBECTL_CONFIG_DIR so that neither tool touches a real configuration.
#
# Environment: RUNS (default 20, at least 10), BENCH_PYTHON (interpreter for the venvs;
# default /usr/bin/python3, never a pyenv shim), ORIG_VERSION (default 0.11.6).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-20}
if [ "$RUNS" -lt 10 ]; then RUNS=10; fi
ORIG_VERSION=${ORIG_VERSION:-0.11.6}
BENCH_DIR="$ROOT/.bench"
OURS_VENV="$BENCH_DIR/py-ours"
ORIG_VENV="$BENCH_DIR/py-orig"

note() { printf '%s\n' "bench: $*" >&2; }

# --- the interpreter for both venvs: a real binary, never the pyenv shim ----------------
if [ -n "${BENCH_PYTHON:-}" ]; then
    PYTHON=$BENCH_PYTHON
elif [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
    PYTHON=/usr/bin/python3
else
    PYTHON=$(python3 -c 'import sys; print(sys.executable)')
fi

# --- release artifacts ----------------------------------------------------------------
# As `make install` builds them (the CLI with its Swift runtime linked in); a no-op when up to date.
note "building .build/release/vibectl-cli and libvibectl.so (release, --static-swift-stdlib)"
swift build -c release --static-swift-stdlib --product vibectl-cli >&2
swift build -c release --static-swift-stdlib --product vibectl >&2

# --- venvs ------------------------------------------------------------------------------
mkdir -p "$BENCH_DIR"
if [ ! -x "$OURS_VENV/bin/python" ]; then
    note "creating $OURS_VENV"
    "$PYTHON" -m venv "$OURS_VENV"
fi
installed_lib=$(ls "$OURS_VENV"/lib/python*/site-packages/vibectl/libvibectl.so.* 2>/dev/null | head -n 1 || true)
stamp="$OURS_VENV/.installed-from"
sources_newer=$(find bindings/python/src bindings/python/vibectl bindings/python/setup.py bindings/python/pyproject.toml \
    \( -name '*.c' -o -name '*.py' -o -name '*.pyi' -o -name '*.toml' \) -newer "$stamp" -print -quit 2>/dev/null || echo yes)
if [ -z "$installed_lib" ] || ! cmp -s .build/release/libvibectl.so "$installed_lib" || [ ! -f "$stamp" ] || [ -n "$sources_newer" ]; then
    note "installing the binding into $OURS_VENV (release library)"
    VIBECTL_LIB_DIR="$ROOT/.build/release" "$OURS_VENV/bin/pip" install -q --force-reinstall --no-deps ./bindings/python >&2
    echo "$ROOT/.build/release/libvibectl.so" >"$stamp"
fi
if [ ! -f "$ORIG_VENV/.installed-$ORIG_VERSION" ]; then
    note "installing vibectl==$ORIG_VERSION from PyPI into $ORIG_VENV (once; it is large)"
    [ -x "$ORIG_VENV/bin/python" ] || "$PYTHON" -m venv "$ORIG_VENV"
    "$ORIG_VENV/bin/pip" install -q "vibectl==$ORIG_VERSION" >&2
    touch "$ORIG_VENV/.installed-$ORIG_VERSION"
fi

# --- an isolated environment for every run ----------------------------------------------
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vibectl-bench.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/home/.config" "$SCRATCH/config"
export HOME="$SCRATCH/home" XDG_CONFIG_HOME="$SCRATCH/home/.config" VIBECTL_CONFIG_DIR="$SCRATCH/config"
export NO_COLOR=1 TERM=dumb
unset VIBECTL_CLIENT_CONFIG_DIR PYTHONPATH PYTHONHOME || true

KUBECTL=$(command -v kubectl || true)

# --- measure and print --------------------------------------------------------------------
exec "$PYTHON" - "$ROOT" "$RUNS" "$ORIG_VERSION" "${KUBECTL:-}" "$SCRATCH" <<'PY'
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

root, runs, orig_version, kubectl, scratch = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ours_py = f"{root}/.bench/py-ours/bin/python"
orig_py = f"{root}/.bench/py-orig/bin/python"
orig_cli = f"{root}/.bench/py-orig/bin/vibectl"
cli = f"{root}/.build/release/vibectl-cli"
hyperfine = shutil.which("hyperfine")


def check(argv):
    """Runs once; returns (exit code, first line of output) so failures are visible."""
    done = subprocess.run(argv, capture_output=True, text=True)
    text = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, (text[0] if text else "")


def median_ms(argv):
    if hyperfine:
        out = f"{scratch}/hyperfine.json"
        command = " ".join(shlex_quote(a) for a in argv)
        subprocess.run(
            [hyperfine, "-N", "-i", "--warmup", "3", "--runs", str(runs), "--export-json", out, "--style", "none", command],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        with open(out) as f:
            return json.load(f)["results"][0]["median"] * 1000
    for _ in range(3):
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def shlex_quote(arg):
    import shlex
    return shlex.quote(arg)


rows = []  # (label, ours argv, original argv)
rows.append(("vibectl version", [cli, "version"], [orig_cli, "--version"]))
if kubectl:
    rows.append(("vibectl just version --client", [cli, "just", "version", "--client"],
                 [orig_cli, "just", "version", "--client"]))
rows.append(('python -c "import vibectl"', [ours_py, "-c", "import vibectl"], [orig_py, "-c", "import vibectl"]))

results = {}
problems = []
for label, ours, orig in rows:
    for who, argv in (("ours", ours), ("orig", orig)):
        code, first = check(argv)
        if code != 0:
            problems.append(f"{who} `{' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv))}` exited {code}: {first}")
        results[(label, who)] = median_ms(argv)
kubectl_ms = median_ms([kubectl, "version", "--client"]) if kubectl else None

python_version = subprocess.run([ours_py, "-c", "import platform; print(platform.python_version())"],
                                capture_output=True, text=True).stdout.strip()
lib = f"{root}/.build/release/libvibectl.so"
print()
print(f"vibectl startup, medians of {runs} runs ({'hyperfine -N' if hyperfine else 'perf_counter loop'}), "
      f"{platform.machine()}, {os.cpu_count()} CPUs, Python {python_version} (venv binaries)")
print(f"ours: release vibectl-cli + libvibectl.so ({os.path.getsize(lib) / 1e6:.1f} MB); "
      f"original: vibectl {orig_version} from PyPI")
print()

header = ("command", "ours (ms)", f"{orig_version} (ms)", "orig/ours", "target (ours)", "met")
table = []


def fmt(ms):
    return f"{ms:.1f}"


for label, _, _ in rows:
    ours_ms, orig_ms = results[(label, "ours")], results[(label, "orig")]
    if label == "vibectl version":
        target, met = "<= 20 ms", ours_ms <= 20
    elif label.startswith("vibectl just"):
        target, met = f"<= kubectl + 10 = {kubectl_ms + 10:.1f} ms", ours_ms <= kubectl_ms + 10
    else:
        target, met = "<= 30 ms", ours_ms <= 30
    table.append((label, fmt(ours_ms), fmt(orig_ms), f"{orig_ms / ours_ms:.1f}x", target, "yes" if met else "NO"))
if kubectl_ms is not None:
    table.append(("kubectl version --client", fmt(kubectl_ms), "", "", "(baseline)", ""))

widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in table:
    print(line(r))
if problems:
    print()
    print("notes: commands that did not exit 0 (timed anyway):")
    for p in problems:
        print("  -", p)
PY
