"""The examples in docs/python.md run as written (README-style snippet tests)."""

from __future__ import annotations

import contextlib
import io
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI

import vibectl

DOC = Path(__file__).resolve().parents[3] / "docs" / "python.md"
FAKE_KUBECTL = """#!/bin/sh
case "$*" in
  *--watch*) exec sleep 30 ;;
esac
echo "Client Version: v1.30.0 (fake)"
"""


def _python_blocks() -> list[str]:
    if not DOC.is_file():
        return []
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


@pytest.fixture
def fake_kubectl_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    kubectl = bin_dir / "kubectl"
    kubectl.write_text(FAKE_KUBECTL, encoding="utf-8")
    kubectl.chmod(kubectl.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return kubectl


@pytest.fixture
def fake_openai_in_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible server reached through OPENAI_BASE_URL, with a dummy OPENAI_API_KEY."""
    server = FakeOpenAI()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docs-example-key")
    # The default client reads the environment when it is created: make it afresh.
    monkeypatch.setattr(vibectl, "_default_client", None)
    yield server
    client = vibectl._default_client
    if client is not None:
        client.close()
    server.close()


BLOCKS = _python_blocks()


@pytest.mark.skipif(not BLOCKS, reason="docs/python.md not found (run from a vibectl checkout)")
@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_doc_example_runs(block: str, fake_kubectl_on_path: Path, fake_openai_in_env: FakeOpenAI) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, str(DOC), "exec"), {"__name__": "__doc_example__"})
    assert out.getvalue(), "every example prints something"


def test_docs_have_the_examples_this_suite_expects() -> None:
    if not DOC.is_file():
        pytest.skip("docs/python.md not found")
    assert len(BLOCKS) >= 3


def test_readme_snippet(tmp_path: Path) -> None:
    with vibectl.Client(tmp_path / "cfg", llm_model="gpt-4o") as client:
        client.config.set("memory.max_chars", 300)
        client.memory.set("namespace demo runs the checkout service")
        assert client.config.get("llm.model") == "gpt-4o"
        assert client.memory.status().max_chars == 300
        with pytest.raises(vibectl.NotFoundError, match="did you mean 'llm.model'"):
            client.config.get("llm.modle")
