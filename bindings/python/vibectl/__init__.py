"""vibectl: kubectl with plain-English intent, LLM summaries and a memory, from Python.

This package is the Python binding of libvibectl (include/vibectl.h). Everything goes
through the C library, so a Python script sees exactly what the `vibectl` command sees::

    import vibectl

    with vibectl.Client(config_dir="/tmp/vibectl-demo", llm_model="claude-4-sonnet") as client:
        client.config.set("memory.max_chars", 800)
        client.memory.set("namespace demo holds the checkout service")
        print(client.config.get("llm.model"), client.memory.status())

Models are one call away: ``client.complete(user="Summarise: ...", stream=True,
on_text=print)`` returns a :class:`Completion` with ``.text``, ``.json`` and ``.metrics``.

Errors are raised as subclasses of :class:`VibectlError`, one per library status
(``NotFoundError`` for an unknown key, ``InvalidArgumentError`` for a bad value,
``AuthenticationError`` for a missing API key, ...),
each with ``.code``, ``.code_name`` and ``.hint``. See docs/python.md.
"""

from __future__ import annotations

import os as _os

from . import _vibectl
from ._vibectl import (
    AuthenticationError,
    CallbackError,
    CancelledError,
    ConfigError,
    InternalError,
    InvalidArgumentError,
    KubectlError,
    LockedError,
    ModelError,
    NotFoundError,
    TimeoutError,
    TransientModelError,
    VibectlError,
    VibectlIOError,
    abi_version,
    status_name,
    version_number,
    version_string,
)

# `typing` costs milliseconds at import; annotations are strings (PEP 563) anyway.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Callable, Iterable
    from typing import Any

__version__: str = _vibectl.version_string()

__all__ = [
    "AuthenticationError",
    "CallbackError",
    "CancelledError",
    "Client",
    "Completion",
    "CompletionMetrics",
    "Config",
    "ConfigError",
    "InternalError",
    "InvalidArgumentError",
    "KubectlError",
    "LockedError",
    "Memory",
    "MemoryStatus",
    "ModelError",
    "ModelInfo",
    "NotFoundError",
    "TimeoutError",
    "TransientModelError",
    "VibectlError",
    "VibectlIOError",
    "__version__",
    "abi_version",
    "config_schema",
    "status_name",
    "version_number",
    "version_string",
]

# ---------------------------------------------------------------------------
# Exceptions: created in C (one class per status, see src/_vibectlmodule.c);
# their documentation lives here.
# ---------------------------------------------------------------------------

VibectlError.__doc__ = """Root of every error libvibectl reports.

Attributes:
    code: the status the C call returned (a negative ``VIBECTL_E*`` value).
    code_name: its name, e.g. ``"VIBECTL_ENOTFOUND"`` (from ``vibectl_status_name``).
    hint: how to fix it, or None.
"""
InternalError.__doc__ = "VIBECTL_ERROR: an unexpected internal failure of the library."
InvalidArgumentError.__doc__ = (
    "VIBECTL_EINVAL: an argument is malformed or a value is invalid for its key "
    "(also a str with lone surrogates, or a call on a closed Client). Also a ValueError."
)
NotFoundError.__doc__ = (
    "VIBECTL_ENOTFOUND: a key, section or object does not exist; the message lists the "
    "valid names and suggests the nearest. Also a KeyError (str() shows the message)."
)
ConfigError.__doc__ = (
    "VIBECTL_ECONFIG: a configuration or memory file is corrupt; the message names the "
    "file and line. The file is never overwritten."
)
VibectlIOError.__doc__ = "VIBECTL_EIO: a file could not be read or written. Also an OSError."
LockedError.__doc__ = "VIBECTL_ELOCKED: another process held a lock on a vibectl file for too long."
CancelledError.__doc__ = "VIBECTL_ECANCELED: the call was cancelled with Client.cancel()."
CallbackError.__doc__ = (
    "VIBECTL_EUSER: an event callback stopped the call by returning False. (A callback "
    "that raises aborts the call too, but then its own exception is re-raised instead.)"
)
TimeoutError.__doc__ = "VIBECTL_ETIMEOUT: the operation ran out of time. Also the builtin TimeoutError."
ModelError.__doc__ = (
    "VIBECTL_EMODEL: a permanent model failure: unknown model (the message lists the known "
    "names), invalid request, or a reply that cannot be used. Retrying will not help."
)
TransientModelError.__doc__ = (
    "VIBECTL_ETRANSIENT: the provider was rate limited, overloaded, failing or unreachable, "
    "and stayed so through the retries and fallback models. Retrying later may help."
)
AuthenticationError.__doc__ = (
    "VIBECTL_EAUTH: no API key for the model's provider, or the provider rejected it; the "
    "hint lists the ways to set one."
)
KubectlError.__doc__ = (
    "VIBECTL_EKUBECTL: kubectl is missing, not executable or could not be started; the "
    "hint says how to point core.kubectl_command at it."
)


# ---------------------------------------------------------------------------
# JSON helpers: imported on first use to keep `import vibectl` fast.
# ---------------------------------------------------------------------------


def _loads(text: str) -> Any:
    import json

    return json.loads(text)


def _load_object(text: str) -> dict[str, Any]:
    data: dict[str, Any] = _loads(text)
    return data


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


_schema_cache: dict[str, Any] | None = None
_key_index_cache: tuple[dict[str, str], frozenset[str]] | None = None


def config_schema() -> dict[str, Any]:
    """Every configuration key: type, default, valid values and description (a dict)."""
    global _schema_cache
    if _schema_cache is None:
        _schema_cache = _load_object(_vibectl.config_schema())
    return _schema_cache


def _key_index() -> tuple[dict[str, str], frozenset[str]]:
    """Maps flattened key names (``llm_model``) to dotted keys, plus the section names."""
    global _key_index_cache
    if _key_index_cache is None:
        schema = config_schema()
        sections = frozenset(s for s in schema.get("sections", ()) if isinstance(s, str))
        flat: dict[str, str] = {}
        for entry in schema.get("keys", ()):
            key = entry.get("key") if isinstance(entry, dict) else None
            if isinstance(key, str) and "*" not in key:
                flat.setdefault(key.replace(".", "_"), key)
        _key_index_cache = (flat, sections)
    return _key_index_cache


def _override_key(name: str) -> str:
    """Maps a keyword argument name to a dotted config key.

    ``"llm.model"`` and ``llm__model`` are taken as they are (``__`` becomes ``.``);
    otherwise the longest schema section name followed by ``_`` is split off:
    ``llm_model`` → ``llm.model``, ``live_display_max_lines`` → ``live_display.max_lines``.
    A name that matches nothing is passed unchanged, so the library reports it
    (NotFoundError, with the nearest key).
    """
    if "." in name:
        return name
    if "__" in name:
        return name.replace("__", ".")
    flat, sections = _key_index()
    if name in flat:
        return flat[name]
    best = ""
    for section in sections:
        if len(section) > len(best) and name.startswith(section + "_") and len(name) > len(section) + 1:
            best = section
    if not best:
        return name
    return f"{best}.{name[len(best) + 1:]}"


# ---------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------


class MemoryStatus:
    """The memory's state: its text, length, limit, frozen flag and file.

    ``truncated`` is True when the ``set()`` that returned this status cut the text at
    ``max_chars`` characters. ``raw`` holds the library's full JSON object.
    """

    __slots__ = ("content", "chars", "max_chars", "frozen", "path", "truncated", "raw")

    def __init__(
        self,
        content: str,
        chars: int,
        max_chars: int,
        frozen: bool,
        path: str | None = None,
        truncated: bool = False,
        raw: dict[str, Any] | None = None,
    ) -> None:
        self.content = content
        self.chars = chars
        self.max_chars = max_chars
        self.frozen = frozen
        self.path = path
        self.truncated = truncated
        self.raw = raw if raw is not None else {}

    @classmethod
    def _from_json(cls, text: str) -> MemoryStatus:
        data = _load_object(text)
        return cls(
            content=data.get("content", ""),
            chars=data.get("chars", len(data.get("content", ""))),
            max_chars=data.get("max_chars", 0),
            frozen=bool(data.get("frozen", False)),
            path=data.get("path"),
            truncated=bool(data.get("truncated", False)),
            raw=data,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MemoryStatus):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.__slots__[:-1])

    __hash__ = None  # type: ignore[assignment]

    def _preview(self, limit: int = 60) -> str:
        text = self.content if len(self.content) <= limit else self.content[: limit - 1] + "…"
        return repr(text)

    def __repr__(self) -> str:
        flags = " frozen" if self.frozen else ""
        flags += " truncated" if self.truncated else ""
        return f"<MemoryStatus {self.chars}/{self.max_chars} chars{flags} content={self._preview()}>"

    def _repr_markdown_(self) -> str:
        state = "frozen" if self.frozen else "updating"
        cut = " (truncated)" if self.truncated else ""
        body = self.content.replace("\n", "  \n") if self.content else "*(empty)*"
        return (
            f"**vibectl memory** — {self.chars} / {self.max_chars} characters{cut}, {state}"
            f"{f' — `{self.path}`' if self.path else ''}\n\n{body}\n"
        )


def _fmt_ms(value: Any) -> str:
    return "?" if value is None else f"{value:.0f} ms"


def _fmt_tokens(value: Any) -> str:
    return "?" if value is None else str(value)


def _fmt_cost(value: Any) -> str:
    return "unknown" if value is None else f"${value:.6f}"


class ModelInfo:
    """One model vibectl knows (``client.models()``): name, provider, model id and key source.

    ``key_source`` says where the provider's API key comes from (e.g.
    ``"env VIBECTL_OPENAI_API_KEY"``) or is None when there is none; the key itself is
    never part of it. ``default`` is True for llm.model. ``raw`` holds the library's JSON.
    """

    __slots__ = ("name", "provider", "model_id", "alias", "key_available", "key_source", "default", "raw")

    def __init__(
        self,
        name: str,
        provider: str,
        model_id: str,
        alias: str | None = None,
        key_available: bool = False,
        key_source: str | None = None,
        default: bool = False,
        raw: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.provider = provider
        self.model_id = model_id
        self.alias = alias
        self.key_available = key_available
        self.key_source = key_source
        self.default = default
        self.raw = raw if raw is not None else {}

    @classmethod
    def _from_dict(cls, data: dict[str, Any], default_name: str | None) -> ModelInfo:
        name = data.get("name") or data.get("alias") or ""
        return cls(
            name=name,
            provider=data.get("provider", ""),
            model_id=data.get("model_id", ""),
            alias=data.get("alias"),
            key_available=bool(data.get("key_available", False)),
            key_source=data.get("key_source"),
            default=bool(data.get("default", name == default_name)),
            raw=data,
        )

    @property
    def qualified_name(self) -> str:
        """``provider:model_id``, e.g. ``"openai:gpt-4o"``."""
        return f"{self.provider}:{self.model_id}"

    def _key_text(self) -> str:
        if self.key_source:
            return self.key_source
        if self.provider == "ollama":
            return "not needed"
        return "available" if self.key_available else "missing"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelInfo):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.__slots__[:-1])

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        default = " default" if self.default else ""
        return f"<ModelInfo {self.name!r} {self.qualified_name} key={self._key_text()!r}{default}>"

    def _repr_markdown_(self) -> str:
        default = " (default)" if self.default else ""
        return f"**{self.name}**{default} — `{self.qualified_name}`, key: {self._key_text()}\n"


class CompletionMetrics:
    """What one completion cost: tokens, time to first token, duration, retries, USD.

    Token counts are what the provider reported (None if it did not); ``cost_usd`` is
    None when no price is known for the model. ``raw`` holds the library's JSON, and
    ``metrics["input_tokens"]`` works like ``metrics.input_tokens``.
    """

    __slots__ = (
        "model",
        "provider",
        "input_tokens",
        "output_tokens",
        "ttft_ms",
        "duration_ms",
        "retries",
        "fallback_used",
        "cost_usd",
        "raw",
    )

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.model: str | None = data.get("model")
        self.provider: str | None = data.get("provider")
        self.input_tokens: int | None = data.get("input_tokens")
        self.output_tokens: int | None = data.get("output_tokens")
        self.ttft_ms: float | None = data.get("ttft_ms")
        self.duration_ms: float | None = data.get("duration_ms")
        self.retries: int = data.get("retries") or 0
        self.fallback_used: bool = bool(data.get("fallback_used", False))
        self.cost_usd: float | None = data.get("cost_usd")
        self.raw = data

    def __getitem__(self, name: str) -> Any:
        if name not in self.__slots__ or name == "raw":
            raise KeyError(name)
        return getattr(self, name)

    def as_dict(self) -> dict[str, Any]:
        """The metrics as a plain dict (the library's JSON object)."""
        return dict(self.raw)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompletionMetrics):
            return NotImplemented
        return self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        retries = f" retries={self.retries}" if self.retries else ""
        fallback = " fallback" if self.fallback_used else ""
        return (
            f"<CompletionMetrics {self.model} in={_fmt_tokens(self.input_tokens)} "
            f"out={_fmt_tokens(self.output_tokens)} ttft={_fmt_ms(self.ttft_ms)} "
            f"duration={_fmt_ms(self.duration_ms)} cost={_fmt_cost(self.cost_usd)}{retries}{fallback}>"
        )


class Completion:
    """A model's answer (``client.complete()``): ``text``, ``json``, ``model`` and ``metrics``.

    ``json`` is the parsed structured reply when a schema was given, else None. ``model``
    is the model that answered (a fallback when ``metrics.fallback_used``). ``raw`` holds
    the library's full result JSON.
    """

    __slots__ = ("text", "json", "model", "provider", "stop_reason", "metrics", "warnings", "raw")

    def __init__(
        self,
        text: str,
        json: Any = None,
        model: str | None = None,
        provider: str | None = None,
        stop_reason: str | None = None,
        metrics: CompletionMetrics | None = None,
        warnings: list[str] | None = None,
        raw: dict[str, Any] | None = None,
    ) -> None:
        self.text = text
        self.json = json
        self.model = model
        self.provider = provider
        self.stop_reason = stop_reason
        self.metrics = metrics if metrics is not None else CompletionMetrics()
        self.warnings = warnings if warnings is not None else []
        self.raw = raw if raw is not None else {}

    @classmethod
    def _from_json(cls, text: str) -> Completion:
        data = _load_object(text)
        return cls(
            text=data.get("text") or "",
            json=data.get("json"),
            model=data.get("model"),
            provider=data.get("provider"),
            stop_reason=data.get("stop_reason"),
            metrics=CompletionMetrics(data.get("metrics") or {}),
            warnings=list(data.get("warnings") or ()),
            raw=data,
        )

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Completion):
            return NotImplemented
        return self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        m = self.metrics
        preview = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return (
            f"<Completion {self.model} {_fmt_tokens(m.input_tokens)}+{_fmt_tokens(m.output_tokens)} tokens "
            f"{_fmt_ms(m.duration_ms)} text={preview!r}>"
        )

    def _repr_markdown_(self) -> str:
        m = self.metrics
        facts = [
            f"{_fmt_tokens(m.input_tokens)} in / {_fmt_tokens(m.output_tokens)} out tokens",
            f"first token {_fmt_ms(m.ttft_ms)}",
            f"total {_fmt_ms(m.duration_ms)}",
            f"cost {_fmt_cost(m.cost_usd)}",
        ]
        if m.retries:
            facts.append(f"{m.retries} retr{'y' if m.retries == 1 else 'ies'}")
        if m.fallback_used:
            facts.append("fallback")
        if self.json is not None:
            body = "```json\n" + _dumps_pretty(self.json) + "\n```"
        else:
            body = self.text.replace("\n", "  \n") if self.text else "*(empty)*"
        return f"**{self.model}** — {', '.join(facts)}\n\n{body}\n"


def _dumps_pretty(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


def _fragments(value: str | Iterable[str] | None, name: str) -> list[str]:
    """A prompt given as a str or an iterable of str, as the list the library expects."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        raise TypeError(f"{name} must be str or a list of str, not bytes")
    fragments = list(value)
    for fragment in fragments:
        if not isinstance(fragment, str):
            raise TypeError(f"{name} fragments must be str, not {type(fragment).__name__}")
    return fragments


# ---------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------


class Config:
    """Reads and writes configuration through a :class:`Client` (``client.config``)."""

    __slots__ = ("_c",)

    def __init__(self, c: _vibectl.Client) -> None:
        self._c = c

    def get(self, key: str) -> Any:
        """The effective value of ``key`` as a Python value (secrets come back masked).

        Raises NotFoundError for an unknown key, ConfigError for a corrupt config file.
        """
        return self.entry(key).get("value")

    def entry(self, key: str) -> dict[str, Any]:
        """The full record for ``key``: value, source (override/env/file/default), ..."""
        return _load_object(self._c.config_get(key))

    def set(self, key: str, value: Any) -> None:
        """Sets ``key`` and saves the config file.

        A str is coerced by the library like ``vibectl config set`` ("true", "3", "a,b");
        any other value (int, float, bool, list, None) is sent as typed JSON.
        """
        if isinstance(value, str):
            self._c.config_set(key, value)
        else:
            self._c.config_set_json(key, _dumps(value))

    def unset(self, key: str) -> None:
        """Resets ``key`` to its default (removes it from the config file)."""
        self._c.config_unset(key)

    def show(self, selector: str | None = None) -> dict[str, Any]:
        """Effective values of everything, of a section (``"llm"``) or of a key, as a dict."""
        return _load_object(self._c.config_show(selector))

    def info(self) -> dict[str, Any]:
        """The config file: path, whether it exists, size, modification time, memory path."""
        return _load_object(self._c.config_info())


class Memory:
    """The memory vibectl carries between commands (``client.memory``)."""

    __slots__ = ("_c",)

    def __init__(self, c: _vibectl.Client) -> None:
        self._c = c

    def get(self) -> str:
        """The memory text ("" when empty)."""
        return self._c.memory_get()

    def set(self, text: str) -> MemoryStatus:
        """Replaces the memory; text beyond memory.max_chars characters is cut off."""
        return MemoryStatus._from_json(self._c.memory_set(text))

    def clear(self) -> None:
        """Empties the memory."""
        self._c.memory_clear()

    def freeze(self) -> None:
        """Stops automatic memory updates after commands (persisted)."""
        self._c.memory_freeze()

    def unfreeze(self) -> None:
        """Resumes automatic memory updates (persisted)."""
        self._c.memory_unfreeze()

    def status(self) -> MemoryStatus:
        """Content, length, limit, frozen state and file of the memory."""
        return MemoryStatus._from_json(self._c.memory_status())


class Client:
    """A vibectl client: one configuration directory plus per-client overrides.

    Args:
        config_dir: the configuration directory; default VIBECTL_CONFIG_DIR, then
            XDG_CONFIG_HOME/vibectl, then ~/.config/vibectl.
        **overrides: per-client config values that win over the environment and the
            file and are never saved. Names map to dotted keys: ``llm_model`` →
            ``llm.model``, ``live_display_max_lines`` → ``live_display.max_lines``,
            ``providers__openai__key`` → ``providers.openai.key``; a dotted name can be
            passed with ``**{"llm.model": ...}``. Unknown keys raise NotFoundError.

    ``client.config`` and ``client.memory`` read and change settings and memory;
    :meth:`models`, :meth:`check_model`, :meth:`complete` and :meth:`metrics` talk to
    language models; :meth:`kubectl` runs kubectl. A Client may be shared between
    threads (the library serialises calls on one client) and is a context manager that
    closes it.
    """

    __slots__ = ("_c", "config", "memory", "_config_dir")

    def __init__(self, config_dir: str | _os.PathLike[str] | None = None, **overrides: Any) -> None:
        options: dict[str, Any] = {"version": 1}
        if config_dir is not None:
            options["config_dir"] = _os.fspath(config_dir)
        if overrides:
            options["overrides"] = {_override_key(name): value for name, value in overrides.items()}
        self._config_dir = options.get("config_dir")
        self._c = _vibectl.Client(_dumps(options))
        self.config = Config(self._c)
        self.memory = Memory(self._c)

    def kubectl(self, args: Iterable[str], on_event: Callable[[dict[str, Any]], Any] | None = None) -> int:
        """Runs kubectl with ``args`` attached to this terminal; returns its exit code.

        Runs core.kubectl_command (never through a shell), with ``--kubeconfig`` when
        core.kubeconfig is set. ``on_event(event)`` receives each event dict
        (``event["type"]`` is "command_started" or "command_exited") on this thread;
        an exception it raises stops kubectl and is re-raised here unchanged, and
        returning False stops it with CallbackError. Raises KubectlError when kubectl
        cannot be started and CancelledError after :meth:`cancel`.
        """
        if isinstance(args, (str, bytes)):
            raise TypeError("args must be a list of str, e.g. ['get', 'pods'], not a single string")
        argv = list(args)
        for arg in argv:
            if not isinstance(arg, str):
                raise TypeError(f"kubectl arguments must be str, not {type(arg).__name__}")
        callback = None
        if on_event is not None:
            handler = on_event

            def callback(event_json: str) -> Any:
                return handler(_loads(event_json))

        return self._c.kubectl_passthrough(_dumps(argv), callback)

    def models(self) -> list[ModelInfo]:
        """The models vibectl knows: the alias table plus llm.model and llm.fallback_models.

        Each :class:`ModelInfo` says its provider, model id and where its key comes from
        (never the key). Makes no network request.
        """
        data = _load_object(self._c.models_list())
        default_name = data.get("default")
        return [ModelInfo._from_dict(entry, default_name) for entry in data.get("models", ())]

    def check_model(self, name: str | None = None) -> dict[str, Any]:
        """Checks that a model (default: llm.model) resolves, has a key and is listed by its provider.

        Returns the check as a dict: ``reachable``, ``model_found`` (None when the
        provider does not list models), ``key_source``, ``latency_ms``, ``warnings``.
        Raises ModelError for an unknown name, AuthenticationError when there is no key.
        """
        return _load_object(self._c.model_check(name))

    def complete(
        self,
        user: str | Iterable[str],
        *,
        system: str | Iterable[str] | None = None,
        schema: dict[str, Any] | None = None,
        schema_name: str | None = None,
        stream: bool = False,
        on_text: Callable[[str], Any] | None = None,
        on_event: Callable[[dict[str, Any]], Any] | None = None,
        model: str | None = None,
        timeout: float | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        """Asks a model (default: llm.model) and returns its :class:`Completion`.

        ``user`` and ``system`` are a str or a list of str (fragments joined by the
        library). ``schema`` (a JSON schema dict) asks for structured output: the parsed
        reply is ``.json``. With ``stream=True`` (implied by ``on_text``) the reply is
        streamed: ``on_text(chunk)`` receives each text chunk as it arrives and
        ``on_event(event)`` every event dict ("text", "retrying", "fallback"), on this
        thread. An exception raised by a callback stops the call and is re-raised here
        unchanged; returning False stops it with CallbackError. ``timeout`` bounds the
        whole call in seconds, retries included.

        Raises ModelError (unknown model, rejected request, reply not matching the
        schema), AuthenticationError (no key or key rejected), TransientModelError
        (rate limited / overloaded / unreachable through every retry and fallback),
        TimeoutError, and CancelledError after :meth:`cancel`.
        """
        request: dict[str, Any] = {
            "version": 1,
            "system": _fragments(system, "system"),
            "user": _fragments(user, "user"),
            "stream": bool(stream) or on_text is not None,
        }
        if schema is not None:
            if not isinstance(schema, dict):
                raise TypeError(f"schema must be a dict (a JSON schema), not {type(schema).__name__}")
            request["schema"] = schema
        if schema_name is not None:
            request["schema_name"] = schema_name
        if model is not None:
            request["model"] = model
        if timeout is not None:
            request["timeout_seconds"] = timeout
        if max_tokens is not None:
            request["max_tokens"] = max_tokens
        if temperature is not None:
            request["temperature"] = temperature

        callback = None
        if on_text is not None or on_event is not None:
            text_handler = on_text
            event_handler = on_event

            def callback(event_json: str) -> Any:
                event = _loads(event_json)
                if event_handler is not None and event_handler(event) is False:
                    return False
                if text_handler is not None and event.get("type") == "text":
                    chunk = (event.get("data") or {}).get("text")
                    if isinstance(chunk, str) and text_handler(chunk) is False:
                        return False
                return None

        return Completion._from_json(self._c.complete(_dumps(request), callback))

    def metrics(self) -> dict[str, Any]:
        """Model calls, tokens, retries and cost accumulated by this client, overall and ``by_model``."""
        return _load_object(self._c.metrics())

    def cancel(self) -> None:
        """Stops the calls in progress on this client, from any thread (they raise CancelledError)."""
        self._c.cancel()

    def close(self) -> None:
        """Releases the client; later calls raise InvalidArgumentError. Idempotent."""
        self._c.close()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._c.closed

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f" config_dir={self._config_dir!r}" if self._config_dir is not None else ""
        state = " closed" if self.closed else ""
        return f"<vibectl.Client{where}{state}>"
