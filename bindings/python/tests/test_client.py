"""Client construction, overrides, closing and the context manager."""

from __future__ import annotations

from pathlib import Path

import pytest

import vibectl


def test_config_dir_argument_is_used(config_dir: Path) -> None:
    with vibectl.Client(config_dir) as client:
        info = client.config.info()
    assert info["config_dir"] == str(config_dir)
    assert Path(info["path"]) == config_dir / "client" / "config.yaml"
    assert info["exists"] is False


def test_config_dir_accepts_a_str_and_a_path(config_dir: Path) -> None:
    with vibectl.Client(str(config_dir)) as a, vibectl.Client(config_dir) as b:
        assert a.config.info()["config_dir"] == b.config.info()["config_dir"] == str(config_dir)


def test_default_config_dir_comes_from_the_environment(isolated_env: Path) -> None:
    with vibectl.Client() as client:
        client.config.set("llm.model", "from-env-dir")
        assert client.config.info()["config_dir"] == str(isolated_env)
    assert (isolated_env / "client" / "config.yaml").is_file()


@pytest.mark.parametrize(
    ("keyword", "key", "value"),
    [
        ("llm_model", "llm.model", "gpt-4o"),
        ("live_display_max_lines", "live_display.max_lines", 7),
        ("memory_max_chars", "memory.max_chars", 300),
        ("display_show_vibe", "display.show_vibe", False),
        ("core_kubeconfig", "core.kubeconfig", None),
        ("plugins_precedence", "plugins.precedence", ["a", "b"]),
        ("providers__openai__key_file", "providers.openai.key_file", "/tmp/key"),
        ("providers_anthropic_key_file", "providers.anthropic.key_file", "/tmp/key2"),
    ],
)
def test_overrides_map_keywords_to_dotted_keys(config_dir: Path, keyword: str, key: str, value: object) -> None:
    with vibectl.Client(config_dir, **{keyword: value}) as client:
        entry = client.config.entry(key)
    assert entry["key"] == key
    assert entry["value"] == value
    assert entry["source"] == "override"


def test_dotted_override_names_are_used_directly(config_dir: Path) -> None:
    with vibectl.Client(config_dir, **{"llm.model": "dotted"}) as client:
        assert client.config.entry("llm.model")["source"] == "override"
        assert client.config.get("llm.model") == "dotted"


def test_overrides_win_over_the_file_and_are_never_saved(config_dir: Path) -> None:
    with vibectl.Client(config_dir) as plain:
        plain.config.set("llm.model", "from-file")
    with vibectl.Client(config_dir, llm_model="from-override") as overridden:
        assert overridden.config.get("llm.model") == "from-override"
        overridden.config.set("memory.max_chars", 42)  # saving the file keeps the override out
    with vibectl.Client(config_dir) as plain:
        entry = plain.config.entry("llm.model")
    assert (entry["value"], entry["source"]) == ("from-file", "file")
    assert "from-override" not in (config_dir / "client" / "config.yaml").read_text(encoding="utf-8")


def test_unknown_override_raises_not_found(config_dir: Path) -> None:
    with pytest.raises(vibectl.NotFoundError) as caught:
        vibectl.Client(config_dir, llm_modle="x")
    assert caught.value.code == vibectl._vibectl.VIBECTL_ENOTFOUND


def test_invalid_override_value_raises_invalid_argument(config_dir: Path) -> None:
    with pytest.raises(vibectl.InvalidArgumentError):
        vibectl.Client(config_dir, display_theme="purple")


def test_close_is_idempotent_and_later_calls_fail_clearly(config_dir: Path) -> None:
    client = vibectl.Client(config_dir)
    assert not client.closed
    client.close()
    client.close()
    assert client.closed
    with pytest.raises(vibectl.InvalidArgumentError, match="closed"):
        client.config.get("llm.model")
    with pytest.raises(vibectl.InvalidArgumentError, match="closed"):
        client.memory.get()
    with pytest.raises(vibectl.InvalidArgumentError, match="closed"):
        client.kubectl(["version"])


def test_context_manager_closes_even_on_error(config_dir: Path) -> None:
    with pytest.raises(RuntimeError):
        with vibectl.Client(config_dir) as client:
            raise RuntimeError("boom")
    assert client.closed


def test_repr_says_where_and_whether_closed(config_dir: Path) -> None:
    client = vibectl.Client(config_dir)
    assert repr(client) == f"<vibectl.Client config_dir={str(config_dir)!r}>"
    client.close()
    assert repr(client).endswith(" closed>")


def test_raw_client_accepts_none_and_rejects_bad_json() -> None:
    raw = vibectl._vibectl.Client(None)
    assert "llm.model" in raw.config_get("llm.model")
    raw.close()
    with pytest.raises(vibectl.InvalidArgumentError):
        vibectl._vibectl.Client("{not json")
    with pytest.raises(TypeError):
        vibectl._vibectl.Client(42)  # type: ignore[arg-type]


def test_raw_client_cannot_be_subclassed() -> None:
    with pytest.raises(TypeError):
        type("Sub", (vibectl._vibectl.Client,), {})


def test_kubectl_args_must_be_a_list_of_str(client: vibectl.Client) -> None:
    with pytest.raises(TypeError, match="list of str"):
        client.kubectl("get pods")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be str"):
        client.kubectl(["get", 1])  # type: ignore[list-item]
