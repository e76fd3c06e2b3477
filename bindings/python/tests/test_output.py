"""Safety classification, output compaction and redaction: Client methods and module helpers."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

import vibectl
from gil_ticker import Ticker

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpidWlsZGVyIiwiaWF0IjoxNzAwMDAwMDAwfQ"
    ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1mb3ItdGVzdHMtb25seS0xMjM0NTY3OA"
)
PEM_LINE = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    f"{PEM_LINE}\n"
    "MWQ0pBRLFqdYHfbB4CWb0hS5cMPmqlmTu7S8dHlzYvRcF4PQ1WOYqBL1rFcoVCCu\n"
    "-----END PRIVATE KEY-----"
)
SECRET_TEXT = (
    "2026-11-21T02:00:00Z INFO starting web-7d9f8 on 10.0.0.12\n"
    f"2026-11-21T02:00:01Z INFO calling the API with Authorization: Bearer {JWT}\n"
    "2026-11-21T02:00:02Z WARN loaded key material:\n"
    f"{PEM}\n"
    "2026-11-21T02:00:03Z INFO ready\n"
)


def pod_list(count: int) -> str:
    """`kubectl get pods -o json` for `count` pods; every 50th is in CrashLoopBackOff."""
    items = []
    for i in range(count):
        failing = i % 50 == 7
        state = (
            {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}}
            if failing
            else {"running": {"startedAt": "2026-11-20T10:00:00Z"}}
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"web-{i:05d}", "namespace": "payments" if i % 2 == 0 else "checkout"},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27" if i % 3 == 0 else "ghcr.io/acme/web:2.4.1"}]},
                "status": {
                    "phase": "Pending" if failing else "Running",
                    "containerStatuses": [
                        {"name": "web", "ready": not failing, "restartCount": 12 if failing else 0, "state": state}
                    ],
                },
            }
        )
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=2)


# --- classify -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "verdict", "verb_class"),
    [
        (["get", "pods"], "safe", "read-only"),
        (["delete", "pod", "x", "--force"], "confirm", "mutating"),
        (["get", "pods;", "rm", "-rf", "/"], "reject", None),
        (["exec", "-it", "web-1", "--", "sh"], "reject", None),
    ],
)
def test_classify_verdicts(client: vibectl.Client, args: list[str], verdict: str, verb_class: str | None) -> None:
    result = client.classify(args)
    assert isinstance(result, vibectl.SafetyAssessment)
    assert result.verdict == verdict
    if verb_class is not None:
        assert result.verb_class == verb_class
    assert result.safe == (verdict == "safe")
    assert result.rejected == (verdict == "reject")
    assert result.reasons
    assert all(isinstance(reason, str) for reason in result.reasons)
    assert result.raw["verdict"] == verdict


def test_classify_forced_and_repr(client: vibectl.Client) -> None:
    result = client.classify(["delete", "pod", "x", "--force"])
    assert result.forced is True
    assert repr(result).startswith("<SafetyAssessment confirm mutating forced reasons=[")
    markdown = result._repr_markdown_()
    assert markdown.startswith("**confirm** (forced, even in auto mode) — mutating")
    assert all(reason in markdown for reason in result.reasons)
    plain = client.classify(["scale", "deploy/web", "--replicas=3"])
    assert plain.verdict == "confirm" and plain.forced is False


def test_classify_user_flags_and_shell(client: vibectl.Client) -> None:
    assert client.classify(["get", "pods", "--context", "prod"]).rejected
    assert client.classify(["get", "pods", "--context", "prod"], user_flags=["--context"]).safe
    assert client.classify(["exec", "-it", "web-1", "--", "sh"], user_asked_for_shell=True).verdict != "reject"


def test_classify_manifest(client: vibectl.Client) -> None:
    manifest = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n"
    result = client.classify(["apply", "-f", "-"], manifest=manifest)
    assert result.verdict == "confirm"
    assert any("Secret" in reason for reason in result.reasons)
    assert "hunter2" not in repr(result) and "hunter2" not in json.dumps(result.raw)


def test_classify_config_context_counts_as_user_flag(config_dir: Path) -> None:
    with vibectl.Client(config_dir, core_context="prod") as client:
        assert client.classify(["get", "pods", "--context", "prod"]).safe


def test_classify_argument_types(client: vibectl.Client) -> None:
    with pytest.raises(TypeError, match="list of str"):
        client.classify("get pods")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be str"):
        client.classify(["get", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="manifest"):
        client.classify(["apply", "-f", "-"], manifest=b"kind: Pod")  # type: ignore[arg-type]


# --- compact ------------------------------------------------------------------


def test_compact_pod_list_within_budget(client: vibectl.Client) -> None:
    text = pod_list(2000)
    result = client.compact(text, budget=3000)
    assert isinstance(result, vibectl.Compaction)
    assert result.type == "json"
    assert len(result.text) <= 3000
    assert result.kept_chars == len(result.text)
    assert result.original_chars == len(text)
    assert "2000" in result.text or "2,000" in result.text
    assert "web-00007" in result.text and "CrashLoopBackOff" in result.text
    assert 0 < result.kept_tokens < result.original_tokens
    assert isinstance(result.dropped, list) and result.dropped
    assert str(result) == result.text
    assert result.redactions == {} and result.redacted == 0


def test_compact_default_budget_comes_from_config(config_dir: Path) -> None:
    with vibectl.Client(config_dir, output_max_chars=700) as client:
        assert len(client.compact(pod_list(400)).text) <= 700


def test_compact_redacts_by_default_and_not_when_asked(client: vibectl.Client) -> None:
    redacted = client.compact(SECRET_TEXT, budget=5000)
    assert JWT not in redacted.text and PEM_LINE not in redacted.text
    assert "[REDACTED:" in redacted.text
    assert "starting web-7d9f8 on 10.0.0.12" in redacted.text
    assert redacted.redacted >= 2
    kept = client.compact(SECRET_TEXT, budget=5000, redact=False)
    assert JWT in kept.text and PEM_LINE in kept.text
    assert kept.redactions == {}


def test_compact_repr_never_shows_the_text(client: vibectl.Client) -> None:
    result = client.compact(SECRET_TEXT, budget=5000, redact=False)
    assert JWT not in repr(result)
    assert PEM_LINE not in repr(result)
    assert repr(result).startswith("<Compaction ")
    redacted = client.compact(SECRET_TEXT, budget=5000)
    assert JWT not in redacted._repr_markdown_()
    assert "redacted" in redacted._repr_markdown_()


def test_compact_intent_is_accepted(client: vibectl.Client) -> None:
    logs = "\n".join(f"2026-11-21T02:{i // 60:02d}:{i % 60:02d}Z INFO tick {i}" for i in range(3000))
    logs += "\n2026-11-21T03:00:00Z ERROR payment gateway refused the connection\n"
    result = client.compact(logs, budget=1500, intent="why did the payment fail")
    assert len(result.text) <= 1500
    assert "payment gateway refused the connection" in result.text


def test_compact_bad_arguments(client: vibectl.Client) -> None:
    with pytest.raises(vibectl.InvalidArgumentError):
        client.compact("x", budget=0)
    with pytest.raises(TypeError, match="budget"):
        client.compact("x", budget="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.compact(b"x")  # type: ignore[arg-type]


def test_invalid_redact_pattern_is_reported(config_dir: Path) -> None:
    with pytest.raises(vibectl.InvalidArgumentError, match="unclosed"):
        vibectl.Client(config_dir, security_redact_patterns=["(unclosed"])
    # A hand-edited file is only checked when the pattern is used.
    (config_dir / "client").mkdir(parents=True)
    (config_dir / "client" / "config.yaml").write_text('security:\n  redact_patterns:\n    - "(unclosed"\n')
    with vibectl.Client(config_dir) as client:
        for call in (lambda: client.redact("hello"), lambda: client.compact("hello")):
            with pytest.raises(vibectl.InvalidArgumentError, match="unclosed") as raised:
                call()
            assert "security.redact_patterns" in (raised.value.hint or "")


# --- redact -------------------------------------------------------------------


def test_redact_findings_and_repr_never_hold_the_secret(client: vibectl.Client) -> None:
    result = client.redact(SECRET_TEXT)
    assert isinstance(result, vibectl.Redaction)
    assert JWT not in result.text and PEM_LINE not in result.text
    assert result.text.count("[REDACTED:") >= 2
    assert result.total >= 2 and result.total == sum(result.findings.values())
    assert all(isinstance(kind, str) and isinstance(count, int) for kind, count in result.findings.items())
    assert bool(result) is True
    for shown in (repr(result), json.dumps(result.findings), json.dumps(result.raw)):
        assert JWT not in shown and PEM_LINE not in shown
        assert JWT[:40] not in shown
    assert repr(result).startswith(f"<Redaction {result.total} findings ")
    assert str(result) == result.text


def test_redact_leaves_ordinary_output_alone(client: vibectl.Client) -> None:
    text = (
        "NAME                   READY   STATUS    RESTARTS   AGE   IP\n"
        "web-7d9f8c6b5-x2x9z    1/1     Running   0          3d    10.0.3.17\n"
    )
    result = client.redact(text)
    assert result.text == text
    assert result.total == 0 and result.findings == {}
    assert bool(result) is False
    assert result._repr_markdown_().startswith("**vibectl redact** — no secrets found")


def test_redact_applies_even_when_security_redact_is_off(config_dir: Path) -> None:
    with vibectl.Client(config_dir, security_redact=False) as client:
        assert JWT not in client.redact(SECRET_TEXT).text
        assert JWT in client.compact(SECRET_TEXT, budget=5000).text
        assert JWT not in client.compact(SECRET_TEXT, budget=5000, redact=True).text


def test_closed_client_raises(config_dir: Path) -> None:
    client = vibectl.Client(config_dir)
    client.close()
    for call in (lambda: client.redact("x"), lambda: client.compact("x"), lambda: client.classify(["get", "pods"])):
        with pytest.raises(vibectl.InvalidArgumentError, match="closed"):
            call()


# --- module-level helpers -------------------------------------------------------


def test_module_helpers_use_one_default_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vibectl, "_default_client", None)
    assert vibectl.classify(["get", "pods"]).verdict == "safe"
    first = vibectl._default_client
    assert isinstance(first, vibectl.Client)
    assert vibectl.classify(["delete", "pod", "x", "--force"]).forced
    assert JWT not in vibectl.redact(SECRET_TEXT).text
    compacted = vibectl.compact(pod_list(500), budget=1200)
    assert len(compacted.text) <= 1200
    assert vibectl.compact(SECRET_TEXT, budget=5000, intent="errors").redacted >= 2
    assert vibectl._default_client is first


def test_default_client_creation_is_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vibectl, "_default_client", None)
    created: list[object] = []
    real_client = vibectl.Client

    class CountingClient(real_client):  # type: ignore[misc, valid-type]
        __slots__ = ()

        def __init__(self) -> None:
            created.append(self)
            super().__init__()

    monkeypatch.setattr(vibectl, "Client", CountingClient)
    barrier = threading.Barrier(8)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(vibectl.classify(["get", "pods"]).verdict)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["safe"] * 8
    assert len(created) == 1


def test_calls_release_the_gil(client: vibectl.Client) -> None:
    """Another Python thread keeps running while a compaction runs inside the C call."""
    big = pod_list(6000)
    options = json.dumps({"version": 1, "budget": 2000})
    during = 0
    in_calls = 0.0
    with Ticker(interval=0.001) as ticker:
        while in_calls < 0.3:
            before = ticker.count
            started = time.monotonic()
            client._c.compact(big, options)
            in_calls += time.monotonic() - started
            during += ticker.count - before
    # With the GIL held during the calls the ticker could not advance while they run.
    assert during >= in_calls * 100, f"only {during} ticks in {in_calls:.2f}s of calls"
