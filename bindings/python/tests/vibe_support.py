"""What the vibe-engine tests share (test_vibe.py, test_loops.py): a fake kubectl that records
the argv of each run, a client on the fake OpenAI-compatible server, and helpers to read what
was sent. Their fixtures (server, kubectl, vc, default_client_env) are in conftest.py."""

from __future__ import annotations

import json
import os
import signal
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI

import vibectl
from gil_ticker import Ticker

API_KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"

KUBECTL_SCRIPT = """#!/bin/sh
# Records each run's arguments (one per line, then a separator) and answers like kubectl.
for arg in "$@"; do printf '%s\\n' "$arg" >> "{log}"; done
echo "--" >> "{log}"
case "$*" in
  *nosuchthing*) echo "error: the server doesn't have a resource type \\"nosuchthing\\"" >&2; exit 3 ;;
esac
case "$1" in
  get)
    case "$2" in
      deployments) printf 'NAME   READY   UP-TO-DATE   AVAILABLE\\nweb    2/3     3            2\\n' ;;
      *) printf 'NAME    READY   STATUS             RESTARTS   AGE\\nweb-1   0/1     CrashLoopBackOff   7          3m\\n' ;;
    esac ;;
  diff) printf -- '-  replicas: 2\\n+  replicas: 3\\n'; exit 1 ;;
  apply) cat > "{stdin}"; echo "pod/web created" ;;
  *) echo "$1 done" ;;
esac
"""


class FakeKubectl:
    """A kubectl script that logs the argv of every run (and what `apply` read on stdin)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.log = directory / "kubectl-argv.log"
        self.stdin = directory / "kubectl-stdin.txt"
        self.path = directory / "kubectl"
        self.path.write_text(KUBECTL_SCRIPT.format(log=self.log, stdin=self.stdin), encoding="utf-8")
        self.path.chmod(self.path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    def runs(self) -> list[list[str]]:
        """The argv of each run, in order."""
        if not self.log.exists():
            return []
        runs: list[list[str]] = [[]]
        for line in self.log.read_text(encoding="utf-8").splitlines():
            if line == "--":
                runs.append([])
            else:
                runs[-1].append(line)
        return runs[:-1]


def make_client(config_dir: Path, server: FakeOpenAI, kubectl: FakeKubectl, **overrides: Any) -> vibectl.Client:
    """A client on the fake server and the fake kubectl; the API key comes from the environment."""
    options: dict[str, Any] = {
        "providers.openai.base_url": server.base_url,
        "llm.model": "gpt-4o",
        "llm.retry_delay_seconds": 0.01,
        "core.kubectl_command": str(kubectl.path),
    }
    options.update(overrides)
    return vibectl.Client(config_dir=config_dir, **options)


def sent_text(request: dict[str, Any]) -> str:
    """Everything a chat request sent in its messages, as one string."""
    return json.dumps(request["body"].get("messages"), ensure_ascii=False)


def needs_default_sigint() -> None:
    """Skips the test unless Ctrl-C can be sent to this process and reach Python's own handler."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread")
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT does not have Python's default handler here")


def assert_lets_other_threads_run(call: Callable[[], object]) -> None:
    """`call`, which waits about half a second for the server, does not hold the GIL meanwhile."""
    with Ticker() as ticker:
        before = ticker.count
        call()
        after = ticker.count
    assert after - before >= 20


def assert_cancel_ends(client: vibectl.Client, call: Callable[[], object]) -> None:
    """`client.cancel()` from another thread ends `call` (waiting on a slow server) with CancelledError."""
    timer = threading.Timer(0.3, client.cancel)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(vibectl.CancelledError):
            call()
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10


def assert_ctrl_c_ends(call: Callable[[], object]) -> None:
    """Ctrl-C (SIGINT to this process) ends `call` (waiting on a slow server) with KeyboardInterrupt,
    soon, and Python's own handler is back afterwards. Skips where SIGINT cannot be used."""
    needs_default_sigint()
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
