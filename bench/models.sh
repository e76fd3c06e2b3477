#!/usr/bin/env bash
# bench/models.sh — figures for the model layer, measured against the loopback fake provider server.
#
# Builds the `vibectl-bench` executable in release mode and runs it. It prints (never fails on slow figures):
#   1. per-call overhead of the adapter stack (ModelService + adapter + AsyncHTTPClientTransport) against
#      the raw round trip of the same request with AsyncHTTPClient alone: median and p90 of >= 200 calls
#      per provider, plain and streamed;
#   2. the success rate over >= 500 calls when the fake server answers "overloaded" on a deterministic
#      50 % of requests, for llm.max_retries 2 (the default), 3, 6 and 2 with one fallback model, with the
#      distribution of retries per call (llm.retry_delay_seconds 0.001 for the run, so that it is fast).
#
# Everything stays on 127.0.0.1; no provider is contacted and no key is real.
#
# Environment: BENCH_CALLS (default and minimum 200), BENCH_OVERLOAD_CALLS (default and minimum 500),
# SCRATCH_PATH (SwiftPM build directory, default .build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SCRATCH_PATH=${SCRATCH_PATH:-.build}

printf '%s\n' "bench: building vibectl-bench (release, $SCRATCH_PATH)" >&2
swift build -c release --scratch-path "$SCRATCH_PATH" --product vibectl-bench >&2
BIN=$(swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)

exec "$BIN/vibectl-bench"
