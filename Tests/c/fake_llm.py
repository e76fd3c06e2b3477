"""The fake OpenAI-compatible server of the C test (scripts/test-c.sh starts it; loopback only).

Usage: fake_llm.py DIR — serves on 127.0.0.1, writes its base URL to DIR/url, and appends every chat
request body (one JSON document per line) to DIR/requests.jsonl. Replies are scripted by the C test:
before a scenario it writes DIR/replies.jsonl (one JSON value per line: each becomes the content of
one structured reply, in order); the server takes that file over when its queue is empty. Runs until
it is terminated (SIGTERM). Reuses the Python binding's fake (bindings/python/tests/fake_openai.py).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python", "tests"))

from fake_openai import FakeOpenAI  # noqa: E402


class ScriptedByFiles(FakeOpenAI):
    def __init__(self, directory: str) -> None:
        self.directory = directory
        super().__init__()

    def _record(self, handler: Any, body: Any) -> None:
        super()._record(handler, body)
        if handler.command != "POST":
            return
        with open(os.path.join(self.directory, "requests.jsonl"), "a", encoding="utf-8") as log:
            log.write(json.dumps(body) + "\n")
        if self.pending() == 0:
            path = os.path.join(self.directory, "replies.jsonl")
            try:
                with open(path, encoding="utf-8") as replies:
                    lines = [line for line in replies.read().splitlines() if line.strip()]
                os.remove(path)
            except FileNotFoundError:
                lines = []
            for line in lines:
                self.push_json(json.loads(line), chunks=3)


def main() -> None:
    directory = sys.argv[1]
    server = ScriptedByFiles(directory)
    with open(os.path.join(directory, "url.tmp"), "w", encoding="utf-8") as out:
        out.write(server.base_url)
    os.replace(os.path.join(directory, "url.tmp"), os.path.join(directory, "url"))
    threading.Event().wait()


if __name__ == "__main__":
    main()
