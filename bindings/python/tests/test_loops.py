"""check, auto/semiauto loops and the user's own kubectl command (run_kubectl) through the
binding, against the fake OpenAI-compatible server and a fake kubectl that records its
arguments and its stdin."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

import pytest
from fake_openai import FakeOpenAI

import vibectl
from vibe_support import (
    FakeKubectl,
    assert_cancel_ends,
    assert_ctrl_c_ends,
    assert_lets_other_threads_run,
    make_client,
    needs_default_sigint,
    sent_text,
)


def is_planner(request: dict[str, Any]) -> bool:
    schema = ((request["body"].get("response_format") or {}).get("json_schema") or {}).get("schema") or {}
    return "action" in (schema.get("properties") or {})


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done_code", "verdict", "exit_code"),
    [(0, "true", 0), (1, "false", 1), (2, "poorly_posed", 2), (3, "cannot_determine", 3), (7, "cannot_determine", 3)],
)
def test_check_verdict_comes_from_done(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl, done_code: int, verdict: str, exit_code: int
) -> None:
    server.push_plan("DONE", exit_code=done_code, explanation=f"verdict {done_code}")
    result = vc.check("every deployment in shop has all replicas ready")
    assert isinstance(result, vibectl.CheckResult)
    assert result.verdict == verdict and result.exit_code == exit_code
    assert bool(result) is (verdict == "true")
    assert result.explanation == f"verdict {done_code}"
    assert result.iterations == 1 and result.commands == []
    assert kubectl.runs() == []
    assert repr(result).startswith(f"<CheckResult {verdict} exit_code={exit_code} iterations=1")
    assert f"**check: {verdict.replace('_', ' ')}** (exit code {exit_code})" in result._repr_markdown_()
    (request,) = server.chat_requests()
    assert "every deployment in shop has all replicas ready" in sent_text(request)


def test_check_runs_read_only_commands_and_feeds_their_output_to_the_next_iteration(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    server.push_plan(commands=["get", "pods", "-n", "web"], explanation="Look at the pods.")
    server.push_plan("DONE", exit_code=1, explanation="web-1 is crash-looping, not ready")
    events: list[vibectl.Event] = []
    result = vc.check("all pods in web are ready", on_event=events.append)
    assert result.verdict == "false" and result.exit_code == 1 and not result
    assert result.explanation == "web-1 is crash-looping, not ready"
    assert result.iterations == 2
    assert kubectl.runs() == [["get", "pods", "-n", "web"]]
    (record,) = result.commands
    assert record["argv"] == ["get", "pods", "-n", "web"] and record["exit_code"] == 0
    assert "CrashLoopBackOff" in record["stdout"]
    first, second = server.chat_requests()
    assert "CrashLoopBackOff" not in sent_text(first)
    assert "CrashLoopBackOff" in sent_text(second)  # iteration 1's output, straight into iteration 2
    assert "kubectl get pods -n web" in sent_text(second)
    iterations = [e.data["iteration"] for e in events if e.type == "check_iteration"]
    assert iterations == [1, 2]
    assert [e for e in events if e.type == "done"][-1].data["status"] == "false"
    assert "- `kubectl get pods -n web` (exit code 0)" in result._repr_markdown_()
    assert vc.memory.get() == ""  # check leaves memory alone, and makes no summary call
    assert len(server.chat_requests()) == 2


@pytest.mark.parametrize(
    "plan",
    [
        {"commands": ["delete", "pod", "web-1"], "explanation": "Remove it."},
        {"commands": ["apply", "-f", "-"], "yaml_manifest": "kind: Pod\nmetadata:\n  name: x\n", "explanation": "x"},
    ],
)
def test_check_refuses_a_plan_that_is_not_read_only(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl, plan: dict[str, Any]
) -> None:
    server.push_plan(**plan)
    result = vc.check("web can be deleted")
    assert result.verdict == "cannot_determine" and result.exit_code == 3
    assert "refused" in result.explanation and "read-only" in result.explanation
    assert result.commands == []
    assert kubectl.runs() == []
    assert len(server.chat_requests()) == 1


def test_check_max_iterations(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan("THOUGHT", text="first I think")
    server.push_plan("THOUGHT", text="then I think more")
    result = vc.check("the cluster is healthy", max_iterations=2)
    assert result.verdict == "cannot_determine" and result.iterations == 2
    assert "2 iterations" in result.explanation
    assert "first I think" in sent_text(server.chat_requests()[1])
    with pytest.raises(vibectl.InvalidArgumentError, match="max_iterations"):
        vc.check("x", max_iterations=0)
    with pytest.raises(TypeError):
        vc.check("x", max_iterations="2")  # type: ignore[arg-type]


def test_check_feedback_is_poorly_posed(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push_plan("FEEDBACK", message="which cluster?", explanation="ambiguous", suggestion=None)
    result = vc.check("it works")
    assert result.verdict == "poorly_posed" and result.exit_code == 2
    assert result.explanation == "which cluster?"


# ---------------------------------------------------------------------------
# auto and semiauto
# ---------------------------------------------------------------------------


def test_auto_runs_until_done(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods"], explanation="Look first.")
    server.push_summary("web-1 crash-loops", memory="web-1 crash-loops")
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Restart it.")
    server.push_summary("web-1 deleted", memory="web-1 restarted")
    server.push_plan("DONE", exit_code=0, explanation="web is restarted")
    events: list[vibectl.Event] = []
    result = vc.auto("fix web", max_steps=10, on_event=events.append)
    assert isinstance(result, vibectl.LoopResult)
    assert result.end == "done" and result.exit_code == 0 and result
    assert result.message == "web is restarted"
    assert [s.status for s in result.steps] == ["completed", "completed", "done"]
    assert all(isinstance(s, vibectl.StepResult) for s in result.steps)
    assert result.steps[0].summary == "web-1 crash-loops"
    assert result.last is result.steps[-1]
    assert kubectl.runs() == [["get", "pods"], ["delete", "pod", "web-1"]]  # auto: mutating runs unasked
    assert result.metrics["steps"] == 3 and result.metrics["model_calls"] == 5
    types = [e.type for e in events]
    assert [e.data["step"] for e in events if e.type == "step_started"] == [1, 2, 3]
    assert types[-1] == "loop_ended" and events[-1].data["end"] == "done"
    planners = [r for r in server.chat_requests() if is_planner(r)]
    assert "fix web" in sent_text(planners[0])
    assert "CrashLoopBackOff" not in sent_text(planners[0])
    assert "CrashLoopBackOff" in sent_text(planners[1])  # step 1's output goes into step 2's plan
    assert repr(result).startswith("<LoopResult done exit_code=0 steps=3")
    markdown = result._repr_markdown_()
    assert "**loop done** (exit code 0, 3 steps)" in markdown and "2. **completed** `kubectl delete pod web-1`" in markdown


def test_auto_exits_with_done_exit_code(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push_plan("DONE", exit_code=3, explanation="cannot do that")
    result = vc.auto("something impossible")
    assert result.end == "done" and result.exit_code == 3 and not result


def test_auto_halts_on_error(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods"], explanation="Look.")
    server.push_summary("one pod", memory="m")
    server.push_plan("ERROR", message="the cluster is unreachable")
    result = vc.auto("fix web")
    assert result.end == "halted" and result.exit_code != 0 and result.exit_code == 1
    assert result.message == "the cluster is unreachable"
    assert [s.status for s in result.steps] == ["completed", "error"]
    assert kubectl.runs() == [["get", "pods"]]


def test_auto_stops_at_max_steps(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods"], explanation="Look.")
    server.push_summary("pods", memory="m")
    server.push_plan(commands=["get", "deployments"], explanation="Look more.")
    server.push_summary("deployments", memory="m")
    result = vc.auto("look around", max_steps=2)
    assert result.end == "limit_reached" and result.exit_code == 4
    assert len(result.steps) == 2
    assert kubectl.runs() == [["get", "pods"], ["get", "deployments"]]
    assert len(server.chat_requests()) == 4  # no third plan


def test_auto_stops_a_repeating_command(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    for _ in range(3):
        server.push_plan(commands=["get", "pods"], explanation="Look again.")
        server.push_summary("still crash-looping", memory="m")
    result = vc.auto("wait for web", max_steps=10)
    assert result.end == "repeating" and result.exit_code == 5
    assert len(result.steps) == 3
    assert kubectl.runs() == [["get", "pods"]] * 3
    assert "kubectl get pods" in (result.message or "")


def test_auto_asks_only_for_forced_confirmations(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    # Without confirm, a forced confirmation halts the loop (needs_confirmation, 11): a result, no exception.
    server.push_plan(commands=["delete", "namespace", "web"], explanation="Clean up.")
    result = vc.auto("clean up")
    assert result.end == "halted" and result.exit_code == 11
    assert result.steps[-1].status == "needs_confirmation"
    assert kubectl.runs() == []
    # With confirm, only the forced one is asked; the plain delete runs unasked.
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Restart it.")
    server.push_summary("deleted", memory="m")
    server.push_plan(commands=["delete", "namespace", "web"], explanation="Clean up.")
    asked: list[vibectl.ConfirmationRequest] = []
    result = vc.auto("clean up", confirm=lambda request: asked.append(request) or "no")
    assert [r.command for r in asked] == ["kubectl delete namespace web"]
    assert asked[0].mode == "auto" and asked[0].safety.forced and "exit" not in asked[0].choices
    assert result.end == "halted" and result.exit_code == 10
    assert [s.status for s in result.steps] == ["completed", "declined"]
    assert kubectl.runs() == [["delete", "pod", "web-1"]]


def test_semiauto_exit_ends_the_loop(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods"], explanation="Look.")
    server.push_summary("web-1 crash-loops", memory="m")
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Restart it.")
    asked: list[vibectl.ConfirmationRequest] = []

    def confirm(request: vibectl.ConfirmationRequest) -> str:
        asked.append(request)
        return "exit"

    result = vc.semiauto("fix web", confirm=confirm)
    assert result.end == "exited" and result.exit_code == 0
    assert [s.status for s in result.steps] == ["completed", "exited"]
    assert kubectl.runs() == [["get", "pods"]]  # read-only runs without asking; the delete never ran
    (request,) = asked
    assert request.mode == "semiauto" and "exit" in request.choices
    assert request.command == "kubectl delete pod web-1"


def test_semiauto_without_confirm_halts_needing_confirmation(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Restart it.")
    result = vc.semiauto("fix web")
    assert result.end == "halted" and result.exit_code == 11
    assert result.steps[-1].status == "needs_confirmation"
    assert kubectl.runs() == []


def test_semiauto_confirm_yes_runs_and_continues(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Restart it.")
    server.push_summary("deleted", memory="m")
    server.push_plan("DONE", exit_code=0, explanation="done")
    result = vc.semiauto("fix web", confirm=lambda request: True)
    assert result.end == "done" and result.exit_code == 0
    assert kubectl.runs() == [["delete", "pod", "web-1"]]


def test_loop_callbacks_raising_propagate(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    raised = RuntimeError("no thanks")

    def confirm(request: vibectl.ConfirmationRequest) -> bool:
        raise raised

    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Restart it.")
    with pytest.raises(RuntimeError) as caught:
        vc.semiauto("fix web", confirm=confirm)
    assert caught.value is raised
    assert kubectl.runs() == []
    server.push_plan("DONE", exit_code=0, explanation="done")
    with pytest.raises(vibectl.CallbackError):
        vc.auto("x", on_event=lambda event: False)


def test_loop_bad_limits(vc: vibectl.Client) -> None:
    with pytest.raises(TypeError, match="max_steps"):
        vc.auto("x", max_steps="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_steps"):
        vc.auto("x", max_steps=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="interval"):
        vc.auto("x", interval="1")  # type: ignore[arg-type]
    with pytest.raises(vibectl.InvalidArgumentError, match="max_steps"):
        vc.auto("x", max_steps=0)
    with pytest.raises(TypeError):
        vc.semiauto("x", confirm="yes")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# run_kubectl: the user's own command
# ---------------------------------------------------------------------------


def test_run_kubectl_runs_argv_verbatim_and_summarises(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    args = ["get", "pods", "-l", "app=web tier", "--field-selector=status.phase!=Running", "$(touch /tmp/x); echo"]
    server.push_summary("web-1 is crash-looping", memory="web-1 crash-loops", chunks=3)
    chunks: list[str] = []
    step = vc.run_kubectl(args, on_text=chunks.append)
    assert kubectl.runs() == [args]  # verbatim, no shell
    assert step.status == "completed" and step.exit_code == 0 and step.ok
    assert step.commands[0]["argv"] == args
    assert "CrashLoopBackOff" in step.commands[0]["stdout"] and "CrashLoopBackOff" in step.output
    assert step.summary == "web-1 is crash-looping" and "".join(chunks) == step.summary
    assert step.summary_error is None
    assert step.memory_updated and vc.memory.get() == "web-1 crash-loops"
    assert step.plan is None and step.command is not None and step.command.startswith("kubectl get pods")
    (request,) = server.chat_requests()
    assert "CrashLoopBackOff" in sent_text(request)


def test_run_kubectl_is_not_judged_by_the_classifier(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    step = vc.run_kubectl(["delete", "pod", "web-1"], summary=False)  # the user's own: no confirmation
    assert step.status == "completed"
    assert kubectl.runs() == [["delete", "pod", "web-1"]]
    assert server.chat_requests() == []


def test_run_kubectl_diff_exit_1_is_completed(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_summary("replicas go from 2 to 3", memory="m")
    step = vc.run_kubectl(["diff", "-f", "web.yaml"])
    assert step.status == "completed" and step.exit_code == 1 and step.ok
    assert step.commands[0]["exit_code"] == 1
    assert step.summary == "replicas go from 2 to 3"
    # Other verbs count exit 1 as failure unless told otherwise.
    step = vc.run_kubectl(["diff", "-f", "web.yaml"], allowed_exit_codes=[0], summary=False)
    assert step.status == "failed" and step.exit_code == 1 and not step.ok


def test_run_kubectl_failure_gets_recovery(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_summary(recovery="check the resource type", memory="m")
    step = vc.run_kubectl(["get", "nosuchthing"])
    assert step.status == "failed" and step.exit_code == 3
    assert step.recovery == "check the resource type"
    assert "nosuchthing" in step.commands[0]["stderr"]


def test_run_kubectl_stdin(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
    step = vc.run_kubectl(["apply", "-f", "-"], stdin=manifest, summary=False)
    assert step.status == "completed"
    assert kubectl.runs() == [["apply", "-f", "-"]]
    assert kubectl.stdin.read_text(encoding="utf-8") == manifest
    assert "pod/web created" in step.output


def test_run_kubectl_without_a_model_keeps_the_output(
    config_dir: Path, server: FakeOpenAI, kubectl: FakeKubectl, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIBECTL_OPENAI_API_KEY", raising=False)
    with make_client(config_dir, server, kubectl) as client:  # no API key anywhere
        step = client.run_kubectl(["get", "pods"])
    assert step.status == "completed" and step.exit_code == 0
    assert step.summary is None and step.summary_error
    assert "CrashLoopBackOff" in step.commands[0]["stdout"] and "CrashLoopBackOff" in str(step)
    assert server.chat_requests() == []


def test_run_kubectl_provider_error_keeps_the_output(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push({"kind": "status", "code": 400, "message": "bad request"})
    step = vc.run_kubectl(["get", "pods"])
    assert step.status == "completed" and step.summary is None and step.summary_error
    assert "CrashLoopBackOff" in step.output


def test_run_kubectl_bad_arguments(vc: vibectl.Client, kubectl: FakeKubectl) -> None:
    with pytest.raises(TypeError, match="list of str"):
        vc.run_kubectl("get pods")  # type: ignore[arg-type]
    with pytest.raises(vibectl.InvalidArgumentError):
        vc.run_kubectl([])
    with pytest.raises(vibectl.InvalidArgumentError, match="verb"):
        vc.run_kubectl(["--all-namespaces"])
    with pytest.raises(TypeError):
        vc.run_kubectl(["get", "pods"], stdin=b"x")  # type: ignore[arg-type]
    assert kubectl.runs() == []


def test_run_kubectl_missing_kubectl(config_dir: Path, server: FakeOpenAI, kubectl: FakeKubectl, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-kubectl")
    with make_client(config_dir, server, kubectl, **{"core.kubectl_command": missing}) as client:
        with pytest.raises(vibectl.KubectlError):
            client.run_kubectl(["get", "pods"])


# ---------------------------------------------------------------------------
# the default client, the GIL, Ctrl-C
# ---------------------------------------------------------------------------


def test_module_level_functions(default_client_env: None, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan("DONE", exit_code=0, explanation="yes")
    assert vibectl.check("pods exist").verdict == "true"
    server.push_plan("DONE", exit_code=0, explanation="done")
    assert vibectl.auto("nothing to do").end == "done"
    server.push_plan("DONE", exit_code=0, explanation="done")
    assert vibectl.semiauto("nothing to do").end == "done"
    assert vibectl.run_kubectl(["get", "pods"], summary=False).status == "completed"
    assert kubectl.runs() == [["get", "pods"]]


def test_gil_is_released_during_check_and_loops(vc: vibectl.Client, server: FakeOpenAI) -> None:
    done = {"action": {"action_type": "DONE", "exit_code": 0, "explanation": "ok"}, "presentation_hints": None}
    for call in (lambda: vc.check("ok"), lambda: vc.auto("ok")):
        server.push({"kind": "reply", "text": json.dumps(done), "delay": 0.5})
        assert_lets_other_threads_run(call)


def test_cancel_a_loop_from_another_thread(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN), "delay": 20})
    assert_cancel_ends(vc, lambda: vc.auto("list pods"))


@pytest.mark.parametrize("call", ["check", "auto", "semiauto", "run_kubectl"])
def test_ctrl_c_cancels(vc: vibectl.Client, server: FakeOpenAI, call: str) -> None:
    calls: dict[str, Callable[[], object]] = {
        "check": lambda: vc.check("pods are ready"),
        "auto": lambda: vc.auto("list pods"),
        "semiauto": lambda: vc.semiauto("list pods"),
        "run_kubectl": lambda: vc.run_kubectl(["get", "pods"], stream=False),  # the summary call hangs
    }
    server.push({"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN), "delay": 20})
    assert_ctrl_c_ends(calls[call])
    server.push_plan("DONE", exit_code=0, explanation="yes")
    assert vc.check("pods are ready").verdict == "true"


def test_result_objects_from_raw() -> None:
    empty = vibectl.CheckResult()
    assert empty.verdict == "cannot_determine" and empty.exit_code == 3 and not empty
    assert vibectl.CheckResult({"verdict": "true", "exit_code": 0}) == vibectl.CheckResult({"verdict": "true", "exit_code": 0})
    loop = vibectl.LoopResult({"end": "limit_reached", "exit_code": 4, "message": "stopped after 1 steps",
                               "steps": [{"status": "thought", "exit_code": 0, "message": "hmm"}]})
    assert loop.last is not None and loop.last.status == "thought" and not loop
    assert repr(loop) == "<LoopResult limit_reached exit_code=4 steps=1 message='stopped after 1 steps'>"
    assert "1. **thought**: hmm" in loop._repr_markdown_()
    assert vibectl.LoopResult().last is None


def test_ctrl_c_during_the_interval_between_steps(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    needs_default_sigint()
    server.push_plan(commands=["get", "pods"], explanation="Look.")
    server.push_summary("pods", memory="m")
    started_steps: list[int] = []

    def on_event(event: vibectl.Event) -> None:
        if event.type == "step_started":
            started_steps.append(event.data["step"])
        if event.type == "done":  # step 1 is over: the loop now sleeps for `interval`
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        vc.auto("watch web", interval=30, max_steps=3, on_event=on_event)
    assert time.monotonic() - started < 10
    assert started_steps == [1]
    assert kubectl.runs() == [["get", "pods"]]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
