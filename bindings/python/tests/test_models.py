"""Models through the binding: list, check, complete (plain, streamed, structured), errors,
retries, metrics, the GIL and cancel, against a small OpenAI-compatible server in Python."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI

import vibectl
from gil_ticker import Ticker

API_KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"


def make_client(config_dir: Path, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> vibectl.Client:
    """A client whose OpenAI endpoint is the fake server; the key is set before creation."""
    monkeypatch.setenv("VIBECTL_OPENAI_API_KEY", API_KEY)
    options: dict[str, Any] = {
        "providers.openai.base_url": server.base_url,
        "llm.model": "gpt-4o",
        "llm.retry_delay_seconds": 0.01,
    }
    options.update(overrides)
    return vibectl.Client(config_dir=config_dir, **options)


@pytest.fixture
def model_client(config_dir: Path, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Iterator[vibectl.Client]:
    with make_client(config_dir, server, monkeypatch) as c:
        yield c


# ---------------------------------------------------------------------------
# complete()
# ---------------------------------------------------------------------------


def test_plain_completion_returns_text_model_and_token_metrics(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": "3 pods are crash-looping", "usage": (42, 7)})
    result = model_client.complete(system=["You are terse.", "Be exact."], user="Summarise the pods")
    assert isinstance(result, vibectl.Completion)
    assert result.text == "3 pods are crash-looping"
    assert str(result) == result.text
    assert result.json is None
    assert result.model is not None and "gpt-4o" in result.model
    assert result.metrics.input_tokens == 42
    assert result.metrics.output_tokens == 7
    assert result.metrics["output_tokens"] == 7
    assert result.metrics.retries == 0
    assert result.metrics.duration_ms is not None and result.metrics.duration_ms >= 0
    assert "3 pods are crash-looping" in repr(result)
    assert "**" in result._repr_markdown_() and "42 in / 7 out" in result._repr_markdown_()

    (request,) = server.chat_requests()
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"
    assert request["body"]["model"] == "gpt-4o"
    sent = json.dumps(request["body"]["messages"])
    assert "You are terse." in sent and "Be exact." in sent and "Summarise the pods" in sent
    assert not request["body"].get("stream")


def test_streamed_chunks_reach_on_text_and_join_to_the_text(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "chunks": ["Hel", "lo, ", "wor", "ld"], "usage": (5, 4), "interval": 0.02})
    chunks: list[str] = []
    events: list[dict[str, Any]] = []
    result = model_client.complete(user=["Say", "hello"], stream=True, on_text=chunks.append, on_event=events.append)
    assert chunks == ["Hel", "lo, ", "wor", "ld"]
    assert "".join(chunks) == result.text == "Hello, world"
    text_events = [e for e in events if e["type"] == "text"]
    assert [e["data"]["text"] for e in text_events] == chunks
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert result.metrics.ttft_ms is not None and result.metrics.ttft_ms <= result.metrics.duration_ms
    assert result.metrics.input_tokens == 5 and result.metrics.output_tokens == 4
    assert server.chat_requests()[-1]["body"]["stream"] is True


def test_on_text_alone_turns_streaming_on(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "chunks": ["a", "b"]})
    chunks: list[str] = []
    assert model_client.complete("x", on_text=chunks.append).text == "ab"
    assert chunks == ["a", "b"]


def test_schema_gives_parsed_json(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "count": {"type": "integer"}},
        "required": ["summary", "count"],
        "additionalProperties": False,
    }
    server.push({"kind": "reply", "text": '{"summary": "3 pods crash-looping", "count": 3}'})
    result = model_client.complete(user="Summarise", schema=schema, schema_name="summary")
    assert result.json == {"summary": "3 pods crash-looping", "count": 3}
    assert json.loads(result.text) == result.json
    body = server.chat_requests()[-1]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["summary", "count"]
    assert "```json" in result._repr_markdown_()


def test_client_metrics_accumulate_per_model(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": "one", "usage": (10, 1)}, {"kind": "reply", "text": "two", "usage": (20, 2)})
    model_client.complete(user="1")
    model_client.complete(user="2", stream=True)
    totals = model_client.metrics()
    assert totals["version"] == 1
    assert totals["calls"] == 2
    assert totals["input_tokens"] == 30
    assert totals["output_tokens"] == 3
    (by_model,) = totals["by_model"].values()
    assert by_model["calls"] == 2 and by_model["input_tokens"] == 30


def test_prompt_arguments_are_checked_before_the_call(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    with pytest.raises(TypeError, match="user"):
        model_client.complete(user=["ok", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="schema"):
        model_client.complete(user="x", schema="not a dict")  # type: ignore[arg-type]
    with pytest.raises(vibectl.InvalidArgumentError):
        model_client.complete(user=[])
    assert server.chat_requests() == []


# ---------------------------------------------------------------------------
# Errors, retries
# ---------------------------------------------------------------------------


def test_rejected_key_raises_authentication_error_without_the_key(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "status", "code": 401, "message": "Incorrect API key provided"})
    with pytest.raises(vibectl.AuthenticationError) as caught:
        model_client.complete(user="hi")
    assert caught.value.code == vibectl._vibectl.VIBECTL_EAUTH
    assert caught.value.code_name == "VIBECTL_EAUTH"
    assert API_KEY not in str(caught.value) and API_KEY not in (caught.value.hint or "")
    # Never retried: a rejected key stays rejected.
    assert len(server.chat_requests()) == 1


def test_missing_key_raises_authentication_error_with_the_ways_to_set_one(
    model_client: vibectl.Client, server: FakeOpenAI
) -> None:
    with pytest.raises(vibectl.AuthenticationError) as caught:
        model_client.complete(user="hi", model="anthropic:claude-sonnet-4-20250514")
    text = f"{caught.value} {caught.value.hint}"
    assert "VIBECTL_ANTHROPIC_API_KEY" in text
    assert server.chat_requests() == []


def test_rate_limit_then_success_is_retried_and_counted(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "status", "code": 429, "message": "Rate limit reached"}, {"kind": "reply", "text": "fine"})
    events: list[dict[str, Any]] = []
    result = model_client.complete(user="hi", on_event=events.append)
    assert result.text == "fine"
    assert result.metrics.retries == 1
    assert len(server.chat_requests()) == 2
    retrying = [e for e in events if e["type"] == "retrying"]
    assert len(retrying) == 1 and retrying[0]["data"]["attempt"] == 2
    assert model_client.metrics()["retries"] == 1


def test_persistent_overload_raises_transient_error_after_the_retries(
    config_dir: Path, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.push(*[{"kind": "status", "code": 503, "message": "overloaded"}] * 5)
    with make_client(config_dir, server, monkeypatch, **{"llm.max_retries": 1}) as c:
        with pytest.raises(vibectl.TransientModelError) as caught:
            c.complete(user="hi")
    assert caught.value.code_name == "VIBECTL_ETRANSIENT"
    assert not isinstance(caught.value, vibectl.ModelError)
    assert len(server.chat_requests()) == 2  # the first attempt plus llm.max_retries = 1


def test_unknown_bare_model_name_lists_the_aliases(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    with pytest.raises(vibectl.ModelError) as caught:
        model_client.complete(user="hi", model="frobnicator-9000")
    message = str(caught.value)
    assert "frobnicator-9000" in message
    assert "gpt-4o" in message and "claude-sonnet-4" in message
    assert server.chat_requests() == []


def test_an_exception_in_on_text_is_re_raised_unchanged(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "chunks": ["one ", "two ", "three"], "interval": 0.05})

    class Stop(Exception):
        pass

    raised = Stop("enough")
    seen: list[str] = []

    def on_text(chunk: str) -> None:
        seen.append(chunk)
        raise raised

    with pytest.raises(Stop) as caught:
        model_client.complete(user="count", on_text=on_text)
    assert caught.value is raised
    assert seen == ["one "]  # the call stopped at the first chunk
    # The client still works afterwards.
    server.push({"kind": "reply", "text": "after"})
    assert model_client.complete(user="again").text == "after"


def test_on_event_returning_false_stops_with_callback_error(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "chunks": ["a", "b", "c"], "interval": 0.05})
    with pytest.raises(vibectl.CallbackError):
        model_client.complete(user="x", stream=True, on_event=lambda event: False)


# ---------------------------------------------------------------------------
# models(), check_model()
# ---------------------------------------------------------------------------


def test_models_show_key_source_but_never_the_key(model_client: vibectl.Client) -> None:
    models = model_client.models()
    assert models and all(isinstance(m, vibectl.ModelInfo) for m in models)
    openai = [m for m in models if m.provider == "openai"]
    assert openai and all(m.key_available and m.key_source == "env VIBECTL_OPENAI_API_KEY" for m in openai)
    anthropic = [m for m in models if m.provider == "anthropic"]
    assert anthropic and all(not m.key_available and m.key_source is None for m in anthropic)
    (default,) = [m for m in models if m.default]
    assert default.name == "gpt-4o" and default.qualified_name == "openai:gpt-4o"
    assert "gpt-4o" in repr(default) and "default" in repr(default)
    assert "env VIBECTL_OPENAI_API_KEY" in default._repr_markdown_()
    everything = json.dumps([m.raw for m in models]) + "".join(repr(m) + m._repr_markdown_() for m in models)
    assert API_KEY not in everything
    assert API_KEY[-6:] not in everything


def test_check_model_asks_the_model_list(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    report = model_client.check_model()
    assert report["reachable"] is True
    assert report["model_found"] is True
    assert report["key_source"] == "env VIBECTL_OPENAI_API_KEY"
    assert API_KEY not in json.dumps(report)
    assert any(r["method"] == "GET" and r["path"] == "/v1/models" for r in server.requests)
    missing = model_client.check_model("openai:gpt-nonexistent")
    assert missing["reachable"] is True and missing["model_found"] is False


def test_check_model_of_an_unknown_name_raises_model_error(model_client: vibectl.Client) -> None:
    with pytest.raises(vibectl.ModelError):
        model_client.check_model("frobnicator-9000")


# ---------------------------------------------------------------------------
# Threads: the GIL and cancel
# ---------------------------------------------------------------------------


def test_other_threads_run_during_a_slow_completion(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "text": "slow", "delay": 0.5})
    with Ticker() as ticker:
        before = ticker.count
        started = time.monotonic()
        result = model_client.complete(user="hi")
        elapsed = time.monotonic() - started
        during = ticker.count - before
    assert result.text == "slow"
    assert elapsed >= 0.45
    # With the GIL held during the call the ticker would not advance at all.
    assert during >= 20, f"only {during} ticks in {elapsed:.2f}s"


def test_cancel_from_another_thread_stops_a_streamed_completion(model_client: vibectl.Client, server: FakeOpenAI) -> None:
    server.push({"kind": "reply", "chunks": [f"word{i} " for i in range(60)], "interval": 0.1})
    chunks: list[str] = []
    timer = threading.Timer(0.6, model_client.cancel)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(vibectl.CancelledError):
            model_client.complete(user="count slowly", on_text=chunks.append)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, f"cancel took {elapsed:.2f}s; the stream would have taken 6s"
    assert 0 < len(chunks) < 60
    # Calls after the cancel are not affected.
    server.push({"kind": "reply", "text": "next"})
    assert model_client.complete(user="next").text == "next"
