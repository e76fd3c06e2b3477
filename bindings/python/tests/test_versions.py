"""Versions, the ABI check at import, status names and constants."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import vibectl
from vibectl import _vibectl

STATUS_CONSTANTS = {
    "VIBECTL_OK": 0,
    "VIBECTL_ERROR": -1,
    "VIBECTL_EINVAL": -2,
    "VIBECTL_ENOTFOUND": -3,
    "VIBECTL_ECONFIG": -4,
    "VIBECTL_EIO": -5,
    "VIBECTL_ELOCKED": -6,
    "VIBECTL_ECANCELED": -7,
    "VIBECTL_EUSER": -8,
    "VIBECTL_ETIMEOUT": -9,
    "VIBECTL_EKUBECTL": -10,
    "VIBECTL_EMODEL": -11,
    "VIBECTL_ETRANSIENT": -12,
    "VIBECTL_EAUTH": -13,
}


def test_version_comes_from_the_library() -> None:
    assert vibectl.__version__ == vibectl.version_string() == _vibectl.HEADER_VERSION
    major, minor, patch = (int(part) for part in vibectl.__version__.split("."))
    assert vibectl.version_number() == major * 10000 + minor * 100 + patch


def test_abi_version_matches_the_header_the_extension_was_built_with() -> None:
    assert vibectl.abi_version() == _vibectl.HEADER_ABI_VERSION == 1


def test_the_bundled_library_is_the_one_loaded() -> None:
    package_dir = Path(vibectl.__file__).parent
    assert (package_dir / f"libvibectl.so.{vibectl.abi_version()}").is_file()
    maps = Path("/proc/self/maps")
    if maps.exists():
        loaded = {line.split()[-1] for line in maps.read_text().splitlines() if "libvibectl" in line}
        assert loaded == {str((package_dir / "libvibectl.so.1").resolve())}


@pytest.mark.parametrize(("name", "value"), sorted(STATUS_CONSTANTS.items(), key=lambda kv: -kv[1]))
def test_status_constants_and_names(name: str, value: int) -> None:
    assert getattr(_vibectl, name) == value
    assert vibectl.status_name(value) == name


@pytest.mark.parametrize("code", [1, -14, 12345, -(2**31), 2**31, 2**80])
def test_unknown_status_name(code: int) -> None:
    assert vibectl.status_name(code) == "VIBECTL_UNKNOWN"


def test_status_name_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        vibectl.status_name("VIBECTL_OK")  # type: ignore[arg-type]


STUB_LIBRARY = r"""
#include <stddef.h>
#include "vibectl.h"
static const vibectl_error no_error = {0, "", NULL};
const char *vibectl_version_string(void) { return "9.9.9"; }
int vibectl_version_number(void) { return 90909; }
int vibectl_abi_version(void) { return VIBECTL_ABI_VERSION + 1; }
const char *vibectl_status_name(int status) { (void)status; return "VIBECTL_UNKNOWN"; }
const vibectl_error *vibectl_error_last(void) { return &no_error; }
void vibectl_error_clear(void) {}
void vibectl_string_free(char *s) { (void)s; }
int vibectl_config_schema(char **out) { (void)out; return -1; }
int vibectl_client_new(vibectl_client **out, const char *o) { (void)out; (void)o; return -1; }
void vibectl_client_free(vibectl_client *c) { (void)c; }
int vibectl_client_cancel(vibectl_client *c) { (void)c; return -1; }
int vibectl_config_get(vibectl_client *c, const char *k, char **o) { (void)c; (void)k; (void)o; return -1; }
int vibectl_config_set(vibectl_client *c, const char *k, const char *v) { (void)c; (void)k; (void)v; return -1; }
int vibectl_config_set_json(vibectl_client *c, const char *k, const char *v) { (void)c; (void)k; (void)v; return -1; }
int vibectl_config_unset(vibectl_client *c, const char *k) { (void)c; (void)k; return -1; }
int vibectl_config_show(vibectl_client *c, const char *s, char **o) { (void)c; (void)s; (void)o; return -1; }
int vibectl_config_info(vibectl_client *c, char **o) { (void)c; (void)o; return -1; }
int vibectl_memory_get(vibectl_client *c, char **o) { (void)c; (void)o; return -1; }
int vibectl_memory_set(vibectl_client *c, const char *t, char **o) { (void)c; (void)t; (void)o; return -1; }
int vibectl_memory_clear(vibectl_client *c) { (void)c; return -1; }
int vibectl_memory_freeze(vibectl_client *c) { (void)c; return -1; }
int vibectl_memory_unfreeze(vibectl_client *c) { (void)c; return -1; }
int vibectl_memory_status(vibectl_client *c, char **o) { (void)c; (void)o; return -1; }
int vibectl_kubectl_passthrough(vibectl_client *c, const char *a, vibectl_event_cb cb, void *u, int *x)
{ (void)c; (void)a; (void)cb; (void)u; (void)x; return -1; }
int vibectl_models_list(vibectl_client *c, char **o) { (void)c; (void)o; return -1; }
int vibectl_model_check(vibectl_client *c, const char *m, char **o) { (void)c; (void)m; (void)o; return -1; }
int vibectl_complete(vibectl_client *c, const char *r, vibectl_event_cb cb, void *u, char **o)
{ (void)c; (void)r; (void)cb; (void)u; (void)o; return -1; }
int vibectl_client_metrics(vibectl_client *c, char **o) { (void)c; (void)o; return -1; }
int vibectl_classify(vibectl_client *c, const char *a, const char *p, char **o)
{ (void)c; (void)a; (void)p; (void)o; return -1; }
int vibectl_compact(vibectl_client *c, const char *t, const char *p, char **o)
{ (void)c; (void)t; (void)p; (void)o; return -1; }
int vibectl_redact(vibectl_client *c, const char *t, char **o) { (void)c; (void)t; (void)o; return -1; }
int vibectl_plan(vibectl_client *c, const char *r, const char *p, vibectl_event_cb cb, void *u, char **o)
{ (void)c; (void)r; (void)p; (void)cb; (void)u; (void)o; return -1; }
int vibectl_execute(vibectl_client *c, const char *r, const char *p, vibectl_event_cb cb, void *u,
                    vibectl_confirm_cb k, void *d, char **o)
{ (void)c; (void)r; (void)p; (void)cb; (void)u; (void)k; (void)d; (void)o; return -1; }
int vibectl_vibe(vibectl_client *c, const char *r, const char *p, vibectl_event_cb cb, void *u,
                 vibectl_confirm_cb k, void *d, char **o)
{ (void)c; (void)r; (void)p; (void)cb; (void)u; (void)k; (void)d; (void)o; return -1; }
int vibectl_summarize(vibectl_client *c, const char *t, const char *p, vibectl_event_cb cb, void *u, char **o)
{ (void)c; (void)t; (void)p; (void)cb; (void)u; (void)o; return -1; }
int vibectl_memory_update(vibectl_client *c, const char *t, const char *p, vibectl_event_cb cb, void *u, char **o)
{ (void)c; (void)t; (void)p; (void)cb; (void)u; (void)o; return -1; }
int vibectl_instructions_get(vibectl_client *c, char **o) { (void)c; (void)o; return -1; }
int vibectl_instructions_set(vibectl_client *c, const char *t) { (void)c; (void)t; return -1; }
int vibectl_instructions_clear(vibectl_client *c) { (void)c; return -1; }
int vibectl_run(vibectl_client *c, const char *a, const char *p, vibectl_event_cb cb, void *u, char **o)
{ (void)c; (void)a; (void)p; (void)cb; (void)u; (void)o; return -1; }
int vibectl_loop(vibectl_client *c, const char *r, const char *p, const char *l, vibectl_event_cb cb, void *u,
                 vibectl_confirm_cb k, void *d, char **o)
{ (void)c; (void)r; (void)p; (void)l; (void)cb; (void)u; (void)k; (void)d; (void)o; return -1; }
int vibectl_check(vibectl_client *c, const char *r, const char *p, vibectl_event_cb cb, void *u, char **o)
{ (void)c; (void)r; (void)p; (void)cb; (void)u; (void)o; return -1; }
"""


def _header_dir() -> Path | None:
    for candidate in (os.environ.get("VIBECTL_INCLUDE_DIR"), Path(__file__).resolve().parents[3] / "include"):
        if candidate and (Path(candidate) / "vibectl.h").is_file():
            return Path(candidate)
    return None


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build a stub library")
def test_import_refuses_a_library_with_another_abi(tmp_path: Path) -> None:
    header_dir = _header_dir()
    if header_dir is None:
        pytest.skip("include/vibectl.h not found (run the tests from a vibectl checkout)")
    package = tmp_path / "vibectl"
    package.mkdir()
    extension = Path(_vibectl.__file__)
    shutil.copy2(extension, package / extension.name)
    (package / "__init__.py").write_text("")
    source = tmp_path / "stub.c"
    source.write_text(STUB_LIBRARY)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", f"-I{header_dir}", "-Wl,-soname,libvibectl.so.1",
         "-o", str(package / "libvibectl.so.1"), str(source)],
        check=True,
    )
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        try:
            import vibectl._vibectl
        except ImportError as error:
            print("ImportError:", error)
        else:
            print("imported")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("ImportError:"), result.stdout + result.stderr
    assert "ABI 1" in result.stdout and "ABI 2" in result.stdout and "9.9.9" in result.stdout


def test_import_is_light(tmp_path: Path) -> None:
    """`import vibectl` loads no subprocess, json, typing or dataclasses machinery."""
    script = (
        "import sys; before = set(sys.modules); import vibectl; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    added = set(result.stdout.split())
    assert {"vibectl", "vibectl._vibectl"} <= added
    assert not added & {"subprocess", "json", "typing", "dataclasses", "inspect", "asyncio", "threading"}
