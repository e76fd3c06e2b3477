#!/usr/bin/env bash
# bench/compaction.sh — output compaction against the Python original, vibectl 0.11.6, in one run.
#
# Prints one table (not a test; it never fails on slow figures): for each fixture, throughput
# (MB/s) and peak memory of our compaction (`vibectl-bench compact`, release build, Compactor in
# VibectlOutput) and of the original's `OutputProcessor.process_auto(text, budget)`, the ratio,
# and fact recall for both, next to the issue's targets (>= 20x on JSON and logs, >= 100x on YAML,
# recall >= 90 %).
#
# Steps: build vibectl-bench in release; create/reuse the venv .bench/py-orig with
# `pip install vibectl==0.11.6` (shared with bench/startup.sh); generate the fixtures into
# .bench/fixtures/ with bench/fixtures.py (skipped when they are up to date; never committed);
# run bench/compaction_run.py, which keeps each tool's output under .bench/results/.
#
# Environment: BUDGET (default 5000), ORIG_TIMEOUT (seconds, default 300), REPEAT (our in-process
# repetitions, median reported; default 3), BENCH_PYTHON (interpreter for the venv; default
# /usr/bin/python3), ORIG_VERSION (default 0.11.6), SCRATCH (a SwiftPM --scratch-path; default .build),
# REUSE_ORIG=1 (reuse the original's figures from an earlier run on identical fixtures).
# Extra arguments go to compaction_run.py (e.g. --only pods.json app.log).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUDGET=${BUDGET:-5000}
ORIG_TIMEOUT=${ORIG_TIMEOUT:-300}
REPEAT=${REPEAT:-3}
ORIG_VERSION=${ORIG_VERSION:-0.11.6}
ORIG_VENV="$ROOT/.bench/py-orig"
SCRATCH_ARGS=()
if [ -n "${SCRATCH:-}" ]; then SCRATCH_ARGS=(--scratch-path "$SCRATCH"); fi

note() { printf '%s\n' "bench: $*" >&2; }

if [ -n "${BENCH_PYTHON:-}" ]; then
    PYTHON=$BENCH_PYTHON
elif [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
    PYTHON=/usr/bin/python3
else
    PYTHON=$(python3 -c 'import sys; print(sys.executable)')
fi

# --- our driver, release --------------------------------------------------------------
note "building vibectl-bench (release)"
swift build -c release --product vibectl-bench "${SCRATCH_ARGS[@]}" >&2
BIN="$(swift build -c release --show-bin-path "${SCRATCH_ARGS[@]}")/vibectl-bench"

# --- the original -----------------------------------------------------------------------
mkdir -p "$ROOT/.bench"
if [ ! -x "$ORIG_VENV/bin/python" ]; then
    note "creating $ORIG_VENV"
    "$PYTHON" -m venv "$ORIG_VENV"
fi
if ! "$ORIG_VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('vibectl') != '$ORIG_VERSION')" 2>/dev/null; then
    note "installing vibectl==$ORIG_VERSION into $ORIG_VENV"
    "$ORIG_VENV/bin/pip" install --quiet "vibectl==$ORIG_VERSION" >&2
fi

# --- fixtures (PyYAML comes with the original) -------------------------------------------
"$ORIG_VENV/bin/python" bench/fixtures.py

# --- run and print ---------------------------------------------------------------------
extra=()
if [ "${REUSE_ORIG:-0}" = 1 ]; then extra+=(--reuse-orig); fi
exec "$ORIG_VENV/bin/python" bench/compaction_run.py --ours "$BIN" --orig-python "$ORIG_VENV/bin/python" \
    --budget "$BUDGET" --orig-timeout "$ORIG_TIMEOUT" --repeat "$REPEAT" "${extra[@]}" "$@"
