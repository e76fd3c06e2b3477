#!/usr/bin/env python3
"""bench/compaction_run.py — runs both compactions on the fixtures and prints the table.

Called by bench/compaction.sh (which builds, creates the venv and the fixtures first):
  compaction_run.py --ours BIN --orig-python PY [--fixtures DIR] [--budget 5000]
                    [--orig-timeout 300] [--repeat 3] [--reuse-orig] [--only NAME …]

For every fixture in DIR/manifest.json:
  ours      BIN compact FILE --budget B --repeat R --output OUT   (median of R in-process runs)
  original  PY bench/orig_compact.py FILE OUT B                    (one run; killed after the timeout)
Throughput = input bytes / compaction time (MB = 10^6 bytes; reading the file is not timed).
Peak memory = ru_maxrss of each process (whole process: interpreter/runtime + input + work).
Fact recall = share of the fixture's facts present in the output (rules in bench/fixtures.py).
Outputs and a JSON record go to .bench/results/. --reuse-orig reuses the original's figures from an
earlier run on byte-identical fixtures (same .stamp), and says so in the table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def fact_present(fact: str, text: str) -> bool:
    if fact.isdigit():
        n = int(fact)
        forms = {fact, f"{n:,}", f"{n:,}".replace(",", "_"), f"{n:,}".replace(",", " "),
                 f"{n:,}".replace(",", "\u2009"), f"{n:,}".replace(",", "\u202f")}
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        return re.search(rf"(?<![0-9])(?:{alternatives})(?![0-9])", text) is not None
    return fact in text


def recall(facts: list[str], text: str) -> tuple[float, list[str]]:
    missing = [f for f in facts if not fact_present(f, text)]
    return (len(facts) - len(missing)) / len(facts) if facts else 1.0, missing


def run(cmd: list[str], timeout: float) -> dict:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": True, "wall_s": time.perf_counter() - start}
    wall = time.perf_counter() - start
    figures = None
    for line in reversed(proc.stderr.strip().splitlines()):
        if line.startswith("{"):
            try:
                figures = json.loads(line)
                break
            except json.JSONDecodeError:
                pass
    if proc.returncode != 0 or figures is None:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-600:]}", "wall_s": wall}
    figures["wall_s"] = wall
    return figures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--orig-python", required=True)
    ap.add_argument("--fixtures", default=os.path.join(ROOT, ".bench", "fixtures"))
    ap.add_argument("--results", default=os.path.join(ROOT, ".bench", "results"))
    ap.add_argument("--budget", type=int, default=5000)
    ap.add_argument("--orig-timeout", type=float, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reuse-orig", action="store_true")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()

    with open(os.path.join(args.fixtures, "manifest.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(args.fixtures, ".stamp")) as f:
        stamp = f.read().strip()
    if args.only:
        manifest = [m for m in manifest if m["file"] in args.only]
    os.makedirs(args.results, exist_ok=True)
    cache_path = os.path.join(args.results, "orig-cache.json")
    cache = {}
    if os.path.exists(cache_path):
        with open(cache_path) as f:
            cache = json.load(f)

    rows = []
    for m in manifest:
        path = os.path.join(args.fixtures, m["file"])
        with open(os.path.join(args.fixtures, m["facts"])) as f:
            facts = json.load(f)
        row = {"fixture": m, "facts": len(facts)}
        out_ours = os.path.join(args.results, m["file"] + ".ours.txt")
        print(f"bench: ours     {m['file']}", file=sys.stderr, flush=True)
        ours = run([args.ours, "compact", path, "--budget", str(args.budget), "--repeat", str(args.repeat),
                    "--output", out_ours], timeout=args.orig_timeout)
        if "median_ms" in ours:
            with open(out_ours, encoding="utf-8") as f:
                text = f.read()
            ours["recall"], ours["missing"] = recall(facts, text)
            ours["chars"] = len(text)
        row["ours"] = ours

        out_orig = os.path.join(args.results, m["file"] + ".orig.txt")
        key = f"{stamp}:{m['file']}:{args.budget}"
        if args.reuse_orig and key in cache:
            orig = dict(cache[key], reused=True)
        else:
            print(f"bench: original {m['file']} (timeout {args.orig_timeout:.0f} s)", file=sys.stderr, flush=True)
            orig = run([args.orig_python, os.path.join(HERE, "orig_compact.py"), path, out_orig, str(args.budget)],
                       timeout=args.orig_timeout)
            if "median_ms" in orig:
                with open(out_orig, encoding="utf-8") as f:
                    text = f.read()
                orig["recall"], orig["missing"] = recall(facts, text)
                orig["chars"] = len(text)
            cache[key] = orig
            with open(cache_path, "w") as f:
                json.dump(cache, f, indent=1)
        row["orig"] = orig
        rows.append(row)

    with open(os.path.join(args.results, f"compaction-{time.strftime('%Y%m%dT%H%M%S')}.json"), "w") as f:
        json.dump({"budget": args.budget, "stamp": stamp, "rows": rows}, f, indent=1)
    print_table(rows, args)
    return 0


def mbps(fig: dict, size: int) -> float | None:
    if "median_ms" in fig and fig["median_ms"] > 0:
        return size / 1e6 / (fig["median_ms"] / 1000)
    return None


def print_table(rows: list[dict], args) -> None:
    print(f"Compaction at a {args.budget}-character budget: ours (vibectl-bench compact, release, median of "
          f"{args.repeat}) vs the original (vibectl 0.11.6 OutputProcessor.process_auto, one run, "
          f"timeout {args.orig_timeout:.0f} s)")
    print("MB = 10^6 bytes; time = the compaction call alone; RSS = peak resident set of the process; "
          "recall = facts present / facts")
    print()
    head = (f"{'fixture':<22}{'size MB':>8} | {'ours ms':>9}{'MB/s':>9}{'RSS MiB':>9} | {'orig s':>9}{'MB/s':>8}"
            f"{'RSS MiB':>9} | {'ratio':>9}{'target':>8} | {'recall ours':>11}{'orig':>7}{'target':>7} | "
            f"{'ours chars':>10}")
    print(head)
    print("-" * len(head))
    notes = []
    for r in rows:
        m, ours, orig = r["fixture"], r["ours"], r["orig"]
        size = m["bytes"]
        o_mbps, p_mbps = mbps(ours, size), mbps(orig, size)
        ours_ms = f"{ours['median_ms']:.1f}" if "median_ms" in ours else "error"
        ours_rss = f"{ours['max_rss_kib'] / 1024:.0f}" if "max_rss_kib" in ours else "-"
        if orig.get("timeout"):
            orig_s, orig_mbps, orig_rss = f">{args.orig_timeout:.0f}", f"<{size / 1e6 / args.orig_timeout:.2f}", "-"
            ratio = f">{o_mbps / (size / 1e6 / args.orig_timeout):.0f}x" if o_mbps else "-"
        elif "median_ms" in orig:
            orig_s = f"{orig['median_ms'] / 1000:.2f}"
            orig_mbps = f"{p_mbps:.2f}" if p_mbps else "-"
            orig_rss = f"{orig['max_rss_kib'] / 1024:.0f}"
            ratio = f"{o_mbps / p_mbps:.1f}x" if o_mbps and p_mbps else "-"
        else:
            orig_s, orig_mbps, orig_rss, ratio = "error", "-", "-", "-"
        if orig.get("reused"):
            orig_s += "*"
        target = f">={m['target_ratio']}x" if m.get("target_ratio") else "-"
        rec_o = f"{ours['recall'] * 100:.0f} %" if "recall" in ours else "-"
        rec_p = f"{orig['recall'] * 100:.0f} %" if "recall" in orig else "-"
        chars = str(ours.get("chars", "-"))
        print(f"{m['name']:<22}{size / 1e6:>8.1f} | {ours_ms:>9}{(f'{o_mbps:.1f}' if o_mbps else '-'):>9}{ours_rss:>9} | "
              f"{orig_s:>9}{orig_mbps:>8}{orig_rss:>9} | {ratio:>9}{target:>8} | {rec_o:>11}{rec_p:>7}{'>=90 %':>7} | "
              f"{chars:>10}")
        if "error" in ours:
            notes.append(f"ours on {m['file']}: {ours['error']}")
        if "error" in orig:
            notes.append(f"original on {m['file']}: {orig['error']}")
        if ours.get("missing"):
            miss = ours["missing"]
            notes.append(f"ours missed on {m['file']} ({len(miss)}/{r['facts']}): "
                         + ", ".join(miss[:8]) + (" …" if len(miss) > 8 else ""))
        if "chars" in ours and ours["chars"] > args.budget:
            notes.append(f"ours EXCEEDED the budget on {m['file']}: {ours['chars']} chars")
    print()
    if any(r["orig"].get("reused") for r in rows):
        print("* original's figures reused from an earlier run on the same fixtures (--reuse-orig)")
    for n in notes:
        print(n)


if __name__ == "__main__":
    sys.exit(main())
