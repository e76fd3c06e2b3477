"""The GIL is released during calls, clients are shared safely, events and cancel work."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import vibectl
from gil_ticker import Ticker


def test_other_threads_run_while_kubectl_runs(client: vibectl.Client, fake_kubectl: Callable[[str], Path]) -> None:
    fake_kubectl("sleep 0.5\nexit 3")
    with Ticker() as ticker:
        before = ticker.count
        started = time.monotonic()
        exit_code = client.kubectl(["get", "pods"])
        elapsed = time.monotonic() - started
        during = ticker.count - before
    assert exit_code == 3
    assert elapsed >= 0.45
    # With the GIL held during the call the ticker would not advance at all.
    assert during >= 20, f"only {during} ticks in {elapsed:.2f}s"


def test_eight_threads_share_one_client(client: vibectl.Client) -> None:
    keys = [  # free-text keys: any value is valid
        "system.custom_instructions",
        "llm.model",
        "core.kubeconfig",
        "live_display.save_dir",
        "live_display.default_filter_regex",
        "providers.openai.key_file",
        "providers.anthropic.key_file",
        "providers.ollama.key_file",
    ]
    rounds = 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(keys))

    def writer(index: int, key: str) -> None:
        try:
            barrier.wait()
            for n in range(1, rounds + 1):
                client.config.set(key, f"thread{index}-value{n}")
                assert client.config.get(key) == f"thread{index}-value{n}"
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i, key)) for i, key in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    shown = client.config.show()["sources"]
    for index, key in enumerate(keys):
        assert client.config.get(key) == f"thread{index}-value{rounds}"
        assert shown[key] == "file"


def test_memory_from_many_threads(client: vibectl.Client) -> None:
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for n in range(10):
                client.memory.set(f"worker {index} round {n}")
                client.memory.status()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert client.memory.get().endswith("round 9")


def test_events_arrive_on_the_calling_thread(client: vibectl.Client, fake_kubectl: Callable[[str], Path]) -> None:
    script = fake_kubectl("exit 4")
    events: list[dict[str, Any]] = []
    threads: set[int] = set()

    def on_event(event: dict[str, Any]) -> None:
        threads.add(threading.get_ident())
        events.append(event)

    assert client.kubectl(["get", "pods", "-n", "demo"], on_event=on_event) == 4
    assert [event["type"] for event in events] == ["command_started", "command_exited"]
    assert [event["seq"] for event in events] == [1, 2]
    assert all(event["version"] == 1 and event["time"] for event in events)
    started, exited = events
    assert started["data"]["argv"] == [str(script), "get", "pods", "-n", "demo"]
    assert started["data"]["pid"] > 0
    assert exited["data"]["exit_code"] == 4
    assert threads == {threading.get_ident()}


def test_kubeconfig_is_passed_first(client: vibectl.Client, fake_kubectl: Callable[[str], Path], tmp_path: Path) -> None:
    fake_kubectl("exit 0")
    client.config.set("core.kubeconfig", str(tmp_path / "kc"))
    argv: list[str] = []
    client.kubectl(["get", "ns"], on_event=lambda e: argv.extend(e["data"].get("argv", [])))
    assert argv[1:] == ["--kubeconfig", str(tmp_path / "kc"), "get", "ns"]


def test_exit_code_of_a_signal(client: vibectl.Client, fake_kubectl: Callable[[str], Path]) -> None:
    fake_kubectl("kill -TERM $$")
    assert client.kubectl(["version"]) == 128 + 15


def test_a_callback_may_call_back_into_the_same_client(
    client: vibectl.Client, fake_kubectl: Callable[[str], Path]
) -> None:
    fake_kubectl("exit 0")
    seen: list[str] = []
    client.kubectl(["version"], on_event=lambda e: seen.append(client.config.get("llm.model")))
    assert seen == ["claude-3.7-sonnet", "claude-3.7-sonnet"]


def test_close_inside_a_callback_waits_for_the_call(client: vibectl.Client, fake_kubectl: Callable[[str], Path]) -> None:
    fake_kubectl("exit 5")
    assert client.kubectl(["version"], on_event=lambda e: client.close()) == 5
    assert client.closed
    with pytest.raises(vibectl.InvalidArgumentError, match="closed"):
        client.memory.get()


def test_close_from_another_thread_lets_the_running_call_finish(
    client: vibectl.Client, fake_kubectl: Callable[[str], Path]
) -> None:
    fake_kubectl("sleep 0.4\nexit 6")
    started = threading.Event()
    closer = threading.Thread(target=lambda: (started.wait(10), client.close()))
    closer.start()
    try:
        assert client.kubectl(["version"], on_event=lambda e: started.set()) == 6
    finally:
        closer.join()
    assert client.closed
    with pytest.raises(vibectl.InvalidArgumentError, match="closed"):
        client.config.get("llm.model")


def test_cancel_stops_a_running_kubectl_promptly(client: vibectl.Client, fake_kubectl: Callable[[str], Path]) -> None:
    fake_kubectl("exec sleep 30")
    started = threading.Event()

    def cancel_when_started() -> None:
        started.wait(10)
        time.sleep(0.1)
        client.cancel()

    thread = threading.Thread(target=cancel_when_started)
    thread.start()
    began = time.monotonic()
    try:
        with pytest.raises(vibectl.CancelledError):
            client.kubectl(["get", "pods", "-w"], on_event=lambda e: started.set())
    finally:
        thread.join()
    assert time.monotonic() - began < 5
    # Calls after the cancel are not affected.
    fake_kubectl("exit 0")
    assert client.kubectl(["version"]) == 0


def test_cancel_with_nothing_running_is_harmless(client: vibectl.Client) -> None:
    client.cancel()
    assert client.config.get("llm.model") == "claude-3.7-sonnet"


def test_separate_clients_run_in_parallel(tmp_path: Path, fake_kubectl: Callable[[str], Path]) -> None:
    script = fake_kubectl("sleep 0.4\nexit 0")
    results: list[int] = []

    def run(index: int) -> None:
        with vibectl.Client(tmp_path / f"dir{index}", core_kubectl_command=str(script)) as own:
            results.append(own.kubectl(["version"]))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [0, 0, 0, 0]
    assert time.monotonic() - began < 1.5, "four 0.4 s calls on four clients overlap"


def test_ctrl_c_during_kubectl_raises_keyboard_interrupt(tmp_path: Path) -> None:
    """SIGINT to the process group: kubectl dies, the call returns, Python raises KeyboardInterrupt."""
    import signal
    import subprocess
    import sys

    kubectl = tmp_path / "slow-kubectl"
    kubectl.write_text("#!/bin/sh\nexec sleep 20\n")
    kubectl.chmod(0o755)
    script = (
        "import sys, time, vibectl\n"
        f"c = vibectl.Client({str(tmp_path / 'cfg')!r}, core_kubectl_command={str(kubectl)!r})\n"
        "print('ready', flush=True)\n"
        "try:\n"
        "    code = c.kubectl(['get', 'pods', '-w'])\n"
        "    time.sleep(1)\n"
        "    print('returned', code)\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt')\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True, cwd=tmp_path
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        began = time.monotonic()
        os.killpg(child.pid, signal.SIGINT)
        out, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert out.strip() == "KeyboardInterrupt"
    assert time.monotonic() - began < 5
