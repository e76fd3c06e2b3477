#!/usr/bin/env python3
"""bench/orig_compact.py FILE OUT [BUDGET] — one compaction with the Python original (vibectl 0.11.6).

Runs `vibectl.output_processor.OutputProcessor(max_chars=BUDGET).process_auto(text, BUDGET)` on the
text of FILE, writes `.truncated` to OUT and prints one JSON line of figures to standard error:
{"bytes", "kind" (original_type), "kept_chars", "elapsed_ms" (process_auto alone; the file is read
before the clock starts), "read_ms", "max_rss_kib" (getrusage ru_maxrss of this process)}.
Run it with the py-orig venv's interpreter (bench/compaction.sh does).
"""

import json
import logging
import resource
import sys
import time


def main() -> int:
    path, out = sys.argv[1], sys.argv[2]
    budget = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    logging.disable(logging.CRITICAL)
    from vibectl.output_processor import OutputProcessor

    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    read_ms = (time.perf_counter() - t0) * 1000
    processor = OutputProcessor(max_chars=budget)
    start = time.perf_counter()
    result = processor.process_auto(text, budget)
    elapsed_ms = (time.perf_counter() - start) * 1000
    with open(out, "w", encoding="utf-8") as f:
        f.write(result.truncated)
    figures = {
        "bytes": len(text.encode("utf-8")),
        "kind": result.original_type,
        "kept_chars": len(result.truncated),
        "elapsed_ms": [elapsed_ms],
        "median_ms": elapsed_ms,
        "read_ms": read_ms,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    print(json.dumps(figures, sort_keys=True), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
