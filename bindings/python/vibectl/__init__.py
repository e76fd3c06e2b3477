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

Safety and output helpers need no setup: ``vibectl.classify(["delete", "pod", "x"])``
says whether a planned kubectl command is safe, ``vibectl.compact(text, budget=2000)``
shows exactly what a model would be sent for some output, ``vibectl.redact(text)``
replaces the secrets in it.

Errors are raised as subclasses of :class:`VibectlError`, one per library status
(``NotFoundError`` for an unknown key, ``InvalidArgumentError`` for a bad value,
``AuthenticationError`` for a missing API key, ...),
each with ``.code``, ``.code_name`` and ``.hint``. See docs/python.md.
"""

from __future__ import annotations

import _thread
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
    "Compaction",
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
    "Redaction",
    "SafetyAssessment",
    "TimeoutError",
    "TransientModelError",
    "VibectlError",
    "VibectlIOError",
    "__version__",
    "abi_version",
    "classify",
    "compact",
    "config_schema",
    "redact",
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


def _findings_text(findings: dict[str, int]) -> str:
    """``"2 jwt, 1 pem"``: counts by kind, most frequent first."""
    items = sorted(findings.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{count} {kind}" for kind, count in items if count)


class SafetyAssessment:
    """The safety verdict on a planned kubectl command (``client.classify()``).

    ``verdict`` is ``"safe"``, ``"confirm"`` or ``"reject"``; ``verb_class`` is
    ``"read-only"``, ``"mutating"``, ``"interactive"`` or ``"unknown"``; ``forced`` is True
    when a dangerous flag or a manifest rule forces confirmation even in auto mode;
    ``reasons`` says why, one sentence each. ``raw`` holds the library's JSON.
    """

    __slots__ = ("verdict", "verb_class", "forced", "reasons", "raw")

    def __init__(
        self,
        verdict: str,
        verb_class: str = "unknown",
        forced: bool = False,
        reasons: list[str] | None = None,
        raw: dict[str, Any] | None = None,
    ) -> None:
        self.verdict = verdict
        self.verb_class = verb_class
        self.forced = forced
        self.reasons = reasons if reasons is not None else []
        self.raw = raw if raw is not None else {}

    @classmethod
    def _from_json(cls, text: str) -> SafetyAssessment:
        data = _load_object(text)
        return cls(
            verdict=data.get("verdict", "reject"),
            verb_class=data.get("class", "unknown"),
            forced=bool(data.get("forced", False)),
            reasons=list(data.get("reasons") or ()),
            raw=data,
        )

    @property
    def safe(self) -> bool:
        """True when the command may run without asking."""
        return self.verdict == "safe"

    @property
    def rejected(self) -> bool:
        """True when the command must not run at all."""
        return self.verdict == "reject"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SafetyAssessment):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.__slots__[:-1])

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        forced = " forced" if self.forced else ""
        return f"<SafetyAssessment {self.verdict} {self.verb_class}{forced} reasons={self.reasons!r}>"

    def _repr_markdown_(self) -> str:
        forced = " (forced, even in auto mode)" if self.forced else ""
        reasons = "".join(f"- {reason}\n" for reason in self.reasons) or "*(no reasons)*\n"
        return f"**{self.verdict}**{forced} — {self.verb_class}\n\n{reasons}"


class Compaction:
    """Output as a model would be sent it (``client.compact()``): redacted, then compacted.

    ``text`` is the result and ``type`` the detected kind (``"json"``, ``"yaml"``,
    ``"table"``, ``"logs"``, ``"events"`` or ``"text"``). ``original_chars`` and
    ``kept_chars`` are sizes in characters, ``original_tokens`` and ``kept_tokens`` the
    token estimates (output.chars_per_token). ``dropped`` describes what was left out,
    ``redactions`` counts the replaced secrets by kind. ``str()`` is the text; ``repr()``
    never shows it. ``raw`` holds the library's JSON.
    """

    __slots__ = (
        "text",
        "type",
        "original_chars",
        "kept_chars",
        "original_tokens",
        "kept_tokens",
        "dropped",
        "redactions",
        "raw",
    )

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.text: str = data.get("text") or ""
        self.type: str = data.get("type") or "text"
        self.original_chars: int = data.get("original_chars") or 0
        self.kept_chars: int = data.get("kept_chars") or len(self.text)
        self.original_tokens: int = data.get("original_tokens_estimate") or 0
        self.kept_tokens: int = data.get("kept_tokens_estimate") or 0
        self.dropped: list[str] = list(data.get("dropped") or ())
        self.redactions: dict[str, int] = dict(data.get("redactions") or {})
        self.raw = data

    @property
    def redacted(self) -> int:
        """How many secrets were replaced."""
        return sum(self.redactions.values())

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Compaction):
            return NotImplemented
        return self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]

    def _summary(self) -> str:
        return (
            f"{self.type} {self.original_chars} → {self.kept_chars} chars "
            f"(~{self.kept_tokens} tokens)"
        )

    def __repr__(self) -> str:
        dropped = f" dropped={len(self.dropped)}" if self.dropped else ""
        return f"<Compaction {self._summary()} redactions={self.redactions!r}{dropped}>"

    def _repr_markdown_(self) -> str:
        facts = [self._summary()]
        if self.redactions:
            facts.append(f"redacted {_findings_text(self.redactions)}")
        if self.dropped:
            facts.append("dropped: " + "; ".join(self.dropped))
        fence = "````" if "```" in self.text else "```"
        return f"**vibectl compact** — {', '.join(facts)}\n\n{fence}\n{self.text}\n{fence}\n"


class Redaction:
    """Text with its secrets replaced by ``[REDACTED:<kind>]`` (``client.redact()``).

    ``findings`` counts the replacements by kind (``{"jwt": 2, "pem": 1}``) and ``total``
    is their sum; neither ever holds a secret. ``str()`` is the redacted text. ``raw``
    holds the library's JSON.
    """

    __slots__ = ("text", "findings", "total", "raw")

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.text: str = data.get("text") or ""
        self.findings: dict[str, int] = dict(data.get("findings") or {})
        self.total: int = data.get("total") or sum(self.findings.values())
        self.raw = data

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        """True when something was redacted."""
        return self.total > 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Redaction):
            return NotImplemented
        return self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Redaction {self.total} finding{'' if self.total == 1 else 's'} {self.findings!r}>"

    def _repr_markdown_(self) -> str:
        found = f"redacted {_findings_text(self.findings)}" if self.total else "no secrets found"
        fence = "````" if "```" in self.text else "```"
        return f"**vibectl redact** — {found}\n\n{fence}\n{self.text}\n{fence}\n"


def _argv(args: Iterable[str], what: str = "args") -> list[str]:
    """A list of str from an iterable of str, refusing a single string."""
    if isinstance(args, (str, bytes)):
        raise TypeError(f"{what} must be a list of str, e.g. ['get', 'pods'], not a single string")
    argv = list(args)
    for arg in argv:
        if not isinstance(arg, str):
            raise TypeError(f"kubectl arguments must be str, not {type(arg).__name__}")
    return argv


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
        argv = _argv(args)
        callback = None
        if on_event is not None:
            handler = on_event

            def callback(event_json: str) -> Any:
                return handler(_loads(event_json))

        return self._c.kubectl_passthrough(_dumps(argv), callback)

    def classify(
        self,
        args: Iterable[str],
        manifest: str | None = None,
        user_flags: Iterable[str] = (),
        user_asked_for_shell: bool = False,
    ) -> SafetyAssessment:
        """Says whether a planned kubectl command is safe, needs confirmation or is rejected.

        ``args`` are the kubectl arguments without ``"kubectl"``. ``manifest`` is the
        YAML the command would apply with ``-f -``. ``user_flags`` names flags the user
        set themselves (``"--context"``, ...), which are then allowed; core.kubeconfig,
        core.context and core.namespace count when set in config.
        ``user_asked_for_shell`` allows ``exec`` into a shell. Runs nothing.
        """
        options: dict[str, Any] = {"version": 1}
        if manifest is not None:
            if not isinstance(manifest, str):
                raise TypeError(f"manifest must be str or None, not {type(manifest).__name__}")
            options["manifest"] = manifest
        flags = _argv(user_flags, "user_flags")
        if flags:
            options["user_flags"] = flags
        if user_asked_for_shell:
            options["user_asked_for_shell"] = True
        return SafetyAssessment._from_json(self._c.classify(_dumps(_argv(args)), _dumps(options)))

    def compact(
        self,
        text: str,
        budget: int | None = None,
        intent: str | None = None,
        redact: bool | None = None,
    ) -> Compaction:
        """Returns ``text`` as a model would be sent it: redacted, then compacted.

        ``budget`` is the size limit in characters (default output.max_chars);
        ``intent`` (what the user wants to know) keeps matching lines and fields first;
        ``redact`` switches redaction on or off (default security.redact). Raises
        InvalidArgumentError for a bad budget or an invalid security.redact_patterns entry.
        """
        options: dict[str, Any] = {"version": 1}
        if budget is not None:
            if isinstance(budget, bool) or not isinstance(budget, int):
                raise TypeError(f"budget must be int or None, not {type(budget).__name__}")
            options["budget"] = budget
        if intent is not None:
            options["intent"] = intent
        if redact is not None:
            options["redact"] = bool(redact)
        return Compaction(_load_object(self._c.compact(text, _dumps(options))))

    def redact(self, text: str) -> Redaction:
        """Replaces the secrets in ``text`` with ``[REDACTED:<kind>]``, even when security.redact is off."""
        return Redaction(_load_object(self._c.redact(text)))

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


# ---------------------------------------------------------------------------
# Module-level helpers on a default client
# ---------------------------------------------------------------------------

_default_client: Client | None = None
_default_lock = _thread.allocate_lock()


def _default() -> Client:
    """The module's default :class:`Client` (default configuration), created on first use.

    Creation is thread-safe: concurrent first calls all get the same client. The
    environment (VIBECTL_CONFIG_DIR, ...) is read when it is created.
    """
    global _default_client
    client = _default_client
    if client is not None:
        return client
    with _default_lock:
        if _default_client is None:
            _default_client = Client()
        return _default_client


def classify(
    args: Iterable[str],
    manifest: str | None = None,
    user_flags: Iterable[str] = (),
    user_asked_for_shell: bool = False,
) -> SafetyAssessment:
    """:meth:`Client.classify` on the default client (default configuration)."""
    return _default().classify(args, manifest, user_flags, user_asked_for_shell)


def compact(
    text: str,
    budget: int | None = None,
    intent: str | None = None,
    redact: bool | None = None,
) -> Compaction:
    """:meth:`Client.compact` on the default client (default configuration)."""
    return _default().compact(text, budget, intent, redact)


def redact(text: str) -> Redaction:
    """:meth:`Client.redact` on the default client (default configuration)."""
    return _default().redact(text)
