"""Fixtures for the vibectl binding tests.

Every test runs with HOME, XDG_CONFIG_HOME and VIBECTL_CONFIG_DIR pointing into its own
tmp_path and with every other VIBECTL_* variable (and the providers' own key and endpoint
variables) removed, so no test can read or write the real ~/.config/vibectl or reach a
real model provider.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# `python -m pytest` run from bindings/python would import the source package, which has
# no built extension unless it was installed in editable mode: prefer the installed one.
_SOURCE_DIR = Path(__file__).resolve().parents[1]
if not any((_SOURCE_DIR / "vibectl").glob("_vibectl*.so")):
    sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != _SOURCE_DIR]

import vibectl  # noqa: E402
from fake_openai import FakeOpenAI  # noqa: E402
from vibe_support import API_KEY, FakeKubectl, make_client  # noqa: E402


# The providers' own variables: a developer's real key or endpoint must not reach a test.
PROVIDER_VARIABLES = frozenset(
    {
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "OPENAI_BASE_URL",
        "ANTHROPIC_BASE_URL",
        "GEMINI_BASE_URL",
        "OLLAMA_HOST",
    }
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME and config directory; returns the VIBECTL_CONFIG_DIR in use."""
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith("VIBECTL_") or name in PROVIDER_VARIABLES:
            monkeypatch.delenv(name)
    env_dir = tmp_path / "env-config"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("VIBECTL_CONFIG_DIR", str(env_dir))
    return env_dir


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A configuration directory that does not exist yet."""
    return tmp_path / "config"


@pytest.fixture
def client(config_dir: Path) -> Iterator[vibectl.Client]:
    """A client on `config_dir`, closed after the test."""
    with vibectl.Client(config_dir) as c:
        yield c


@pytest.fixture
def fake_kubectl(tmp_path: Path, client: vibectl.Client) -> Callable[[str], Path]:
    """Installs a shell script as the client's kubectl: fake_kubectl('exit 3')."""

    def install(body: str) -> Path:
        path = tmp_path / "fake-kubectl"
        path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        client.config.set("core.kubectl_command", str(path))
        return path

    return install


# The vibe engine's tests (test_vibe.py, test_loops.py): see vibe_support.py.


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    """The fake OpenAI-compatible server, closed after the test."""
    fake = FakeOpenAI()
    yield fake
    fake.close()


@pytest.fixture
def kubectl(tmp_path: Path) -> FakeKubectl:
    """A fake kubectl that records each run's argv (not installed anywhere: see `vc`)."""
    return FakeKubectl(tmp_path / "bin")


@pytest.fixture
def vc(config_dir: Path, server: FakeOpenAI, kubectl: FakeKubectl, monkeypatch: pytest.MonkeyPatch) -> Iterator[vibectl.Client]:
    """A client on `server` and `kubectl`, with the test API key, closed after the test."""
    monkeypatch.setenv("VIBECTL_OPENAI_API_KEY", API_KEY)
    with make_client(config_dir, server, kubectl) as c:
        yield c


@pytest.fixture
def default_client_env(server: FakeOpenAI, kubectl: FakeKubectl, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The module's default client, created afresh from this test's environment."""
    monkeypatch.setenv("VIBECTL_OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("VIBECTL_PROVIDERS_OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("VIBECTL_LLM_MODEL", "gpt-4o")
    monkeypatch.setenv("VIBECTL_CORE_KUBECTL_COMMAND", str(kubectl.path))
    monkeypatch.setattr(vibectl, "_default_client", None)
    yield
    client = vibectl._default_client
    if client is not None:
        client.close()
