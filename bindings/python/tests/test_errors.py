"""Every status maps to its exception class, raised by real calls where one can be made."""

from __future__ import annotations

import builtins
import pickle
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import vibectl
from vibectl import _vibectl

# status -> (class, builtin base or None): the one table the tests check the binding against.
TABLE: dict[int, tuple[type[vibectl.VibectlError], type[BaseException] | None]] = {
    _vibectl.VIBECTL_ERROR: (vibectl.InternalError, None),
    _vibectl.VIBECTL_EINVAL: (vibectl.InvalidArgumentError, ValueError),
    _vibectl.VIBECTL_ENOTFOUND: (vibectl.NotFoundError, KeyError),
    _vibectl.VIBECTL_ECONFIG: (vibectl.ConfigError, None),
    _vibectl.VIBECTL_EIO: (vibectl.VibectlIOError, OSError),
    _vibectl.VIBECTL_ELOCKED: (vibectl.LockedError, None),
    _vibectl.VIBECTL_ECANCELED: (vibectl.CancelledError, None),
    _vibectl.VIBECTL_EUSER: (vibectl.CallbackError, None),
    _vibectl.VIBECTL_ETIMEOUT: (vibectl.TimeoutError, builtins.TimeoutError),
    _vibectl.VIBECTL_EKUBECTL: (vibectl.KubectlError, None),
    _vibectl.VIBECTL_EMODEL: (vibectl.ModelError, None),
    _vibectl.VIBECTL_ETRANSIENT: (vibectl.TransientModelError, None),
    _vibectl.VIBECTL_EAUTH: (vibectl.AuthenticationError, None),
}


@pytest.mark.parametrize("code", sorted(TABLE, reverse=True))
def test_class_table(code: int) -> None:
    cls, builtin = TABLE[code]
    assert issubclass(cls, vibectl.VibectlError)
    assert issubclass(cls, Exception)
    if builtin is not None:
        assert issubclass(cls, builtin)
    assert cls.__module__ == "vibectl"
    assert cls.code == code
    assert cls.code_name == vibectl.status_name(code)
    assert cls.__doc__ and cls.code_name in cls.__doc__

    error = _vibectl._make_error(code, "what went wrong", "how to fix it")
    assert type(error) is cls
    assert (error.code, error.code_name, error.hint) == (code, vibectl.status_name(code), "how to fix it")
    assert str(error) == "what went wrong"
    clone = pickle.loads(pickle.dumps(error))
    assert (type(clone), str(clone), clone.code, clone.hint) == (cls, "what went wrong", code, "how to fix it")


def test_exceptions_are_exported_from_the_package() -> None:
    for cls, _ in TABLE.values():
        assert getattr(vibectl, cls.__name__) is cls
    assert vibectl.VibectlError is _vibectl.VibectlError
    assert vibectl.TimeoutError is not builtins.TimeoutError


def test_not_found_error_str_is_the_message_without_quotes() -> None:
    error = _vibectl._make_error(_vibectl.VIBECTL_ENOTFOUND, "unknown key 'llm.modle'")
    assert str(error) == "unknown key 'llm.modle'"
    assert error.hint is None


def test_io_error_keeps_oserror_semantics() -> None:
    error = _vibectl._make_error(_vibectl.VIBECTL_EIO, "cannot write /x")
    assert isinstance(error, OSError)
    assert error.errno is None and str(error) == "cannot write /x"


def test_hint_is_shown_as_a_note(client: vibectl.Client) -> None:
    with pytest.raises(vibectl.NotFoundError) as caught:
        client.config.get("llm.modle")
    if caught.value.hint is not None:
        assert f"hint: {caught.value.hint}" in getattr(caught.value, "__notes__", [])


# ---------------------------------------------------------------------------
# Real calls, one per status the library can be driven into from Python.
# ---------------------------------------------------------------------------


def _unknown_key(client: vibectl.Client, tmp: Path) -> None:
    client.config.get("llm.modle")


def _unknown_section(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("nosuchsection.key", "x")


def _bad_enum(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("display.theme", "purple")


def _bad_bool(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("display.show_vibe", "maybe")


def _out_of_range(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("memory.max_chars", 0)


def _wrong_json_type(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("memory.max_chars", "many")


def _malformed_json(client: vibectl.Client, tmp: Path) -> None:
    client._c.config_set_json("llm.model", "{not json")


def _surrogate_value(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("llm.model", "bad \ud800 text")


def _surrogate_key(client: vibectl.Client, tmp: Path) -> None:
    client.config.get("llm.\udcff")


def _surrogate_memory(client: vibectl.Client, tmp: Path) -> None:
    client.memory.set("\ud83d")


def _nul_in_value(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("llm.model", "a\0b")


def _corrupt_config(client: vibectl.Client, tmp: Path) -> None:
    path = Path(client.config.info()["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("llm:\n  model: [unclosed\n", encoding="utf-8")
    client.config.get("llm.model")


def _config_dir_is_a_file(client: vibectl.Client, tmp: Path) -> None:
    not_a_dir = tmp / "plain-file"
    not_a_dir.write_text("")
    with vibectl.Client(not_a_dir) as other:
        other.config.set("llm.model", "x")


def _missing_kubectl(client: vibectl.Client, tmp: Path) -> None:
    client.config.set("core.kubectl_command", str(tmp / "no-such-kubectl"))
    client.kubectl(["version", "--client"])


def _callback_stops(client: vibectl.Client, tmp: Path) -> None:
    script = tmp / "kubectl-ok"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    client.config.set("core.kubectl_command", str(script))
    client.kubectl(["version"], on_event=lambda event: False)


def _cancelled(client: vibectl.Client, tmp: Path) -> None:
    script = tmp / "kubectl-slow"
    script.write_text("#!/bin/sh\nexec sleep 30\n")
    script.chmod(0o755)
    client.config.set("core.kubectl_command", str(script))
    started = threading.Event()
    done = threading.Event()

    def canceller() -> None:
        started.wait(10)
        while not done.is_set():
            client.cancel()
            done.wait(0.05)

    thread = threading.Thread(target=canceller)
    thread.start()
    try:
        client.kubectl(["get", "pods"], on_event=lambda event: started.set())
    finally:
        done.set()
        thread.join()


REAL_CALLS: list[tuple[str, Callable[[vibectl.Client, Path], None], int]] = [
    ("unknown key", _unknown_key, _vibectl.VIBECTL_ENOTFOUND),
    ("unknown section", _unknown_section, _vibectl.VIBECTL_ENOTFOUND),
    ("bad enum", _bad_enum, _vibectl.VIBECTL_EINVAL),
    ("bad bool", _bad_bool, _vibectl.VIBECTL_EINVAL),
    ("out of range", _out_of_range, _vibectl.VIBECTL_EINVAL),
    ("text for an int", _wrong_json_type, _vibectl.VIBECTL_EINVAL),
    ("malformed JSON", _malformed_json, _vibectl.VIBECTL_EINVAL),
    ("surrogate in a value", _surrogate_value, _vibectl.VIBECTL_EINVAL),
    ("surrogate in a key", _surrogate_key, _vibectl.VIBECTL_EINVAL),
    ("surrogate in memory", _surrogate_memory, _vibectl.VIBECTL_EINVAL),
    ("NUL in a value", _nul_in_value, _vibectl.VIBECTL_EINVAL),
    ("corrupt config file", _corrupt_config, _vibectl.VIBECTL_ECONFIG),
    ("config dir is a file", _config_dir_is_a_file, _vibectl.VIBECTL_EIO),
    ("missing kubectl", _missing_kubectl, _vibectl.VIBECTL_EKUBECTL),
    ("callback returns False", _callback_stops, _vibectl.VIBECTL_EUSER),
    ("cancel from a thread", _cancelled, _vibectl.VIBECTL_ECANCELED),
]


@pytest.mark.parametrize(("call", "code"), [(c, code) for _, c, code in REAL_CALLS], ids=[n for n, _, _ in REAL_CALLS])
def test_real_call_raises_the_class_of_its_status(
    client: vibectl.Client, tmp_path: Path, call: Callable[[vibectl.Client, Path], None], code: int
) -> None:
    cls, builtin = TABLE[code]
    started = time.monotonic()
    with pytest.raises(cls) as caught:
        call(client, tmp_path)
    error = caught.value
    assert type(error) is cls
    assert isinstance(error, vibectl.VibectlError)
    if builtin is not None:
        assert isinstance(error, builtin)
    assert error.code == code
    assert error.code_name == vibectl.status_name(code)
    assert str(error).strip(), "the message must say what went wrong"
    assert error.hint is None or isinstance(error.hint, str)
    assert time.monotonic() - started < 10


def test_a_held_lock_raises_locked_error_without_holding_the_gil(client: vibectl.Client) -> None:
    """Another holder of the config lock: LockedError after the library's timeout (10 s)."""
    import fcntl

    client.config.set("llm.model", "first")
    client_dir = Path(client.config.info()["path"]).parent
    locks = sorted(client_dir.glob(".config*.lock"))
    if not locks:
        pytest.skip("the library keeps no config lock file beside config.yaml")
    ticks = 0
    stop = threading.Event()

    def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.01)

    with open(locks[0], "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        thread = threading.Thread(target=ticker)
        thread.start()
        try:
            with pytest.raises(vibectl.LockedError) as caught:
                client.config.set("llm.model", "second")
        finally:
            stop.set()
            thread.join()
            fcntl.flock(held, fcntl.LOCK_UN)
    assert caught.value.code == _vibectl.VIBECTL_ELOCKED
    assert caught.value.code_name == vibectl.status_name(_vibectl.VIBECTL_ELOCKED)
    assert str(locks[0]) in str(caught.value)
    assert ticks > 100
    assert client.config.get("llm.model") == "first"


def test_unknown_key_message_suggests_the_nearest(client: vibectl.Client) -> None:
    with pytest.raises(KeyError) as caught:
        client.config.get("llm.modle")
    assert "llm.model" in str(caught.value) + (caught.value.hint or "")  # type: ignore[attr-defined]


def test_bad_enum_message_lists_the_valid_values(client: vibectl.Client) -> None:
    with pytest.raises(ValueError) as caught:
        client.config.set("display.theme", "purple")
    assert all(name in str(caught.value) for name in ("default", "dark", "light", "accessible"))


def test_corrupt_file_is_named_and_left_untouched(client: vibectl.Client) -> None:
    path = Path(client.config.info()["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("llm:\n  model: [unclosed\n", encoding="utf-8")
    with pytest.raises(vibectl.ConfigError) as caught:
        client.config.set("llm.model", "x")
    assert str(path) in str(caught.value)
    assert path.read_text(encoding="utf-8") == "llm:\n  model: [unclosed\n"


def test_surrogate_error_chains_the_unicode_error(client: vibectl.Client) -> None:
    with pytest.raises(vibectl.InvalidArgumentError) as caught:
        client.config.set("llm.model", "\udc80")
    assert isinstance(caught.value.__cause__, UnicodeEncodeError)


def test_a_raising_callback_re_raises_the_same_exception_object(
    client: vibectl.Client, fake_kubectl: Callable[[str], Path]
) -> None:
    fake_kubectl("exit 0")
    raised: list[BaseException] = []

    class Boom(Exception):
        pass

    def on_event(event: dict[str, Any]) -> None:
        error = Boom("from the callback")
        raised.append(error)
        raise error

    with pytest.raises(Boom) as caught:
        client.kubectl(["version"], on_event=on_event)
    assert len(raised) == 1, "after raising, the callback is not called again"
    assert caught.value is raised[0]
    assert not isinstance(caught.value, vibectl.VibectlError)
    assert caught.value.__traceback__ is not None
    frames = []
    tb = caught.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "on_event" in frames, "the callback's own frame stays in the traceback"


def test_a_callback_raising_keyboard_interrupt_propagates_it(
    client: vibectl.Client, fake_kubectl: Callable[[str], Path]
) -> None:
    fake_kubectl("exit 0")

    def on_event(event: dict[str, Any]) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.kubectl(["version"], on_event=on_event)


def test_the_client_still_works_after_errors(client: vibectl.Client) -> None:
    for call in (_unknown_key, _bad_enum, _surrogate_value):
        with pytest.raises(vibectl.VibectlError):
            call(client, Path("/nonexistent"))
    client.config.set("llm.model", "still-fine")
    assert client.config.get("llm.model") == "still-fine"
