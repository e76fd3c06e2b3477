"""client.config: get, entry, set (text and typed), unset, show, info, secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import vibectl


def test_defaults_come_from_the_schema(client: vibectl.Client) -> None:
    schema = vibectl.config_schema()
    assert schema["version"] == 1
    keys = [entry for entry in schema["keys"] if "*" not in entry["key"]]
    assert len(keys) > 30
    for entry in keys:
        got = client.config.entry(entry["key"])
        assert got["source"] == "default", entry["key"]
        if not entry.get("secret"):
            assert got["value"] == entry["default"], entry["key"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("llm.model", "gpt-4o"),
        ("memory.max_chars", 1234),
        ("display.show_vibe", False),
        ("display.show_kubectl", True),
        ("llm.retry_delay_seconds", 2.5),
        ("plugins.precedence", ["first", "second"]),
        ("core.kubeconfig", "/tmp/kubeconfig"),
        ("core.kubeconfig", None),
    ],
)
def test_typed_values_round_trip(config_dir: Path, key: str, value: object) -> None:
    with vibectl.Client(config_dir) as client:
        client.config.set(key, value)
        assert client.config.get(key) == value
    with vibectl.Client(config_dir) as fresh:  # persisted
        entry = fresh.config.entry(key)
    assert entry["value"] == value
    assert entry["source"] == "file"


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("display.show_vibe", "no", False),
        ("display.show_vibe", "on", True),
        ("memory.max_chars", "77", 77),
        ("llm.retry_delay_seconds", "0.25", 0.25),
        ("plugins.precedence", "a,b", ["a", "b"]),
        ("core.kubeconfig", "null", None),
    ],
)
def test_text_values_are_coerced_to_the_key_type(client: vibectl.Client, key: str, text: str, expected: object) -> None:
    client.config.set(key, text)
    assert client.config.get(key) == expected


def test_an_int_is_accepted_where_a_float_is_expected(client: vibectl.Client) -> None:
    client.config.set("llm.retry_delay_seconds", 3)
    assert client.config.get("llm.retry_delay_seconds") == 3.0


@pytest.mark.parametrize(
    "value",
    ['quoted "text" and \'single\'', "colon: yes # not a comment", "two\nlines\n", "ünïcödé 日本語 🚀", "  padded  "],
)
def test_special_character_values_round_trip(config_dir: Path, value: str) -> None:
    with vibectl.Client(config_dir) as client:
        client.config.set("system.custom_instructions", value)
    with vibectl.Client(config_dir) as client:
        assert client.config.get("system.custom_instructions") == value


def test_unset_restores_the_default(client: vibectl.Client) -> None:
    client.config.set("llm.model", "changed")
    client.config.unset("llm.model")
    entry = client.config.entry("llm.model")
    assert entry["source"] == "default"
    assert entry["value"] == "claude-3.7-sonnet"
    client.config.unset("llm.model")  # unsetting an unset key is fine


def test_show_everything_a_section_and_a_key(client: vibectl.Client) -> None:
    client.config.set("llm.model", "shown")
    everything = client.config.show()
    assert everything["scope"] == "all"
    assert everything["values"]["llm"]["model"] == "shown"
    assert everything["sources"]["llm.model"] == "file"
    assert set(vibectl.config_schema()["sections"]) <= set(everything["values"])

    section = client.config.show("llm")
    assert section["scope"] == "section"
    assert section["values"]["model"] == "shown"

    key = client.config.show("llm.model")
    assert (key["scope"], key["value"], key["source"]) == ("key", "shown", "file")


def test_show_unknown_selector_raises_not_found(client: vibectl.Client) -> None:
    with pytest.raises(vibectl.NotFoundError):
        client.config.show("nosuchsection")


def test_info_describes_the_file(client: vibectl.Client, config_dir: Path) -> None:
    before = client.config.info()
    assert before["exists"] is False
    client.config.set("llm.model", "x")
    after = client.config.info()
    path = Path(after["path"])
    assert after["exists"] is True
    assert after["size"] == path.stat().st_size > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert after["modified"]
    assert Path(after["memory_path"]).parent == path.parent


def test_secrets_are_masked(client: vibectl.Client) -> None:
    client.config.set("providers.openai.key", "sk-test-abcdefgh1234")
    entry = client.config.entry("providers.openai.key")
    assert entry["masked"] is True
    assert entry["value"] != "sk-test-abcdefgh1234"
    assert entry["value"].endswith("1234")
    assert "sk-test-abcdefgh1234" not in repr(client.config.show())
    assert client.config.get("providers.openai.key") == entry["value"]


def test_environment_beats_the_file(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with vibectl.Client(config_dir) as client:
        client.config.set("llm.model", "from-file")
    monkeypatch.setenv("VIBECTL_LLM_MODEL", "from-env")
    with vibectl.Client(config_dir) as client:  # the environment is read when a client is created
        entry = client.config.entry("llm.model")
    assert (entry["value"], entry["source"], entry["env_var"]) == ("from-env", "env", "VIBECTL_LLM_MODEL")
