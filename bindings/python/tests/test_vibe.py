"""The vibe engine through the binding: plan, run, vibe, events, confirmations, summarize,
memory.update and instructions, against the fake OpenAI-compatible server and a fake kubectl
that records its arguments."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fake_openai import FakeOpenAI

import vibectl
from vibe_support import (
    API_KEY,
    FakeKubectl,
    assert_cancel_ends,
    assert_ctrl_c_ends,
    assert_lets_other_threads_run,
    sent_text,
)


def events_of(events: list[vibectl.Event]) -> list[str]:
    return [event.type for event in events]


def in_order(types: list[str], expected: list[str]) -> bool:
    """True when `expected` is a subsequence of `types`."""
    remaining = iter(types)
    return all(any(t == wanted for t in remaining) for wanted in expected)


# ---------------------------------------------------------------------------
# plan
# ---------------------------------------------------------------------------


def test_module_plan_uses_the_default_client(default_client_env: None, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods", "--field-selector=status.phase!=Running"], explanation="Failing pods.")
    plan = vibectl.plan("show me failing pods")
    assert isinstance(plan, vibectl.Plan)
    assert plan.action == "COMMAND"
    assert plan.commands == ["get", "pods", "--field-selector=status.phase!=Running"]
    assert plan.explanation == "Failing pods."
    assert plan.manifest is None
    assert plan.safety is not None and plan.safety.safe
    assert plan.command is not None and plan.command.startswith("kubectl get pods")
    assert plan.request == "show me failing pods"
    assert plan.raw["action"]["action_type"] == "COMMAND"
    assert plan.details["commands"][0] == "get"
    assert "COMMAND" in repr(plan) and "kubectl get pods" in repr(plan)
    markdown = plan._repr_markdown_()
    assert "```sh\nkubectl get pods" in markdown and "Failing pods." in markdown

    (request,) = server.chat_requests()
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"
    assert request["body"]["response_format"]["type"] == "json_schema"
    assert "show me failing pods" in sent_text(request)
    assert kubectl.runs() == []  # planning runs nothing
    assert vibectl._default_client is not None


def test_module_vibe_on_the_default_client(default_client_env: None, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods"], explanation="List pods.")
    server.push_summary("web-1 is crash-looping", memory="web-1 crash-loops")
    step = vibectl.vibe("why is web failing?")
    assert step.status == "completed"
    assert step.summary == "web-1 is crash-looping"
    assert kubectl.runs() == [["get", "pods"]]
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    with pytest.raises(vibectl.ConfirmationRequired):
        vibectl.vibe("delete web-1")
    server.push_plan(commands=["get", "pods"], explanation="List pods.")
    server.push_summary("same", memory="m")
    events = list(vibectl.events("again"))
    assert events[-1].result is not None and events[-1].result.summary == "same"
    plan = vibectl.Plan({"action": {"action_type": "COMMAND", "commands": ["delete", "pod", "web-1"]}})
    server.push_summary("gone", memory="m")
    assert vibectl.run(plan, confirm=lambda request: True).summary == "gone"
    assert kubectl.runs()[-1] == ["delete", "pod", "web-1"]


def test_plan_then_run(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods"], explanation="List pods.")
    plan = vc.plan("list pods")
    assert kubectl.runs() == []
    server.push_summary("1 pod, crash-looping", memory="web-1 crash-loops")
    step = vc.run(plan)
    assert step.status == "completed" and step.exit_code == 0
    assert step.plan is not None and step.plan.commands == plan.commands
    assert kubectl.runs() == [["get", "pods"]]
    assert "CrashLoopBackOff" in step.output
    # The plan may also go back as its dict or JSON.
    assert vc.run(plan.raw, summary=False).status == "completed"
    assert vc.run(json.dumps(plan.raw), summary=False).status == "completed"
    assert len(kubectl.runs()) == 3


def test_plan_with_a_verb_puts_the_verb_first(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push_plan(commands=["pods", "-n", "web"], explanation="Pods in web.")
    plan = vc.plan("pods in web", verb="get")
    assert plan.commands == ["get", "pods", "-n", "web"]
    assert plan.verb == "get"


def test_plan_repr_for_each_action() -> None:
    thought = vibectl.Plan({"action": {"action_type": "THOUGHT", "text": "I need the namespace first"}})
    assert thought.action == "THOUGHT" and thought.text == "I need the namespace first"
    assert repr(thought) == "<Plan THOUGHT text='I need the namespace first'>"
    assert "**vibectl plan** — THOUGHT" in thought._repr_markdown_()
    done = vibectl.Plan({"action": {"action_type": "DONE", "exit_code": 0, "explanation": "all healthy"}})
    assert repr(done) == "<Plan DONE exit_code=0 explanation='all healthy'>"
    assert "done (exit code 0): all healthy" in done._repr_markdown_()
    wait = vibectl.Plan({"action": {"action_type": "WAIT", "duration_seconds": 5}})
    assert repr(wait) == "<Plan WAIT 5 s>"
    command = vibectl.Plan(
        {
            "action": {"action_type": "COMMAND", "commands": ["apply", "-f", "-"], "yaml_manifest": "kind: Pod\n"},
            "argv": ["apply", "-f", "-"],
            "display": "kubectl apply -f - (with manifest)",
            "safety": {"verdict": "confirm", "class": "mutating", "forced": False, "reasons": ["mutating: apply"]},
        }
    )
    assert command.commands == ["apply", "-f", "-"]
    assert command.manifest == "kind: Pod\n"
    assert repr(command) == "<Plan COMMAND 'kubectl apply -f - (with manifest)' confirm mutating>"
    markdown = command._repr_markdown_()
    assert "```yaml\nkind: Pod\n" in markdown and "- mutating: apply" in markdown
    assert command == vibectl.Plan(command.raw)


# ---------------------------------------------------------------------------
# vibe and confirmation
# ---------------------------------------------------------------------------


def test_vibe_confirm_yes_runs_kubectl(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete the crash-looping pod.")
    server.push_summary("pod web-1 deleted", memory="web-1 was deleted")
    asked: list[vibectl.ConfirmationRequest] = []

    def confirm(request: vibectl.ConfirmationRequest) -> bool:
        asked.append(request)
        assert vc.memory.get() == ""  # a callback may call the library, on the same client too
        return True

    step = vc.vibe("delete the broken web pod", confirm=confirm)
    assert kubectl.runs() == [["delete", "pod", "web-1"]]
    assert step.status == "completed" and step.exit_code == 0 and step.ok
    assert step.summary == "pod web-1 deleted" and str(step) == "pod web-1 deleted"
    assert step.memory_updated and step.memory == "web-1 was deleted"
    assert vc.memory.get() == "web-1 was deleted"
    assert step.commands[0]["argv"] == ["delete", "pod", "web-1"]
    assert step.command == "kubectl delete pod web-1"
    assert "completed" in repr(step) and "pod web-1 deleted" in repr(step)
    assert "**completed** (exit code 0)" in step._repr_markdown_()

    (request,) = asked
    assert request.command == "kubectl delete pod web-1"
    assert request.argv == ["delete", "pod", "web-1"]
    assert request.explanation == "Delete the crash-looping pod."
    assert request.safety.verdict == "confirm" and request.safety.verb_class == "mutating"
    assert request.mode == "manual"
    assert {"yes", "no", "yes_and", "no_but", "memory"} <= set(request.choices)
    assert "exit" not in request.choices
    assert "kubectl delete pod web-1" in repr(request)
    assert "**Run this command?**" in request._repr_markdown_()


@pytest.mark.parametrize("answer", [False, "no", vibectl.Decision("no")])
def test_vibe_confirm_no_does_not_run(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl, answer: Any) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    step = vc.vibe("delete web-1", confirm=lambda request: answer)
    assert kubectl.runs() == []
    assert step.status == "declined" and step.exit_code == 10 and not step.ok
    assert step.halt
    assert len(server.chat_requests()) == 1  # no summary call


def test_no_confirm_raises_confirmation_required(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    with pytest.raises(vibectl.ConfirmationRequired) as caught:
        vc.vibe("delete web-1")
    error = caught.value
    assert kubectl.runs() == []
    assert isinstance(error, vibectl.VibectlError)
    assert error.command == "kubectl delete pod web-1"
    assert "kubectl delete pod web-1" in str(error) and "needs confirmation" in str(error)
    assert error.hint is not None and "confirm=" in error.hint and "mode='auto'" in error.hint
    assert error.result is not None
    assert error.result.status == "needs_confirmation" and error.result.exit_code == 11
    assert error.reasons and not error.forced


@pytest.mark.parametrize("options", [{"mode": "auto"}, {"yes": True}])
def test_auto_mode_or_yes_runs_without_asking(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl, options: dict[str, Any]
) -> None:
    server.push_plan(commands=["scale", "deployment/web", "--replicas=3"], explanation="Scale.")
    server.push_summary("scaled", memory="web has 3 replicas")
    step = vc.vibe("scale web to 3", **options)
    assert step.status == "completed"
    assert kubectl.runs() == [["scale", "deployment/web", "--replicas=3"]]


def test_rejected_plan_raises_command_rejected(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods;", "rm", "-rf", "/"], explanation="Oops.")
    asked: list[Any] = []
    with pytest.raises(vibectl.CommandRejected) as caught:
        vc.vibe("list pods", confirm=lambda request: asked.append(request) or True, mode="auto")
    error = caught.value
    assert kubectl.runs() == [] and asked == []
    assert isinstance(error, vibectl.VibectlError)
    assert error.reasons
    assert "rejected" in str(error)
    assert error.result is not None and error.result.status == "rejected" and error.result.exit_code == 12


def test_decision_with_a_note_updates_memory_and_is_cut_at_a_character(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    server.push_json({"memory": "never delete web pods"})
    note = "x" + "é" * 3000  # 6001 bytes: the library's buffer holds 4095
    events: list[vibectl.Event] = []
    step = vc.vibe("delete web-1", confirm=lambda r: vibectl.Decision("no_but", note), on_event=events.append)
    assert kubectl.runs() == []
    assert step.status == "declined"
    assert vc.memory.get() == "never delete web pods"
    (answered,) = [e for e in events if e.type == "confirm_answered"]
    assert answered.data["choice"] == "no_but"
    sent = answered.data["note"]
    assert sent == "x" + "é" * 2047  # 4095 bytes, no half character
    assert len(sent.encode()) == vibectl._vibectl.VIBECTL_CONFIRM_NOTE_SIZE - 1
    memory_request = server.chat_requests()[1]
    assert "x" + "é" * 2047 in sent_text(memory_request)


def test_yes_and_runs_after_the_note(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    server.push_json({"memory": "web pods may be deleted"})
    server.push_summary("deleted", memory="web-1 deleted")
    step = vc.vibe("delete web-1", confirm=lambda r: vibectl.Decision("yes_and", "web pods may be deleted"))
    assert step.status == "completed"
    assert kubectl.runs() == [["delete", "pod", "web-1"]]


def test_memory_choice_asks_again(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    vc.memory.set("cluster: staging")
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    answers = iter(["memory", "no"])
    seen: list[str] = []

    def confirm(request: vibectl.ConfirmationRequest) -> str:
        seen.append(request.memory)
        return next(answers)

    events: list[vibectl.Event] = []
    step = vc.vibe("delete web-1", confirm=confirm, on_event=events.append)
    assert step.status == "declined"
    assert seen == ["cluster: staging", "cluster: staging"]
    assert in_order(events_of(events), ["confirm_requested", "confirm_answered", "memory_shown", "confirm_requested"])


def test_exit_is_offered_in_semiauto_only(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    step = vc.vibe("delete web-1", confirm=lambda r: "exit", mode="semiauto")
    assert step.status == "exited" and step.exit_code == 0 and step.halt
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    with pytest.raises(ValueError, match="not offered"):
        vc.vibe("delete web-1", confirm=lambda r: "exit")
    assert kubectl.runs() == []


@pytest.mark.parametrize("answer", [None, 1, ["yes"], b"yes"])
def test_confirm_returning_a_wrong_type_raises_type_error(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl, answer: Any
) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    with pytest.raises(TypeError, match="confirm must return"):
        vc.vibe("delete web-1", confirm=lambda r: answer)
    assert kubectl.runs() == []


def test_confirm_returning_an_unknown_choice_raises_value_error(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    with pytest.raises(ValueError, match="'maybe'"):
        vc.vibe("delete web-1", confirm=lambda r: "maybe")


def test_confirm_raising_propagates_the_same_exception(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    class Refused(Exception):
        pass

    raised = Refused("not today")

    def confirm(request: vibectl.ConfirmationRequest) -> bool:
        raise raised

    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    with pytest.raises(Refused) as caught:
        vc.vibe("delete web-1", confirm=confirm)
    assert caught.value is raised
    assert any(frame.name == "confirm" for frame in caught.traceback)
    assert kubectl.runs() == []
    # The client still works afterwards.
    server.push_plan(commands=["get", "pods"], explanation="List.")
    assert vc.vibe("list pods", summary=False).status == "completed"


def test_on_event_raising_or_returning_false_stops_the_call(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    raised = RuntimeError("stop here")

    def on_event(event: vibectl.Event) -> None:
        if event.type == "plan":
            raise raised

    server.push_plan(commands=["get", "pods"], explanation="List.")
    with pytest.raises(RuntimeError) as caught:
        vc.vibe("list pods", on_event=on_event)
    assert caught.value is raised
    server.push_plan(commands=["get", "pods"], explanation="List.")
    with pytest.raises(vibectl.CallbackError):
        vc.vibe("list pods", on_event=lambda event: False)
    assert kubectl.runs() == []


def test_decision_validates() -> None:
    assert vibectl.Decision("yes_and", "note") == vibectl.Decision("yes_and", "note")
    assert repr(vibectl.Decision("no_but", "n")) == "Decision('no_but', 'n')"
    with pytest.raises(ValueError):
        vibectl.Decision("perhaps")
    with pytest.raises(TypeError):
        vibectl.Decision("yes", 3)  # type: ignore[arg-type]
    assert vibectl.CONFIRM_CHOICES == ("yes", "no", "yes_and", "no_but", "memory", "exit")


# ---------------------------------------------------------------------------
# step results that are not commands, failures
# ---------------------------------------------------------------------------


def test_failed_kubectl_is_a_result_with_recovery(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "nosuchthing"], explanation="Try.")
    server.push_summary(recovery="check the resource type", memory="fail is not a resource")
    step = vc.vibe("do the failing thing", mode="auto")
    assert step.status == "failed"
    assert step.exit_code == 3 and not step.ok
    assert step.recovery == "check the resource type"
    assert step.commands[0]["exit_code"] == 3
    assert "Recovery" in step._repr_markdown_()


def test_without_a_usable_model_the_output_still_comes_back(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    server.push_plan(commands=["get", "pods"], explanation="List pods.")
    server.push({"kind": "status", "code": 400, "message": "bad request"})
    step = vc.vibe("list pods")
    assert step.status == "completed" and step.exit_code == 0
    assert step.summary is None and step.summary_error
    assert "CrashLoopBackOff" in step.output and "CrashLoopBackOff" in str(step)
    assert "no summary" in step._repr_markdown_()


def test_thought_and_done(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan("THOUGHT", text="I should look at events first")
    step = vc.vibe("why?")
    assert step.status == "thought" and step.message == "I should look at events first"
    assert step.plan is not None and step.plan.action == "THOUGHT"
    server.push_plan("DONE", exit_code=0, explanation="nothing left")
    step = vc.vibe("")
    assert step.status == "done" and step.halt
    assert kubectl.runs() == []


def test_unusable_planner_replies_are_a_planner_error_result(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": "I think you should run kubectl get pods"})
    server.push({"kind": "reply", "text": "{\"nope\": 1}"})
    events: list[vibectl.Event] = []
    step = vc.vibe("list pods", on_event=events.append)
    assert step.status == "planner_error" and not step.halt and step.exit_code == 1
    assert events_of(events).count("plan_invalid") == 2
    # vibectl.plan raises instead.
    server.push({"kind": "reply", "text": "no"})
    server.push({"kind": "reply", "text": "still no"})
    with pytest.raises(vibectl.ModelError):
        vc.plan("list pods")


def test_bad_options(vc: vibectl.Client) -> None:
    with pytest.raises(vibectl.InvalidArgumentError, match="mode"):
        vc.vibe("list pods", mode="yolo")
    with pytest.raises(TypeError):
        vc.vibe("list pods", yes="y")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vc.vibe("list pods", confirm="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vc.run(42)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# events
# ---------------------------------------------------------------------------


def test_events_yield_plan_command_and_summary_in_order(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    server.push_plan(commands=["get", "pods"], explanation="List pods.")
    server.push_summary("web-1 is crash-looping after 7 restarts", memory="web-1 crash-loops", chunks=6)
    iterator = vc.events("why is web failing?")
    events = list(iterator)
    types = events_of(events)
    assert in_order(
        types,
        ["plan_started", "plan", "command_started", "command_exited", "summary_started", "summary_text",
         "memory_updated", "done", "result"],
    ), types
    assert types[-1] == "result"
    seqs = [e.seq for e in events[:-1]]
    assert all(isinstance(s, int) for s in seqs) and seqs == sorted(seqs)
    assert all(e.time for e in events[:-1])
    final = events[-1]
    assert isinstance(final.result, vibectl.StepResult)
    assert iterator.result is final.result
    assert final.result.summary == "web-1 is crash-looping after 7 restarts"
    text = "".join(e.data["text"] for e in events if e.type == "summary_text")
    assert text == final.result.summary
    plan_event = next(e for e in events if e.type == "plan")
    assert plan_event["type"] == "plan" and plan_event.get("data")["argv"] == ["get", "pods"]
    assert "plan" in repr(plan_event)
    assert kubectl.runs() == [["get", "pods"]]
    assert list(iterator) == []


def test_events_raise_the_call_error_after_its_events(
    vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl
) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    seen: list[str] = []
    with pytest.raises(vibectl.ConfirmationRequired):
        for event in vc.events("delete web-1"):
            seen.append(event.type)
    assert "plan" in seen and "result" not in seen
    assert kubectl.runs() == []


def test_events_with_confirm(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["delete", "pod", "web-1"], explanation="Delete it.")
    server.push_summary("deleted", memory="m")
    threads: list[str] = []

    def confirm(request: vibectl.ConfirmationRequest) -> bool:
        threads.append(threading.current_thread().name)
        return True

    with vc.events("delete web-1", confirm=confirm) as iterator:
        types = [event.type for event in iterator]
    assert "confirm_requested" in types and types[-1] == "result"
    assert threads == ["vibectl-events"]
    assert kubectl.runs() == [["delete", "pod", "web-1"]]


def test_closing_events_early_cancels_the_call(vc: vibectl.Client, server: FakeOpenAI, kubectl: FakeKubectl) -> None:
    server.push_plan(commands=["get", "pods"], explanation="List pods.")
    server.push_summary("late", memory="m", delay=20)
    iterator = vc.events("list pods")
    for event in iterator:
        if event.type == "summary_started":
            break
    deadline = time.monotonic() + 10
    while server.pending() and time.monotonic() < deadline:
        time.sleep(0.01)  # the summary request is on its way
    assert server.pending() == 0
    started = time.monotonic()
    iterator.close()
    assert time.monotonic() - started < 10
    assert iterator.result is None
    assert list(iterator) == []
    # The client is usable again at once.
    server.push_plan(commands=["get", "pods"], explanation="List pods.")
    started = time.monotonic()
    assert vc.vibe("list pods", summary=False).status == "completed"
    assert time.monotonic() - started < 10


# ---------------------------------------------------------------------------
# summarize, memory.update, instructions
# ---------------------------------------------------------------------------


def test_summarize(vc: vibectl.Client, server: FakeOpenAI) -> None:
    logs = "\n".join(f"2024-05-01T10:00:{i:02d}Z ERROR connection refused to db:5432" for i in range(40))
    server.push_summary("db:5432 refuses connections (40 errors)", memory="db is down", chunks=4)
    chunks: list[str] = []
    result = vc.summarize(logs, verb="logs", command="kubectl logs web-1", on_text=chunks.append)
    assert isinstance(result, vibectl.Summary)
    assert result.summary == "db:5432 refuses connections (40 errors)"
    assert str(result) == result.summary
    assert "".join(chunks) == result.summary
    assert result.memory_updated and result.memory == "db is down"
    assert vc.memory.get() == "db is down"
    assert result.compaction is not None and result.compaction.original_chars == len(logs)
    assert "<Summary summary=" in repr(result)
    assert "**Summary**" in result._repr_markdown_()
    (request,) = server.chat_requests()
    assert "connection refused to db:5432" in sent_text(request)
    assert "kubectl logs web-1" in sent_text(request)


def test_summarize_failed_asks_for_recovery_and_freeze_keeps_memory(vc: vibectl.Client, server: FakeOpenAI) -> None:
    vc.memory.set("before")
    server.push_summary(recovery="create the namespace first")
    result = vc.summarize("Error from server (NotFound): namespaces \"x\" not found", verb="get", failed=True,
                          freeze_memory=True)
    assert result.recovery == "create the namespace first" and result.summary is None
    assert not result.memory_updated
    assert vc.memory.get() == "before"
    assert "Recovery" in result._repr_markdown_()


def test_module_summarize(default_client_env: None, server: FakeOpenAI) -> None:
    server.push_summary("quiet logs", memory="m")
    assert vibectl.summarize("INFO all good").summary == "quiet logs"


def test_memory_update(vc: vibectl.Client, server: FakeOpenAI) -> None:
    vc.memory.set("namespace web")
    vc.memory.freeze()  # an explicit update works while frozen
    server.push_json({"memory": "namespace web; staging is ours"})
    memory = vc.memory.update("the staging namespace is ours")
    assert memory == "namespace web; staging is ours"
    assert vc.memory.get() == memory
    (request,) = server.chat_requests()
    text = sent_text(request)
    assert "the staging namespace is ours" in text and "namespace web" in text


def test_instructions(vc: vibectl.Client, server: FakeOpenAI) -> None:
    assert vc.instructions.get() is None
    vc.instructions.set("Always use namespace payments.")
    assert vc.instructions.get() == "Always use namespace payments."
    assert vc.instructions.info()["source"] == "file"
    assert vc.config.get("system.custom_instructions") == "Always use namespace payments."
    server.push_plan(commands=["get", "pods", "-n", "payments"], explanation="Pods.")
    vc.plan("list pods")
    assert "Always use namespace payments." in sent_text(server.chat_requests()[-1])
    vc.instructions.clear()
    assert vc.instructions.get() is None
    vc.instructions.set("x")
    vc.instructions.set("")
    assert vc.instructions.get() is None


# ---------------------------------------------------------------------------
# threads, the GIL, Ctrl-C
# ---------------------------------------------------------------------------


def test_gil_is_released_while_planning(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN), "delay": 0.5})
    assert_lets_other_threads_run(lambda: vc.plan("list pods"))


def test_cancel_from_another_thread(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN), "delay": 20})
    assert_cancel_ends(vc, lambda: vc.vibe("list pods"))


@pytest.mark.parametrize("call", ["plan", "complete", "summarize"])
def test_ctrl_c_cancels_a_long_call(vc: vibectl.Client, server: FakeOpenAI, call: str) -> None:
    calls: dict[str, Callable[[], object]] = {
        "plan": lambda: vc.plan("list pods"),
        "complete": lambda: vc.complete("hello"),
        "summarize": lambda: vc.summarize("INFO ok", stream=False),
    }
    server.push({"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN), "delay": 20})
    assert_ctrl_c_ends(calls[call])  # and Python's handler is back
    # The next call is not affected.
    server.push_plan(commands=["get", "pods"], explanation="List.")
    assert vc.plan("list pods").action == "COMMAND"
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)  # Python's own handler raises here


def test_ctrl_c_while_iterating_events_cancels_the_call(vc: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN), "delay": 20})
    iterator = vc.events("list pods")  # the call starts on the first next()
    seen: list[str] = []

    def iterate() -> None:
        for event in iterator:
            seen.append(event.type)

    assert_ctrl_c_ends(iterate)
    assert seen == ["plan_started"]
    assert list(iterator) == []
    server.push_plan(commands=["get", "pods"], explanation="List.")
    assert vc.plan("list pods").action == "COMMAND"


def test_ctrl_c_is_left_alone_with_a_custom_handler(vc: vibectl.Client, server: FakeOpenAI) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread")
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signo, frame: received.append(signo))
    try:
        server.push({"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN), "delay": 1})
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        plan = vc.plan("list pods")  # not cancelled: the program's own handler decides
        timer.join()
        time.sleep(0.05)
        assert plan.action == "COMMAND"
        assert received == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)
