"""vibectl/_vibectl.pyi matches the built extension; the package ships py.typed."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import vibectl
from vibectl import _vibectl

PACKAGE_DIR = Path(vibectl.__file__).parent
STUB = PACKAGE_DIR / "_vibectl.pyi"
MODULE_DUNDERS = {"__doc__", "__file__", "__loader__", "__name__", "__package__", "__spec__"}


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def _stub_module_names() -> set[str]:
    names: set[str] = set()
    for node in _stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _stub_class(name: str) -> ast.ClassDef:
    for node in _stub_tree().body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AssertionError(f"{name} missing from {STUB}")


def test_package_ships_stubs_and_py_typed() -> None:
    assert STUB.is_file()
    assert (PACKAGE_DIR / "py.typed").is_file()


def test_stub_names_match_the_module() -> None:
    runtime = {name for name in dir(_vibectl) if name not in MODULE_DUNDERS}
    assert _stub_module_names() == runtime


def test_stub_client_methods_match() -> None:
    stub_members = {
        node.name for node in _stub_class("Client").body if isinstance(node, ast.FunctionDef) and node.name != "__new__"
    }
    runtime = {name for name in vars(_vibectl.Client) if not name.startswith("__")}
    assert stub_members == runtime


def test_stub_signatures_match_the_text_signatures() -> None:
    def params(fn: ast.FunctionDef) -> list[str]:
        names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        return [n for n in names if n not in ("self", "cls")]

    for node in _stub_tree().body:
        if isinstance(node, ast.FunctionDef):
            signature = inspect.signature(getattr(_vibectl, node.name))
            assert params(node) == list(signature.parameters), node.name
    for node in _stub_class("Client").body:
        is_property = isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list
        )
        if isinstance(node, ast.FunctionDef) and node.name != "__new__" and not is_property:
            signature = inspect.signature(getattr(_vibectl.Client, node.name))
            assert params(node) == [p for p in signature.parameters if p != "self"], node.name


def test_stub_exception_bases_match() -> None:
    for node in _stub_tree().body:
        if isinstance(node, ast.ClassDef) and node.name != "Client":
            runtime = getattr(_vibectl, node.name)
            stub_bases = [ast.unparse(base).removeprefix("builtins.") for base in node.bases]
            assert [base.__name__ for base in runtime.__bases__] == stub_bases, node.name


def test_mypy_stubtest(tmp_path: Path) -> None:
    pytest.importorskip("mypy.stubtest")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "vibectl._vibectl", "--ignore-missing-stub"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
