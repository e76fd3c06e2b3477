"""vibectl: kubectl with plain-English intent, LLM summaries and a memory, from Python.

This package is the Python binding of libvibectl (include/vibectl.h). Everything goes
through the C library, so a Python script sees exactly what the `vibectl` command sees::

    import vibectl

    with vibectl.Client(config_dir="/tmp/vibectl-demo", llm_model="claude-4-sonnet") as client:
        client.config.set("memory.max_chars", 800)
        client.memory.set("namespace demo holds the checkout service")
        print(client.config.get("llm.model"), client.memory.status())

Errors are raised as subclasses of :class:`VibectlError`, one per library status
(``NotFoundError`` for an unknown key, ``InvalidArgumentError`` for a bad value, ...),
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
    "Config",
    "ConfigError",
    "InternalError",
    "InvalidArgumentError",
    "KubectlError",
    "LockedError",
    "Memory",
    "MemoryStatus",
    "ModelError",
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

    A Client may be shared between threads (the library serialises calls on one
    client) and is a context manager that closes it.
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
