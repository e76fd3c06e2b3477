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

The vibe engine turns plain English into a kubectl step and back into a short answer::

    plan = vibectl.plan("show me failing pods")        # a Plan: .action, .commands, ...
    step = client.vibe("scale web to 3", confirm=lambda request: True)
    print(step.summary)                                 # a StepResult

``client.run_kubectl(["get", "pods"])`` runs your own kubectl command and summarises it,
``client.check("every pod in web is ready")`` returns a :class:`CheckResult` verdict, and
``client.auto(goal, max_steps=10)`` / ``client.semiauto(goal, confirm=...)`` loop until
done (a :class:`LoopResult`).

Commands that change the cluster ask ``confirm`` (a :class:`ConfirmationRequest` in, True,
False, a choice or a :class:`Decision` out); without it they raise
:class:`ConfirmationRequired` and do not run. ``client.events(request)`` yields the
:class:`Event` objects of a call as it runs.

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
    from typing import Any, TypeVar

    _F = TypeVar("_F", bound="Callable[..., Any]")

__version__: str = _vibectl.version_string()

__all__ = [
    "CONFIRM_CHOICES",
    "AuthenticationError",
    "CallbackError",
    "CancelledError",
    "CheckResult",
    "Client",
    "CommandRejected",
    "Compaction",
    "Completion",
    "CompletionMetrics",
    "Config",
    "ConfigError",
    "ConfirmationRequest",
    "ConfirmationRequired",
    "Decision",
    "Event",
    "Instructions",
    "InternalError",
    "InvalidArgumentError",
    "KubectlError",
    "LockedError",
    "LoopResult",
    "Memory",
    "MemoryStatus",
    "ModelError",
    "ModelInfo",
    "NotFoundError",
    "Plan",
    "Redaction",
    "SafetyAssessment",
    "StepResult",
    "Summary",
    "TimeoutError",
    "TransientModelError",
    "VibeEvents",
    "VibectlError",
    "VibectlIOError",
    "__version__",
    "abi_version",
    "auto",
    "check",
    "classify",
    "compact",
    "config_schema",
    "events",
    "plan",
    "redact",
    "run",
    "run_kubectl",
    "semiauto",
    "status_name",
    "summarize",
    "version_number",
    "version_string",
    "vibe",
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


class _EqualRaw:
    """Equality of a result object: the same class and the same library JSON (``raw``); unhashable."""

    __slots__ = ()
    raw: dict[str, Any]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]


class _EqualFields:
    """Equality of a value object: the same class and equal fields, ``raw`` (the last slot) aside; unhashable."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        fields: tuple[str, ...] = self.__slots__[:-1]
        return all(getattr(self, f) == getattr(other, f) for f in fields)

    __hash__ = None  # type: ignore[assignment]


def _memory_of(data: dict[str, Any]) -> tuple[bool, str | None]:
    """``(memory_updated, memory)`` from a result's ``"memory"`` object."""
    memory = data.get("memory")
    memory = memory if isinstance(memory, dict) else {}
    return bool(memory.get("updated", False)), memory.get("text")


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dicts of a JSON list (``commands`` records), others left out."""
    return [item for item in value or () if isinstance(item, dict)]


def _md_list(items: Iterable[str]) -> str:
    """Markdown bullet lines, one an item."""
    return "".join(f"- {item}\n" for item in items)


class MemoryStatus(_EqualFields):
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

    def __repr__(self) -> str:
        flags = " frozen" if self.frozen else ""
        flags += " truncated" if self.truncated else ""
        return f"<MemoryStatus {self.chars}/{self.max_chars} chars{flags} content={_preview(self.content)}>"

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


class ModelInfo(_EqualFields):
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

    def __repr__(self) -> str:
        default = " default" if self.default else ""
        return f"<ModelInfo {self.name!r} {self.qualified_name} key={self._key_text()!r}{default}>"

    def _repr_markdown_(self) -> str:
        default = " (default)" if self.default else ""
        return f"**{self.name}**{default} — `{self.qualified_name}`, key: {self._key_text()}\n"


class CompletionMetrics(_EqualRaw):
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

    def __repr__(self) -> str:
        retries = f" retries={self.retries}" if self.retries else ""
        fallback = " fallback" if self.fallback_used else ""
        return (
            f"<CompletionMetrics {self.model} in={_fmt_tokens(self.input_tokens)} "
            f"out={_fmt_tokens(self.output_tokens)} ttft={_fmt_ms(self.ttft_ms)} "
            f"duration={_fmt_ms(self.duration_ms)} cost={_fmt_cost(self.cost_usd)}{retries}{fallback}>"
        )


class Completion(_EqualRaw):
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

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"<Completion {self.model} {_fmt_tokens(m.input_tokens)}+{_fmt_tokens(m.output_tokens)} tokens "
            f"{_fmt_ms(m.duration_ms)} text={_preview(self.text)}>"
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


class SafetyAssessment(_EqualFields):
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
        return cls._from_dict(_load_object(text))

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> SafetyAssessment:
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

    def __repr__(self) -> str:
        forced = " forced" if self.forced else ""
        return f"<SafetyAssessment {self.verdict} {self.verb_class}{forced} reasons={self.reasons!r}>"

    def _repr_markdown_(self) -> str:
        forced = " (forced, even in auto mode)" if self.forced else ""
        reasons = _md_list(self.reasons) or "*(no reasons)*\n"
        return f"**{self.verdict}**{forced} — {self.verb_class}\n\n{reasons}"


class Compaction(_EqualRaw):
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
        return f"**vibectl compact** — {', '.join(facts)}\n\n{_md_code(self.text)}"


class Redaction(_EqualRaw):
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

    def __repr__(self) -> str:
        return f"<Redaction {self.total} finding{'' if self.total == 1 else 's'} {self.findings!r}>"

    def _repr_markdown_(self) -> str:
        found = f"redacted {_findings_text(self.findings)}" if self.total else "no secrets found"
        return f"**vibectl redact** — {found}\n\n{_md_code(self.text)}"


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
# The vibe engine: plans, confirmations, step results, events
# ---------------------------------------------------------------------------

#: The answers a ``confirm`` callable may give (``"exit"`` only when the request offers it).
CONFIRM_CHOICES: tuple[str, ...] = ("yes", "no", "yes_and", "no_but", "memory", "exit")

_CHOICE_CODES: dict[str, int] = {
    "yes": _vibectl.VIBECTL_CONFIRM_YES,
    "no": _vibectl.VIBECTL_CONFIRM_NO,
    "yes_and": _vibectl.VIBECTL_CONFIRM_YES_AND,
    "no_but": _vibectl.VIBECTL_CONFIRM_NO_BUT,
    "memory": _vibectl.VIBECTL_CONFIRM_MEMORY,
    "exit": _vibectl.VIBECTL_CONFIRM_EXIT,
}


def _preview(text: str | None, limit: int = 60) -> str:
    """``repr()`` of a text cut to ``limit`` characters."""
    if text is None:
        return "None"
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _md_text(text: str) -> str:
    """Plain text as Markdown paragraphs (line breaks kept)."""
    return text.replace("\n", "  \n")


def _md_code(text: str, language: str = "") -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}{language}\n{text}\n{fence}\n"


def _display(argv: list[str] | None, manifest: str | None = None) -> str:
    """``kubectl get pods -l 'app=web x'``: how a command is shown (the library's own quoting)."""
    import shlex

    words = ["kubectl", *(shlex.quote(arg) for arg in (argv or ()))]
    return " ".join(words) + (" (with manifest)" if manifest else "")


class Decision:
    """An answer to a :class:`ConfirmationRequest` with a note: ``Decision("yes_and", "web is ours")``.

    ``choice`` is one of :data:`CONFIRM_CHOICES`. The note is folded into memory for
    ``"yes_and"`` (then the command runs) and ``"no_but"`` (it does not); other choices
    ignore it. Notes longer than the library's buffer (4095 UTF-8 bytes) are cut at a
    character boundary.
    """

    __slots__ = ("choice", "note")

    def __init__(self, choice: str, note: str | None = None) -> None:
        if not isinstance(choice, str):
            raise TypeError(f"choice must be str, not {type(choice).__name__}")
        if choice not in _CHOICE_CODES:
            raise ValueError(f"unknown choice {choice!r}; valid choices: {', '.join(CONFIRM_CHOICES)}")
        if note is not None and not isinstance(note, str):
            raise TypeError(f"note must be str or None, not {type(note).__name__}")
        self.choice = choice
        self.note = note

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return (self.choice, self.note) == (other.choice, other.note)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        note = f", {self.note!r}" if self.note is not None else ""
        return f"Decision({self.choice!r}{note})"


class ConfirmationRequest:
    """What a ``confirm`` callable is asked: may this planned command run?

    ``command`` is the command as shown to a user (``"kubectl delete pod web-1"``), ``argv``
    the kubectl arguments, ``manifest`` the YAML piped with ``-f -`` (or None),
    ``explanation`` the planner's reason, ``safety`` the :class:`SafetyAssessment` that
    asked for confirmation, ``mode`` the execution mode (``"manual"``, ``"semiauto"``,
    ``"auto"``), ``choices`` the answers allowed here and ``memory`` the current memory.
    ``raw`` holds the library's JSON.
    """

    __slots__ = ("command", "argv", "manifest", "explanation", "safety", "mode", "choices", "memory", "raw")

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.argv: list[str] = list(data.get("argv") or ())
        self.manifest: str | None = data.get("manifest")
        self.command: str = data.get("command") or _display(self.argv, self.manifest)
        self.explanation: str | None = data.get("explanation")
        self.safety = SafetyAssessment._from_dict(data.get("safety") or {"verdict": "confirm"})
        self.mode: str = data.get("mode") or "manual"
        self.choices: tuple[str, ...] = tuple(data.get("choices") or ("yes", "no"))
        self.memory: str = data.get("memory") or ""
        self.raw = data

    def __repr__(self) -> str:
        forced = " forced" if self.safety.forced else ""
        return (
            f"<ConfirmationRequest {self.command!r} {self.safety.verdict} {self.safety.verb_class}{forced} "
            f"mode={self.mode} choices={'/'.join(self.choices)}>"
        )

    def _repr_markdown_(self) -> str:
        parts = [f"**Run this command?** ({self.mode} mode)\n\n", _md_code(self.command, "sh")]
        if self.explanation:
            parts.append(f"\n{_md_text(self.explanation)}\n")
        if self.manifest:
            parts.append("\n" + _md_code(self.manifest, "yaml"))
        if self.safety.reasons:
            parts.append("\n" + _md_list(self.safety.reasons))
        parts.append(f"\nchoices: {', '.join(f'`{c}`' for c in self.choices)}\n")
        return "".join(parts)


def _confirm_answer(answer: object, request: ConfirmationRequest) -> int | tuple[int, str | None]:
    """What the C layer expects from a confirm callable's answer."""
    if isinstance(answer, bool):
        return _CHOICE_CODES["yes" if answer else "no"]
    if isinstance(answer, str):
        choice, note = answer, None
    elif isinstance(answer, Decision):
        choice, note = answer.choice, answer.note
    else:
        raise TypeError(
            "confirm must return True, False, a choice str ("
            + ", ".join(repr(c) for c in CONFIRM_CHOICES)
            + f") or a vibectl.Decision, not {type(answer).__name__}"
        )
    if choice not in request.choices or choice not in _CHOICE_CODES:
        raise ValueError(f"confirm returned {choice!r}, which is not offered here; choices: {', '.join(request.choices)}")
    return (_CHOICE_CODES[choice], note) if note is not None else _CHOICE_CODES[choice]


def _confirm_callback(confirm: Callable[[ConfirmationRequest], Any] | None) -> Callable[[str], Any] | None:
    if confirm is None:
        return None
    if not callable(confirm):
        raise TypeError(f"confirm must be callable or None, not {type(confirm).__name__}")

    def callback(request_json: str) -> int | tuple[int, str | None]:
        request = ConfirmationRequest(_load_object(request_json))
        return _confirm_answer(confirm(request), request)

    return callback


class Plan(_EqualRaw):
    """The planner's next step for a request (``client.plan()``); nothing has run.

    ``action`` is the action type: ``"COMMAND"``, ``"THOUGHT"``, ``"FEEDBACK"``, ``"WAIT"``,
    ``"ERROR"`` or ``"DONE"``. For a COMMAND, ``commands`` are the kubectl arguments that
    would run (checked and normalised by the library: verb first, without ``kubectl``),
    ``command`` is how the command is shown, ``manifest`` the YAML piped with ``-f -``
    and ``safety`` the :class:`SafetyAssessment`. ``explanation`` is the planner's reason;
    ``text`` is the THOUGHT, FEEDBACK or ERROR text. ``details`` is the action object of
    the planner contract (docs/engine.md), ``raw`` the library's whole plan JSON, which
    :meth:`Client.run` takes back.
    """

    __slots__ = (
        "action",
        "commands",
        "command",
        "explanation",
        "manifest",
        "safety",
        "verb",
        "request",
        "details",
        "metrics",
        "raw",
    )

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        action = data.get("action")
        details: dict[str, Any] = action if isinstance(action, dict) else {}
        self.details = details
        self.action: str = str(details.get("action_type") or "")
        argv = data.get("argv")
        self.commands: list[str] = list(argv if argv is not None else details.get("commands") or ())
        self.manifest: str | None = details.get("yaml_manifest")
        display = data.get("display")
        if display is None and self.action == "COMMAND":
            display = _display(self.commands, self.manifest)
        self.command: str | None = display
        self.explanation: str | None = details.get("explanation")
        safety = data.get("safety")
        self.safety: SafetyAssessment | None = SafetyAssessment._from_dict(safety) if isinstance(safety, dict) else None
        self.verb: str | None = data.get("verb")
        self.request: str | None = data.get("request")
        self.metrics: dict[str, Any] = dict(data.get("metrics") or {})
        self.raw = data

    @property
    def text(self) -> str | None:
        """The THOUGHT's text, or the FEEDBACK's or ERROR's message; None for other actions."""
        value = self.details.get("text") or self.details.get("message")
        return value if isinstance(value, str) else None

    def __repr__(self) -> str:
        if self.action == "COMMAND":
            safety = f" {self.safety.verdict} {self.safety.verb_class}" if self.safety is not None else ""
            why = f" explanation={_preview(self.explanation)}" if self.explanation else ""
            return f"<Plan COMMAND {self.command!r}{safety}{why}>"
        if self.action == "WAIT":
            return f"<Plan WAIT {self.details.get('duration_seconds')} s>"
        if self.action == "DONE":
            why = f" explanation={_preview(self.explanation)}" if self.explanation else ""
            return f"<Plan DONE exit_code={self.details.get('exit_code', 0)}{why}>"
        return f"<Plan {self.action} text={_preview(self.text)}>"

    def _repr_markdown_(self) -> str:
        if self.action == "COMMAND":
            head = "**vibectl plan** — COMMAND"
            if self.safety is not None:
                forced = ", forced" if self.safety.forced else ""
                head += f", {self.safety.verdict} ({self.safety.verb_class}{forced})"
            parts = [head + "\n\n", _md_code(self.command or "", "sh")]
            if self.explanation:
                parts.append(f"\n{_md_text(self.explanation)}\n")
            if self.manifest:
                parts.append("\n" + _md_code(self.manifest, "yaml"))
            if self.safety is not None and not self.safety.safe and self.safety.reasons:
                parts.append("\n" + _md_list(self.safety.reasons))
            return "".join(parts)
        body = self.text or self.explanation
        if self.action == "WAIT":
            body = f"wait {self.details.get('duration_seconds')} seconds"
        elif self.action == "DONE":
            body = f"done (exit code {self.details.get('exit_code', 0)})" + (
                f": {self.explanation}" if self.explanation else ""
            )
        return f"**vibectl plan** — {self.action}\n\n{_md_text(body or '')}\n"


class StepResult(_EqualRaw):
    """What one step did (``client.vibe()``, ``client.run()``).

    ``status`` is ``"completed"``, ``"failed"`` (kubectl ran, its exit code is not allowed),
    ``"done"``, ``"declined"``, ``"exited"``, ``"thought"``, ``"feedback"``, ``"waited"``,
    ``"error"`` or ``"planner_error"`` (``"needs_confirmation"`` and ``"rejected"`` are
    raised as :class:`ConfirmationRequired` and :class:`CommandRejected`). ``exit_code`` is
    the CLI's exit code (kubectl's own for completed/failed). ``summary`` (or ``recovery``
    after a failure) is the model's answer, ``summary_error`` says why there is none when
    one was wanted. ``commands`` lists the kubectl runs (dicts: ``argv``, ``display``,
    ``exit_code``, ``stdout``, ``stderr``, ``duration_ms``, ...), ``output`` is their
    stdout. ``memory`` is the memory after the step when it was updated
    (``memory_updated``), ``plan`` the :class:`Plan` executed, ``message`` a sentence on
    why the step ended this way, ``halt`` whether a loop should stop, ``metrics`` the
    model calls and times (dict). ``raw`` holds the library's JSON.
    """

    __slots__ = (
        "status",
        "exit_code",
        "message",
        "halt",
        "plan",
        "commands",
        "summary",
        "recovery",
        "summary_error",
        "memory",
        "memory_updated",
        "metrics",
        "raw",
    )

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.status: str = data.get("status") or ""
        self.exit_code: int = data.get("exit_code") or 0
        self.message: str | None = data.get("message")
        self.halt: bool = bool(data.get("halt", False))
        plan = data.get("plan")
        self.plan: Plan | None = Plan(plan) if isinstance(plan, dict) else None
        self.commands: list[dict[str, Any]] = _dicts(data.get("commands"))
        self.summary: str | None = data.get("summary")
        self.recovery: str | None = data.get("recovery")
        self.summary_error: str | None = data.get("summary_error")
        self.memory_updated, self.memory = _memory_of(data)
        self.metrics: dict[str, Any] = dict(data.get("metrics") or {})
        self.raw = data

    @property
    def ok(self) -> bool:
        """True when the step ended well: status ``"completed"`` (kubectl's exit code was allowed, e.g. 1
        for ``diff``), or exit code 0 and not declined, rejected or failed."""
        if self.status == "completed":
            return True
        return self.exit_code == 0 and self.status not in ("failed", "declined", "rejected", "error", "planner_error")

    @property
    def output(self) -> str:
        """kubectl's stdout (of every command of the step, joined); "" when nothing ran."""
        return "".join(str(c.get("stdout") or "") for c in self.commands)

    @property
    def command(self) -> str | None:
        """The command of the step as shown to a user, or None when nothing was to run (not a COMMAND)."""
        if self.plan is not None and self.plan.command is not None:
            return self.plan.command
        if self.commands:
            display = self.commands[-1].get("display")
            return display if isinstance(display, str) else _display(self.commands[-1].get("argv"))
        return None

    def __str__(self) -> str:
        for text in (self.summary, self.recovery, self.message):
            if text:
                return text
        return self.output

    def __repr__(self) -> str:
        parts = [f"<StepResult {self.status} exit_code={self.exit_code}"]
        if self.command:
            parts.append(repr(self.command))
        if self.summary is not None:
            parts.append(f"summary={_preview(self.summary)}")
        elif self.recovery is not None:
            parts.append(f"recovery={_preview(self.recovery)}")
        elif self.message:
            parts.append(f"message={_preview(self.message)}")
        if self.memory_updated:
            parts.append("memory updated")
        return " ".join(parts) + ">"

    def _repr_markdown_(self) -> str:
        parts = [f"**{self.status}** (exit code {self.exit_code})"]
        if self.command:
            parts.append(f" — `{self.command}`")
        parts.append("\n\n")
        if self.summary:
            parts.append(_md_text(self.summary) + "\n\n")
        if self.recovery:
            parts.append("**Recovery:**  \n" + _md_text(self.recovery) + "\n\n")
        if self.message and not (self.summary or self.recovery):
            parts.append(_md_text(self.message) + "\n\n")
        if self.summary_error:
            parts.append(f"*no summary: {self.summary_error}*\n\n")
        if self.memory_updated:
            parts.append("*memory updated*\n")
        return "".join(parts).rstrip("\n") + "\n"


class Summary(_EqualRaw):
    """A model's summary of command output (``client.summarize()``).

    ``summary`` is the answer (``recovery`` instead when ``failed=True`` asked for recovery
    suggestions); ``memory`` is the memory after the call when it was updated
    (``memory_updated``); ``compaction`` is what the model was sent (a
    :class:`Compaction` without its text, or None), ``metrics`` the model call (dict),
    ``raw`` the library's JSON. ``str()`` is the summary (or the recovery).
    """

    __slots__ = ("summary", "recovery", "memory", "memory_updated", "compaction", "metrics", "raw")

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.summary: str | None = data.get("summary")
        self.recovery: str | None = data.get("recovery")
        self.memory_updated, self.memory = _memory_of(data)
        compaction = data.get("compaction")
        self.compaction: Compaction | None = Compaction(compaction) if isinstance(compaction, dict) else None
        self.metrics: dict[str, Any] = dict(data.get("metrics") or {})
        self.raw = data

    def __str__(self) -> str:
        return self.summary or self.recovery or ""

    def __repr__(self) -> str:
        kind = "recovery" if self.summary is None and self.recovery is not None else "summary"
        memory = " memory updated" if self.memory_updated else ""
        return f"<Summary {kind}={_preview(str(self))}{memory}>"

    def _repr_markdown_(self) -> str:
        title = "Recovery" if self.summary is None and self.recovery is not None else "Summary"
        memory = "\n\n*memory updated*" if self.memory_updated else ""
        return f"**{title}**\n\n{_md_text(str(self)) or '*(empty)*'}{memory}\n"


class Event(_EqualRaw):
    """One event of an engine call (docs/engine.md, "Events"): ``type``, ``data``, ``seq``, ``time``.

    Passed to ``on_event`` callbacks and yielded by :meth:`Client.events`. ``event["type"]``
    and ``event.get("data")`` read the JSON object like a dict (as ``kubectl()`` and
    ``complete()`` callbacks receive it). The last event of :meth:`Client.events` has type
    ``"result"``; its ``result`` is the :class:`StepResult` (None for every other event).
    """

    __slots__ = ("type", "data", "seq", "time", "result", "raw")

    def __init__(self, raw: dict[str, Any] | None = None, result: StepResult | None = None) -> None:
        data = raw if raw is not None else {}
        self.type: str = data.get("type") or ""
        payload = data.get("data")
        self.data: dict[str, Any] = payload if isinstance(payload, dict) else {}
        self.seq: int | None = data.get("seq")
        self.time: str | None = data.get("time")
        self.result = result
        self.raw = data

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        """``event.raw.get(key, default)``."""
        return self.raw.get(key, default)

    def __repr__(self) -> str:
        if self.result is not None:
            return f"<Event result {self.result!r}>"
        data = _dumps(self.data)
        data = data if len(data) <= 80 else data[:79] + "…"
        return f"<Event #{self.seq} {self.type} {data}>"


class CheckResult(_EqualRaw):
    """The verdict of :meth:`Client.check` on a predicate about the cluster.

    ``verdict`` is ``"true"``, ``"false"``, ``"poorly_posed"`` or ``"cannot_determine"``;
    ``exit_code`` the CLI's exit code for it (0, 1, 2, 3). ``explanation`` says why, in the
    model's words (or the library's, when the check was stopped: a refused plan, the
    iteration limit). ``commands`` lists the read-only kubectl runs (dicts: ``argv``,
    ``display``, ``exit_code``, ``stdout``, ``stderr``, ...), ``iterations`` the planning
    iterations used, ``metrics`` the model calls and times (dict), ``raw`` the library's
    JSON. ``bool(result)`` is True only for a ``"true"`` verdict.
    """

    __slots__ = ("verdict", "exit_code", "explanation", "commands", "iterations", "metrics", "raw")

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.verdict: str = data.get("verdict") or "cannot_determine"
        code = data.get("exit_code")
        self.exit_code: int = code if isinstance(code, int) else 3
        self.explanation: str = data.get("explanation") or ""
        self.commands: list[dict[str, Any]] = _dicts(data.get("commands"))
        self.iterations: int = data.get("iterations") or 0
        self.metrics: dict[str, Any] = dict(data.get("metrics") or {})
        self.raw = data

    def __bool__(self) -> bool:
        return self.verdict == "true"

    def __repr__(self) -> str:
        why = f" explanation={_preview(self.explanation)}" if self.explanation else ""
        return (
            f"<CheckResult {self.verdict} exit_code={self.exit_code} iterations={self.iterations} "
            f"commands={len(self.commands)}{why}>"
        )

    def _repr_markdown_(self) -> str:
        label = self.verdict.replace("_", " ")
        parts = [f"**check: {label}** (exit code {self.exit_code})\n\n"]
        if self.explanation:
            parts.append(_md_text(self.explanation) + "\n\n")
        for record in self.commands:
            display = record.get("display") or _display(record.get("argv"))
            parts.append(f"- `{display}` (exit code {record.get('exit_code')})\n")
        return "".join(parts).rstrip("\n") + "\n"


class LoopResult(_EqualRaw):
    """How a :meth:`Client.auto` or :meth:`Client.semiauto` loop ended, and its steps.

    ``end`` is ``"done"`` (the planner said DONE), ``"halted"`` (a step halted: ERROR,
    rejected, declined, needs confirmation with nobody to ask, a failure without recovery),
    ``"exited"`` (the user chose exit in semiauto), ``"limit_reached"`` (a step, time or
    cost limit) or ``"repeating"`` (the same command gave the same result three times).
    ``exit_code`` is the CLI's: DONE's exit code, the halting step's (never 0), 0 for
    exited, 4 for limit_reached, 5 for repeating. ``message`` says why in one sentence,
    ``steps`` are the :class:`StepResult` of every step (statuses ``"needs_confirmation"``
    and ``"rejected"`` included: a loop never raises them), ``metrics`` the loop's totals
    (``steps``, ``model_calls``, ``prompt_chars``, ``cost_usd``), ``raw`` the library's JSON.
    ``bool(result)`` is True when the exit code is 0.
    """

    __slots__ = ("end", "exit_code", "message", "steps", "metrics", "raw")

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        data = raw if raw is not None else {}
        self.end: str = data.get("end") or ""
        self.exit_code: int = data.get("exit_code") or 0
        self.message: str | None = data.get("message")
        self.steps: list[StepResult] = [StepResult(step) for step in data.get("steps") or () if isinstance(step, dict)]
        self.metrics: dict[str, Any] = dict(data.get("metrics") or {})
        self.raw = data

    def __bool__(self) -> bool:
        return self.exit_code == 0

    @property
    def last(self) -> StepResult | None:
        """The last step, or None when no step ran."""
        return self.steps[-1] if self.steps else None

    def __repr__(self) -> str:
        why = f" message={_preview(self.message)}" if self.message else ""
        return f"<LoopResult {self.end} exit_code={self.exit_code} steps={len(self.steps)}{why}>"

    def _repr_markdown_(self) -> str:
        parts = [f"**loop {self.end.replace('_', ' ')}** (exit code {self.exit_code}, {len(self.steps)} steps)\n\n"]
        if self.message:
            parts.append(_md_text(self.message) + "\n\n")
        for number, step in enumerate(self.steps, 1):
            what = f" `{step.command}`" if step.command else ""
            text = step.summary or step.recovery or step.message
            tail = f": {_preview(text, 120)[1:-1]}" if text else ""
            parts.append(f"{number}. **{step.status}**{what}{tail}\n")
        return "".join(parts).rstrip("\n") + "\n"


def _engine_error(cls: type[VibectlError], message: str, hint: str | None, result: StepResult) -> VibectlError:
    error = cls(message)
    error.hint = hint
    error.result = result  # type: ignore[attr-defined]
    error.command = result.command  # type: ignore[attr-defined]
    if hint is not None and hasattr(error, "add_note"):
        error.add_note(f"hint: {hint}")
    return error


class ConfirmationRequired(VibectlError):
    """A planned command needs confirmation and no ``confirm`` callable was given: it did not run.

    ``command`` is the command, ``reasons`` why it needs confirmation, ``forced`` whether
    the safety classifier forces confirmation even in auto mode, ``result`` the
    :class:`StepResult` (status ``"needs_confirmation"``, exit code 11). Pass
    ``confirm=callable`` to decide, or ``mode="auto"`` / ``yes=True`` to run commands that
    change the cluster without asking (except forced ones).
    """

    command: str | None = None
    reasons: list[str] = []
    forced: bool = False
    result: StepResult | None = None


class CommandRejected(VibectlError):
    """The safety classifier rejected the planned command; it never runs.

    ``command`` is the command, ``reasons`` why it was rejected, ``result`` the
    :class:`StepResult` (status ``"rejected"``, exit code 12).
    """

    command: str | None = None
    reasons: list[str] = []
    result: StepResult | None = None


def _arguments_of(template: _F) -> Callable[[Callable[..., Any]], _F]:
    """Gives the decorated method the arguments of ``template``, written out there only once.

    The decorated method takes ``**options`` and passes them on; calls are checked against
    ``template``'s signature first (an unknown or missing argument is the TypeError it would
    raise), and ``inspect.signature``, ``help()`` and type checkers show ``template``'s
    arguments (``__wrapped__``). The method keeps its own name and docstring.
    """

    def decorate(method: Callable[..., Any]) -> Any:
        def checked(*args: Any, **kwargs: Any) -> Any:
            import inspect  # on the first call only: `inspect` costs milliseconds at import

            inspect.signature(template).bind(*args, **kwargs)
            return method(*args, **kwargs)

        for name in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(checked, name, getattr(method, name))
        checked.__wrapped__ = template  # type: ignore[attr-defined]
        return checked

    return decorate


def _checked_step(result: StepResult) -> StepResult:
    """The step result, or ConfirmationRequired / CommandRejected for the statuses that are errors."""
    safety = result.plan.safety if result.plan is not None else None
    reasons = list(safety.reasons) if safety is not None else []
    command = result.command or "the planned command"
    if result.status == "needs_confirmation":
        forced = bool(safety is not None and safety.forced)
        why = f" ({'; '.join(reasons)})" if reasons else ""
        if forced:
            hint = (
                "pass confirm=callable to decide (e.g. confirm=lambda request: True); the safety classifier "
                "forces confirmation for this command, so mode='auto' and yes=True do not skip it"
            )
        else:
            hint = (
                "pass confirm=callable to decide (e.g. confirm=lambda request: True), or mode='auto' or yes=True "
                "to run commands that change the cluster without asking"
            )
        error = _engine_error(ConfirmationRequired, f"{command} needs confirmation{why}; it was not run", hint, result)
        error.reasons = reasons  # type: ignore[attr-defined]
        error.forced = forced  # type: ignore[attr-defined]
        raise error
    if result.status == "rejected":
        why = "; ".join(reasons) if reasons else (result.message or "no reason given")
        error = _engine_error(
            CommandRejected,
            f"{command} was rejected by the safety classifier and never runs: {why}",
            "rephrase the request; a rejected command cannot be confirmed",
            result,
        )
        error.reasons = reasons  # type: ignore[attr-defined]
        raise error
    return result


def _interruptible() -> bool:
    """True when Ctrl-C should cancel a long call: main thread, Python's default SIGINT handler."""
    import signal
    import threading

    return threading.current_thread() is threading.main_thread() and (
        signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )


def _event_callback(
    on_event: Callable[[Event], Any] | None, on_text: Callable[[str], Any] | None
) -> Callable[[str], Any] | None:
    """The C-level event callback: Event objects to ``on_event``, summary text chunks to ``on_text``."""
    if on_event is None and on_text is None:
        return None
    for name, value in (("on_event", on_event), ("on_text", on_text)):
        if value is not None and not callable(value):
            raise TypeError(f"{name} must be callable or None, not {type(value).__name__}")

    def callback(event_json: str) -> Any:
        event = Event(_load_object(event_json))
        if on_event is not None and on_event(event) is False:
            return False
        if on_text is not None and event.type == "summary_text":
            chunk = event.data.get("text")
            if isinstance(chunk, str) and on_text(chunk) is False:
                return False
        return None

    return callback


def _put_str(options: dict[str, Any], name: str, value: Any) -> None:
    """``options[name] = value`` unless ``value`` is None; TypeError unless it is a str."""
    if value is not None:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be str or None, not {type(value).__name__}")
        options[name] = value


def _flag(name: str, value: Any) -> bool:
    """``value`` when it is a bool, else TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be bool, not {type(value).__name__}")
    return value


def _vibe_options(
    model: str | None = None,
    mode: str | None = None,
    yes: bool = False,
    freeze_memory: bool = False,
    verb: str | None = None,
    input: str | None = None,  # noqa: A002 - the option's name
    summary: bool = True,
    stream: bool = True,
    budget: int | None = None,
    timeout_seconds: float | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """The "vibe options" JSON (docs/abi.md); defaults are left out. ``extra`` keys are added as given."""
    options: dict[str, Any] = {"version": 1}
    for name, value in (("model", model), ("mode", mode), ("verb", verb), ("input", input)):
        _put_str(options, name, value)
    for name, flag, default in (
        ("yes", yes, False),
        ("freeze_memory", freeze_memory, False),
        ("summary", summary, True),
        ("stream", stream, True),
    ):
        if _flag(name, flag) != default:
            options[name] = flag
    if budget is not None:
        options["budget"] = _number("budget", budget, integer=True)
    if timeout_seconds is not None:
        options["timeout_seconds"] = _number("timeout_seconds", timeout_seconds)
    if extra:
        options.update(extra)
    return _dumps(options)


def _number(name: str, value: Any, *, integer: bool = False) -> Any:
    """``value`` when it is a number (an int when ``integer``), else TypeError; bools are refused."""
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        wanted = "int" if integer else "a number"
        raise TypeError(f"{name} must be {wanted} or None, not {type(value).__name__}")
    return value


def _plan_json(plan: Plan | dict[str, Any] | str) -> str:
    if isinstance(plan, Plan):
        return _dumps(plan.raw)
    if isinstance(plan, dict):
        return _dumps(plan)
    if isinstance(plan, str):
        return plan
    raise TypeError(f"plan must be a vibectl.Plan, a dict or a JSON str, not {type(plan).__name__}")


class VibeEvents:
    """The events of one :meth:`Client.vibe` call, as an iterator (``client.events()``).

    The call runs in a background thread; each :class:`Event` is yielded as it happens,
    in order. The last one has type ``"result"`` and carries the :class:`StepResult`
    (also in :attr:`result` once iteration ends). An error of the call (ConfirmationRequired,
    ModelError, ...) is raised by the iteration after the events that came before it.
    ``close()`` (also on leaving a ``with`` block, breaking out of a ``for`` loop that
    owns the iterator and garbage collection) cancels the call if it is still running:
    it stops the calls in progress on the client (:meth:`Client.cancel`). A ``confirm``
    callable runs on the background thread.
    """

    __slots__ = ("_client", "_call", "_queue", "_thread", "_state", "_closing", "result", "__weakref__")

    def __init__(self, client: Client, call: Callable[[Callable[[Event], Any]], StepResult]) -> None:
        import queue

        self._client = client
        self._call = call
        self._queue: Any = queue.SimpleQueue()
        self._thread: Any = None
        self._state = "new"  # new, running, finished
        self._closing = False
        #: The StepResult, once the iteration has reached the "result" event.
        self.result: StepResult | None = None

    def _work(self) -> None:
        try:
            result = self._call(self._on_event)
        except BaseException as error:  # noqa: BLE001 - handed to the iterating thread
            self._queue.put(("error", error))
        else:
            self._queue.put(("result", result))

    def _on_event(self, event: Event) -> Any:
        if self._closing:
            return False
        self._queue.put(("event", event))
        return None

    def __iter__(self) -> VibeEvents:
        return self

    def __next__(self) -> Event:
        if self._state == "finished":
            raise StopIteration
        if self._state == "new":
            import threading

            self._thread = threading.Thread(target=self._work, name="vibectl-events", daemon=True)
            self._state = "running"
            self._thread.start()
        try:
            kind, value = self._queue.get()
        except BaseException:
            self.close()  # KeyboardInterrupt while waiting: stop the call too
            raise
        if kind == "event":
            return value  # type: ignore[no-any-return]
        self._state = "finished"
        self._thread.join()
        if kind == "error":
            raise value
        self.result = value
        return Event({"version": 1, "type": "result", "data": value.raw}, result=value)

    def close(self) -> None:
        """Cancels the call if it is still running and waits (up to 30 s) for it to end."""
        if self._state != "running":
            self._state = "finished"
            return
        self._closing = True
        self._state = "finished"
        thread = self._thread
        if thread is not None and thread.is_alive():
            try:
                self._client.cancel()
            except VibectlError:
                pass  # the client was closed meanwhile
            thread.join(30)

    def __enter__(self) -> VibeEvents:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass

    def __repr__(self) -> str:
        return f"<vibectl.VibeEvents {self._state}>"


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

    def update(
        self,
        text: str,
        *,
        model: str | None = None,
        on_event: Callable[[Event], Any] | None = None,
    ) -> str:
        """Folds ``text`` into memory with one model call and returns the new memory.

        ("the staging namespace is ours"). Works while memory is frozen (an explicit
        request); the result is stored redacted. ``model`` overrides llm.model for this
        call; ``on_event(event)`` receives the :class:`Event` objects (``"metrics"``,
        ``"memory_updated"``, ...). Raises the model errors of :meth:`Client.complete`.
        """
        options: dict[str, Any] = {"version": 1}
        if model is not None:
            options["model"] = model
        callback = _event_callback(on_event, None)
        data = _load_object(self._c.memory_update(text, _dumps(options), callback, _interruptible()))
        memory = data.get("memory")
        return memory if isinstance(memory, str) else ""


class Instructions:
    """The custom instructions every prompt carries (``client.instructions``; system.custom_instructions)."""

    __slots__ = ("_c",)

    def __init__(self, c: _vibectl.Client) -> None:
        self._c = c

    def get(self) -> str | None:
        """The instructions, or None when there are none."""
        value = self.info().get("instructions")
        return value if isinstance(value, str) else None

    def info(self) -> dict[str, Any]:
        """``{"instructions": str | None, "source": "override" | "env" | "file" | "default"}``."""
        return _load_object(self._c.instructions_get())

    def set(self, text: str) -> None:
        """Sets the instructions and saves them in the config file ("" clears them)."""
        self._c.instructions_set(text)

    def clear(self) -> None:
        """Removes the instructions."""
        self._c.instructions_clear()


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

    ``client.config``, ``client.memory`` and ``client.instructions`` read and change
    settings, memory and custom instructions; :meth:`vibe`, :meth:`plan`, :meth:`run`,
    :meth:`events`, :meth:`summarize`, :meth:`run_kubectl`, :meth:`check`, :meth:`auto` and
    :meth:`semiauto` are the vibe engine; :meth:`models`,
    :meth:`check_model`, :meth:`complete` and :meth:`metrics` talk to language models;
    :meth:`kubectl` runs kubectl. A Client may be shared between
    threads (the library serialises calls on one client) and is a context manager that
    closes it.
    """

    __slots__ = ("_c", "config", "memory", "instructions", "_config_dir")

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
        self.instructions = Instructions(self._c)

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
        _put_str(options, "manifest", manifest)
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
            options["budget"] = _number("budget", budget, integer=True)
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

        return Completion._from_json(self._c.complete(_dumps(request), callback, _interruptible()))

    # --- the vibe engine ---------------------------------------------------

    def plan(
        self,
        request: str = "",
        *,
        on_event: Callable[[Event], Any] | None = None,
        model: str | None = None,
        verb: str | None = None,
        input: str | None = None,  # noqa: A002 - the option's name
        freeze_memory: bool = False,
        budget: int | None = None,
    ) -> Plan:
        """Plans the next step for ``request`` (plain English) without running anything.

        One model call (two if the first reply does not fit the planner contract). The
        prompt carries the memory, the custom instructions, the time and the kubectl
        context/namespace, redacted. ``""`` plans the next step from memory. ``verb``
        plans the arguments of one kubectl verb (``verb="get"``); ``input`` is text the
        request refers to (e.g. a file's content), redacted and compacted to ``budget``.
        ``on_event(event)`` receives each :class:`Event`. Raises ModelError (also when the
        planner's reply did not fit the contract twice), AuthenticationError,
        TransientModelError, TimeoutError, CancelledError; Ctrl-C on the main thread
        cancels the call and raises KeyboardInterrupt.
        """
        options = _vibe_options(model=model, verb=verb, input=input, freeze_memory=freeze_memory, budget=budget)
        callback = _event_callback(on_event, None)
        return Plan(_load_object(self._c.plan(request, options, callback, _interruptible())))

    def run(
        self,
        plan: Plan | dict[str, Any] | str,
        *,
        confirm: Callable[[ConfirmationRequest], Any] | None = None,
        on_event: Callable[[Event], Any] | None = None,
        on_text: Callable[[str], Any] | None = None,
        model: str | None = None,
        mode: str | None = None,
        yes: bool = False,
        freeze_memory: bool = False,
        summary: bool = True,
        stream: bool = True,
        budget: int | None = None,
        timeout_seconds: float | None = None,
    ) -> StepResult:
        """Executes a :class:`Plan` (or its JSON): safety check, confirmation, kubectl, summary and memory.

        The plan is checked again whoever made it. A command that changes the cluster asks
        ``confirm(request)`` (a :class:`ConfirmationRequest`), which returns True (run),
        False (do not run), a choice str from :data:`CONFIRM_CHOICES` or a :class:`Decision`
        with a note; anything else raises TypeError (a choice that is not offered,
        ValueError) from this call, and so does an exception ``confirm`` raises, unchanged.
        Without ``confirm`` such a command is not run and :class:`ConfirmationRequired` is
        raised, unless ``mode="auto"`` or ``yes=True`` (forced confirmations still ask). A
        command the safety classifier rejects raises :class:`CommandRejected`.

        kubectl's failure is a result (``status "failed"``, its ``exit_code``), not an
        exception. ``summary=False`` skips the summary call; ``stream`` streams it as
        ``summary_text`` events, which ``on_text(chunk)`` receives; ``on_event(event)``
        receives every :class:`Event`. ``timeout_seconds`` bounds kubectl. ``mode`` is
        ``"manual"``, ``"semiauto"`` or ``"auto"`` (default security.confirmation_mode).
        """
        options = _vibe_options(
            model=model, mode=mode, yes=yes, freeze_memory=freeze_memory, summary=summary, stream=stream,
            budget=budget, timeout_seconds=timeout_seconds,
        )
        plan_json = _plan_json(plan)
        callback = _event_callback(on_event, on_text)
        confirm_cb = _confirm_callback(confirm)
        raw = self._c.execute(plan_json, options, callback, confirm_cb, _interruptible())
        return _checked_step(StepResult(_load_object(raw)))

    def vibe(
        self,
        request: str = "",
        *,
        confirm: Callable[[ConfirmationRequest], Any] | None = None,
        on_event: Callable[[Event], Any] | None = None,
        on_text: Callable[[str], Any] | None = None,
        model: str | None = None,
        mode: str | None = None,
        yes: bool = False,
        freeze_memory: bool = False,
        verb: str | None = None,
        input: str | None = None,  # noqa: A002 - the option's name
        summary: bool = True,
        stream: bool = True,
        budget: int | None = None,
        timeout_seconds: float | None = None,
    ) -> StepResult:
        """Plans and executes one step for ``request``: :meth:`plan` then :meth:`run`.

        At most two model calls for a successful step. Arguments as :meth:`plan` and
        :meth:`run`. A planner reply that is unusable twice is a result with status
        ``"planner_error"``, not an exception. Returns the :class:`StepResult`; raises
        :class:`ConfirmationRequired` and :class:`CommandRejected` as :meth:`run` does.
        """
        options = _vibe_options(
            model=model, mode=mode, yes=yes, freeze_memory=freeze_memory, verb=verb, input=input,
            summary=summary, stream=stream, budget=budget, timeout_seconds=timeout_seconds,
        )
        callback = _event_callback(on_event, on_text)
        confirm_cb = _confirm_callback(confirm)
        raw = self._c.vibe(request, options, callback, confirm_cb, _interruptible())
        return _checked_step(StepResult(_load_object(raw)))

    def events(
        self,
        request: str = "",
        *,
        confirm: Callable[[ConfirmationRequest], Any] | None = None,
        model: str | None = None,
        mode: str | None = None,
        yes: bool = False,
        freeze_memory: bool = False,
        verb: str | None = None,
        input: str | None = None,  # noqa: A002 - the option's name
        summary: bool = True,
        stream: bool = True,
        budget: int | None = None,
        timeout_seconds: float | None = None,
    ) -> VibeEvents:
        """Runs :meth:`vibe` in a background thread and yields its :class:`Event` objects as they come.

        ``for event in client.events("why is web failing?"): ...`` — the last event has
        type ``"result"`` and its ``.result`` is the :class:`StepResult` (also
        ``iterator.result`` afterwards). Errors of the call are raised by the iteration.
        Closing the iterator early (``close()``, a ``with`` block, garbage collection)
        cancels the call. ``confirm`` runs on the background thread. The call starts on
        the first ``next()``.
        """
        options: dict[str, Any] = dict(
            confirm=confirm, model=model, mode=mode, yes=yes, freeze_memory=freeze_memory, verb=verb, input=input,
            summary=summary, stream=stream, budget=budget, timeout_seconds=timeout_seconds,
        )
        _vibe_options(**{k: v for k, v in options.items() if k != "confirm"})  # type errors now, not later
        _confirm_callback(confirm)

        def call(on_event: Callable[[Event], Any]) -> StepResult:
            return self.vibe(request, on_event=on_event, **options)

        return VibeEvents(self, call)

    def summarize(
        self,
        text: str,
        verb: str | None = "logs",
        *,
        command: str | None = None,
        request: str | None = None,
        failed: bool = False,
        on_event: Callable[[Event], Any] | None = None,
        on_text: Callable[[str], Any] | None = None,
        model: str | None = None,
        freeze_memory: bool = False,
        stream: bool = True,
        budget: int | None = None,
    ) -> Summary:
        """Summarises command output (redacted, then compacted to ``budget``) with one model call.

        ``verb`` is the kubectl verb the output came from (its focus: ``"logs"``,
        ``"get"``, ``"describe"``, ...), ``command`` the command itself
        (``"kubectl logs web-1"``), ``request`` what the user wants to know. The same call
        updates memory, unless memory is frozen or ``freeze_memory=True``. ``failed=True``
        asks for recovery suggestions instead of a summary. ``on_text(chunk)`` receives
        the summary as it streams. Returns a :class:`Summary`.
        """
        options: dict[str, Any] = {"version": 1}
        for name, value in (("verb", verb), ("command", command), ("request", request), ("model", model)):
            _put_str(options, name, value)
        for name, flag in (("failed", failed), ("freeze_memory", freeze_memory), ("stream", stream)):
            options[name] = _flag(name, flag)
        if budget is not None:
            options["budget"] = _number("budget", budget, integer=True)
        callback = _event_callback(on_event, on_text)
        return Summary(_load_object(self._c.summarize(text, _dumps(options), callback, _interruptible())))

    def run_kubectl(
        self,
        args: Iterable[str],
        *,
        stdin: str | None = None,
        allowed_exit_codes: Iterable[int] | None = None,
        request: str | None = None,
        on_event: Callable[[Event], Any] | None = None,
        on_text: Callable[[str], Any] | None = None,
        model: str | None = None,
        freeze_memory: bool = False,
        summary: bool = True,
        stream: bool = True,
        budget: int | None = None,
        timeout_seconds: float | None = None,
    ) -> StepResult:
        """Runs the user's own kubectl command, captured, then summarises it: ``vibectl get pods`` from Python.

        ``args`` go to kubectl verbatim, verb first, without ``"kubectl"`` (an argv, never a
        shell; not judged by the safety classifier: they are yours, as with kubectl itself).
        Then one model call returns the summary (or recovery suggestions after a failure)
        and the new memory, with the verb's focus. ``stdin`` is given to kubectl on its
        standard input (a manifest for ``["apply", "-f", "-"]``). ``allowed_exit_codes``
        (default ``[0]``, ``[0, 1]`` for ``diff``) decide between ``"completed"`` and
        ``"failed"``; kubectl's exit code is the result's ``exit_code`` either way, never an
        exception. ``summary=False`` runs kubectl only. Without a usable model (no key,
        provider down, ...) kubectl's output is still returned (``.output``,
        ``.commands[0]``) and ``summary_error`` says why there is no summary.

        Raises KubectlError when kubectl cannot be started, TimeoutError past
        ``timeout_seconds``, CancelledError after :meth:`cancel`; Ctrl-C on the main
        thread cancels the call and raises KeyboardInterrupt.
        """
        extra: dict[str, Any] = {}
        _put_str(extra, "stdin", stdin)
        _put_str(extra, "request", request)
        if allowed_exit_codes is not None:
            if isinstance(allowed_exit_codes, (str, bytes)):
                raise TypeError("allowed_exit_codes must be a list of int, e.g. [0, 1]")
            extra["allowed_exit_codes"] = [
                _number("allowed_exit_codes", code, integer=True) for code in allowed_exit_codes
            ]
        options = _vibe_options(
            model=model, freeze_memory=freeze_memory, summary=summary, stream=stream, budget=budget,
            timeout_seconds=timeout_seconds, extra=extra,
        )
        argv = _argv(args)
        callback = _event_callback(on_event, on_text)
        return StepResult(_load_object(self._c.run(_dumps(argv), options, callback, _interruptible())))

    def check(
        self,
        predicate: str,
        *,
        max_iterations: int | None = None,
        on_event: Callable[[Event], Any] | None = None,
        model: str | None = None,
        budget: int | None = None,
        timeout_seconds: float | None = None,
    ) -> CheckResult:
        """Evaluates a predicate about the cluster ("every deployment in shop has all replicas ready").

        Each iteration plans one step; only read-only commands run (the classifier's safe and
        read-only, no manifest): any other plan is refused, nothing runs and the verdict is
        ``"cannot_determine"``. Each command's output (redacted, compacted to ``budget``)
        goes into the next iteration's prompt. The planner's DONE carries the verdict; at
        most ``max_iterations`` iterations (1 to 100; default
        features.check_max_iterations). No summary call, memory untouched.

        Returns a :class:`CheckResult` — a ``"false"`` or ``"cannot_determine"`` verdict is a
        result, not an exception (``bool(result)`` is True only for ``"true"``). Raises the
        model errors of :meth:`plan`, KubectlError, CancelledError; Ctrl-C on the main
        thread cancels the call and raises KeyboardInterrupt.
        """
        extra: dict[str, Any] = {}
        if max_iterations is not None:
            extra["max_iterations"] = _number("max_iterations", max_iterations, integer=True)
        options = _vibe_options(model=model, budget=budget, timeout_seconds=timeout_seconds, extra=extra)
        callback = _event_callback(on_event, None)
        return CheckResult(_load_object(self._c.check(predicate, options, callback, _interruptible())))

    def auto(
        self,
        request: str = "",
        *,
        max_steps: int | None = None,
        max_seconds: float | None = None,
        max_cost: float | None = None,
        interval: float = 0,
        confirm: Callable[[ConfirmationRequest], Any] | None = None,
        on_event: Callable[[Event], Any] | None = None,
        on_text: Callable[[str], Any] | None = None,
        model: str | None = None,
        yes: bool = False,
        freeze_memory: bool = False,
        summary: bool = True,
        stream: bool = True,
        budget: int | None = None,
        timeout_seconds: float | None = None,
    ) -> LoopResult:
        """Runs vibe steps towards ``request`` in auto mode until the goal is reached or a limit stops it.

        Each step's command and compacted output go into the next planning call. Commands
        that change the cluster run without asking, except the ones the safety classifier
        forces to confirm: those ask ``confirm`` (as in :meth:`run`), and without it the
        loop halts (exit code 11). ``""`` continues from memory. Limits: ``max_steps``,
        ``max_seconds`` (wall clock), ``max_cost`` (USD, from llm.prices); ``interval``
        seconds pass between steps. ``on_event(event)`` receives every :class:`Event`
        (``step_started`` and ``loop_ended`` besides those of :meth:`vibe`).

        Returns a :class:`LoopResult`; however it ends (done, halted, limit_reached,
        repeating) is a result, not an exception — look at ``end`` and ``exit_code``. Raises
        the model errors of :meth:`plan`, CancelledError after :meth:`cancel`, and an
        exception ``confirm`` or ``on_event`` raises, unchanged; Ctrl-C on the main thread
        cancels the loop and raises KeyboardInterrupt.
        """
        return self._loop(
            "auto", request, max_steps=max_steps, max_seconds=max_seconds, max_cost=max_cost, interval=interval,
            confirm=confirm, on_event=on_event, on_text=on_text, model=model, yes=yes, freeze_memory=freeze_memory,
            summary=summary, stream=stream, budget=budget, timeout_seconds=timeout_seconds,
        )

    @_arguments_of(auto)
    def semiauto(self, request: str = "", **options: Any) -> LoopResult:
        """:meth:`auto` in semiauto mode: every step that needs confirmation asks ``confirm``.

        The :class:`ConfirmationRequest` then offers ``"exit"`` too, which ends the loop
        (end ``"exited"``, exit code 0) without running the command. Read-only steps run
        without asking. Without ``confirm`` the first command that changes the cluster is
        not run and the loop halts (end ``"halted"``, exit code 11, the last step's status
        ``"needs_confirmation"``). Arguments and result as :meth:`auto`.
        """
        return self._loop("semiauto", request, **options)

    def _loop(
        self,
        mode: str,
        request: str,
        *,
        max_steps: int | None = None,
        max_seconds: float | None = None,
        max_cost: float | None = None,
        interval: float = 0,
        confirm: Callable[[ConfirmationRequest], Any] | None = None,
        on_event: Callable[[Event], Any] | None = None,
        on_text: Callable[[str], Any] | None = None,
        **vibe_options: Any,
    ) -> LoopResult:
        """The body of :meth:`auto` and :meth:`semiauto`: ``mode`` is the confirmation mode."""
        options = _vibe_options(mode=mode, **vibe_options)
        limits: dict[str, Any] = {"version": 1}
        for name, value, integer in (
            ("max_steps", max_steps, True),
            ("max_seconds", max_seconds, False),
            ("max_cost", max_cost, False),
        ):
            if value is not None:
                limits[name] = _number(name, value, integer=integer)
        if interval is None:
            interval = 0
        if _number("interval", interval):
            limits["interval_seconds"] = interval
        callback = _event_callback(on_event, on_text)
        confirm_cb = _confirm_callback(confirm)
        raw = self._c.loop(request, options, _dumps(limits), callback, confirm_cb, _interruptible())
        return LoopResult(_load_object(raw))

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


def plan(request: str = "", **options: Any) -> Plan:
    """:meth:`Client.plan` on the default client: ``vibectl.plan("show me failing pods")``."""
    return _default().plan(request, **options)


def vibe(request: str = "", **options: Any) -> StepResult:
    """:meth:`Client.vibe` on the default client (``confirm=``, ``on_event=``, options as keywords)."""
    return _default().vibe(request, **options)


def run(plan: Plan | dict[str, Any] | str, **options: Any) -> StepResult:
    """:meth:`Client.run` on the default client."""
    return _default().run(plan, **options)


def events(request: str = "", **options: Any) -> VibeEvents:
    """:meth:`Client.events` on the default client."""
    return _default().events(request, **options)


def summarize(text: str, verb: str | None = "logs", **options: Any) -> Summary:
    """:meth:`Client.summarize` on the default client."""
    return _default().summarize(text, verb, **options)


def run_kubectl(args: Iterable[str], **options: Any) -> StepResult:
    """:meth:`Client.run_kubectl` on the default client: ``vibectl.run_kubectl(["get", "pods"])``."""
    return _default().run_kubectl(args, **options)


def check(predicate: str, **options: Any) -> CheckResult:
    """:meth:`Client.check` on the default client: ``vibectl.check("all pods in web are ready")``."""
    return _default().check(predicate, **options)


def auto(request: str = "", **options: Any) -> LoopResult:
    """:meth:`Client.auto` on the default client."""
    return _default().auto(request, **options)


def semiauto(request: str = "", **options: Any) -> LoopResult:
    """:meth:`Client.semiauto` on the default client."""
    return _default().semiauto(request, **options)
