"""client.memory: get, set, clear, freeze, unfreeze, status, truncation."""

from __future__ import annotations

from pathlib import Path

import pytest

import vibectl


def test_memory_starts_empty(client: vibectl.Client) -> None:
    assert client.memory.get() == ""
    status = client.memory.status()
    assert (status.content, status.chars, status.frozen, status.truncated) == ("", 0, False, False)
    assert status.max_chars == 500


def test_set_get_and_persist(config_dir: Path) -> None:
    with vibectl.Client(config_dir) as client:
        status = client.memory.set("namespace demo runs nginx")
        assert isinstance(status, vibectl.MemoryStatus)
        assert (status.content, status.chars, status.truncated) == ("namespace demo runs nginx", 25, False)
        assert client.memory.get() == "namespace demo runs nginx"
    with vibectl.Client(config_dir) as client:
        assert client.memory.get() == "namespace demo runs nginx"
        assert Path(client.memory.status().path).is_file()


def test_clear_empties_the_memory(client: vibectl.Client) -> None:
    client.memory.set("something")
    client.memory.clear()
    assert client.memory.get() == ""
    assert client.memory.status().chars == 0


def test_freeze_and_unfreeze_are_persisted(config_dir: Path) -> None:
    with vibectl.Client(config_dir) as client:
        client.memory.freeze()
        assert client.memory.status().frozen is True
        assert client.config.get("memory.enabled") is False
        status = client.memory.set("explicit updates still work while frozen")
        assert status.content == "explicit updates still work while frozen"
    with vibectl.Client(config_dir) as client:
        assert client.memory.status().frozen is True
        client.memory.unfreeze()
        assert client.memory.status().frozen is False
        assert client.config.get("memory.enabled") is True


def test_a_per_client_freeze_is_not_persisted(config_dir: Path) -> None:
    with vibectl.Client(config_dir, memory_enabled=False) as frozen:
        assert frozen.memory.status().frozen is True
        frozen.memory.set("text")
    with vibectl.Client(config_dir) as plain:
        assert plain.memory.status().frozen is False


@pytest.mark.parametrize(
    "text",
    ["日本語のテキストはここで切れます", "ééééééééééééééééé", "🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀", "ab€dé🚀ghijklmnop"],
)
def test_truncation_at_max_chars_respects_characters(client: vibectl.Client, text: str) -> None:
    client.config.set("memory.max_chars", 10)
    status = client.memory.set(text)
    assert status.truncated is True
    assert status.chars == 10 == status.max_chars
    assert status.content == text[:10]
    assert client.memory.get() == text[:10]
    assert client.memory.status().truncated is False  # only set() reports truncation


def test_text_at_the_limit_is_not_truncated(client: vibectl.Client) -> None:
    client.config.set("memory.max_chars", 5)
    status = client.memory.set("日本語🚀é")
    assert (status.truncated, status.chars, status.content) == (False, 5, "日本語🚀é")


def test_special_characters_round_trip(client: vibectl.Client) -> None:
    text = 'line one\nline "two": # not a comment\n\ttabbed ünïcödé'
    client.memory.set(text)
    assert client.memory.get() == text


def test_memory_status_repr_and_markdown(client: vibectl.Client) -> None:
    status = client.memory.set("pods in demo are healthy")
    assert repr(status) == "<MemoryStatus 24/500 chars content='pods in demo are healthy'>"
    markdown = status._repr_markdown_()
    assert "24 / 500 characters" in markdown and "pods in demo are healthy" in markdown
    long = client.memory.set("x" * 200)
    assert len(repr(long)) < 120 and "…" in repr(long)
    client.memory.freeze()
    assert "frozen" in repr(client.memory.status())
    assert client.memory.status() == client.memory.status()
    assert client.memory.status().raw["version"] == 1
