#!/usr/bin/env bash
# bench/vibe.sh — the vibe engine's figures over its scenario set (Sources/VibectlBench/VibeCommand.swift).
#
# Builds `vibectl-bench` in release mode and runs `vibectl-bench vibe`: for each scenario (a 300-row pod
# table, a 4000-line log, a 500-pod JSON list, a Secret, a manifest apply, a failing command) one step
# runs RUNS times against the loopback fake provider and a fake kubectl, and it prints model calls and
# prompt characters per step and the engine's own overhead (wall time minus model and kubectl time),
# median and p90. Prints figures only; never fails on a slow number. Everything stays on 127.0.0.1.
#
# Environment: RUNS (default 20), SCRATCH_PATH (SwiftPM build directory, default .build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SCRATCH_PATH=${SCRATCH_PATH:-.build}

printf '%s\n' "bench: building vibectl-bench (release, $SCRATCH_PATH)" >&2
swift build -c release --scratch-path "$SCRATCH_PATH" --product vibectl-bench >&2
BIN=$(swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)
exec "$BIN/vibectl-bench" vibe --runs "${RUNS:-20}"
