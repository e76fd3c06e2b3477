"""Builds the vibectl Python package: the pure-Python `vibectl` package plus the private
C extension `vibectl._vibectl`, linked against libvibectl.so.

Where the pieces come from (first match wins):

* header:  $VIBECTL_INCLUDE_DIR, else <repo>/include
* library: $VIBECTL_LIB_DIR, else <repo>/.build/release, else <repo>/.build/debug;
           if none holds libvibectl.so, `swift build --product vibectl` runs in <repo>.

<repo> is the directory two levels above this file (setup.py lives in bindings/python),
or $VIBECTL_REPO_ROOT, or the path recorded in an sdist built from the repository.

The library is copied into the package under its SONAME (libvibectl.so.1) and the
extension is linked with rpath $ORIGIN, so the installed package needs neither the
repository nor LD_LIBRARY_PATH. The link-time name libvibectl.so is a symlink in the
build's temporary directory and is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
RECORDED_ROOT = "_vibectl_repo_root.txt"


class BuildError(Exception):
    """A build prerequisite is missing; the message says how to fix it."""


def _is_repo(path: Path) -> bool:
    return (path / "include" / "vibectl.h").is_file() and (path / "Package.swift").is_file()


def repo_root() -> Path | None:
    """The vibectl repository this package is built from, or None when unknown."""
    candidates = []
    env = os.environ.get("VIBECTL_REPO_ROOT")
    if env:
        candidates.append(Path(env).expanduser())
    candidates.append(HERE.parent.parent)
    recorded = HERE / RECORDED_ROOT
    if recorded.is_file():
        candidates.append(Path(recorded.read_text(encoding="utf-8").strip()))
    for candidate in candidates:
        if _is_repo(candidate):
            return candidate.resolve()
    return None


def include_dir() -> Path:
    env = os.environ.get("VIBECTL_INCLUDE_DIR")
    if env:
        path = Path(env).expanduser().resolve()
        if not (path / "vibectl.h").is_file():
            raise BuildError(f"VIBECTL_INCLUDE_DIR={env} does not contain vibectl.h")
        return path
    root = repo_root()
    if root is None:
        raise BuildError(
            "cannot find include/vibectl.h: build from a vibectl repository checkout "
            "(bindings/python), or set VIBECTL_INCLUDE_DIR and VIBECTL_LIB_DIR"
        )
    return root / "include"


def header_define(name: str) -> str:
    text = (include_dir() / "vibectl.h").read_text(encoding="utf-8")
    match = re.search(rf"^#define {name}\s+(\S+)", text, re.MULTILINE)
    if match is None:
        raise BuildError(f"vibectl.h does not define {name}")
    return match.group(1).strip('"')


def _library_in(directory: Path) -> Path | None:
    for name in ("libvibectl.so", f"libvibectl.so.{header_define('VIBECTL_ABI_VERSION')}"):
        if (directory / name).is_file():
            return directory / name
    return None


def find_library() -> Path:
    """The libvibectl.so to bundle; builds it with SwiftPM when the repository has none."""
    env = os.environ.get("VIBECTL_LIB_DIR")
    if env:
        lib = _library_in(Path(env).expanduser().resolve())
        if lib is None:
            raise BuildError(f"VIBECTL_LIB_DIR={env} does not contain libvibectl.so")
        return lib.resolve()
    root = repo_root()
    if root is None:
        raise BuildError(
            "cannot find the vibectl repository to take libvibectl.so from: "
            "set VIBECTL_LIB_DIR to the directory holding libvibectl.so"
        )
    for config in ("release", "debug"):
        lib = _library_in(root / ".build" / config)
        if lib is not None:
            return lib.resolve()
    swift = shutil.which("swift")
    if swift is None:
        raise BuildError(
            f"libvibectl.so is not built in {root}/.build and `swift` is not on PATH: "
            "install the Swift toolchain, or build the library elsewhere and set VIBECTL_LIB_DIR"
        )
    print(f"vibectl: building libvibectl with `swift build --product vibectl` in {root}", file=sys.stderr)
    subprocess.run([swift, "build", "--product", "vibectl"], cwd=root, check=True)
    lib = _library_in(root / ".build" / "debug")
    if lib is None:
        raise BuildError(f"`swift build --product vibectl` did not produce {root}/.build/debug/libvibectl.so")
    return lib.resolve()


def elf_soname(path: Path) -> str | None:
    """The DT_SONAME of a 64-bit little-endian ELF shared object, or None."""
    with path.open("rb") as f:
        header = f.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
            return None
        shoff = struct.unpack_from("<Q", header, 0x28)[0]
        shentsize, shnum = struct.unpack_from("<HH", header, 0x3A)
        sections = []
        for index in range(shnum):
            f.seek(shoff + index * shentsize)
            raw = f.read(64)
            if len(raw) < 64:
                return None
            sh_type = struct.unpack_from("<I", raw, 4)[0]
            sh_offset, sh_size = struct.unpack_from("<QQ", raw, 24)
            sh_link = struct.unpack_from("<I", raw, 40)[0]
            sections.append((sh_type, sh_offset, sh_size, sh_link))
        for sh_type, sh_offset, sh_size, sh_link in sections:
            if sh_type != 6 or sh_link >= len(sections):  # SHT_DYNAMIC
                continue
            f.seek(sh_offset)
            dynamic = f.read(sh_size)
            strtab_offset = sections[sh_link][1]
            for pos in range(0, len(dynamic) - 15, 16):
                tag, value = struct.unpack_from("<qQ", dynamic, pos)
                if tag == 0:
                    break
                if tag == 14:  # DT_SONAME
                    f.seek(strtab_offset + value)
                    name = f.read(256).split(b"\0", 1)[0]
                    return name.decode("ascii", "replace")
    return None


def _copy_atomic(source: Path, dest: Path) -> None:
    """Copies without ever truncating a library a running process may have mapped."""
    if dest.exists() and os.path.samefile(source, dest):
        return
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copy2(source, tmp)
    os.replace(tmp, dest)


class BuildExt(build_ext):
    """Links against libvibectl and puts a copy of it next to the extension."""

    def run(self) -> None:
        try:
            self._library = find_library()
            include = include_dir()
        except BuildError as error:
            raise SystemExit(f"error: {error}") from None
        self._soname = elf_soname(self._library) or "libvibectl.so"
        link_dir = Path(self.build_temp).resolve() / "vibectl-link"
        link_dir.mkdir(parents=True, exist_ok=True)
        link = link_dir / "libvibectl.so"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(self._library)
        for ext in self.extensions:
            ext.include_dirs.insert(0, str(include))
            ext.library_dirs.insert(0, str(link_dir))
            ext.depends.append(str(include / "vibectl.h"))
            ext.depends.append(str(self._library))
        super().run()
        dest = Path(self.get_ext_fullpath("vibectl._vibectl")).parent / self._soname
        dest.parent.mkdir(parents=True, exist_ok=True)
        _copy_atomic(self._library, dest)

    def _library_output(self) -> str:
        ext_dir = Path(self.get_ext_fullpath("vibectl._vibectl")).parent
        soname = getattr(self, "_soname", None) or f"libvibectl.so.{header_define('VIBECTL_ABI_VERSION')}"
        return str(ext_dir / soname)

    def get_outputs(self) -> list[str]:
        return [*super().get_outputs(), self._library_output()]

    def get_output_mapping(self) -> dict[str, str]:
        mapping = dict(super().get_output_mapping())
        library = getattr(self, "_library", None)
        if library is not None:
            mapping[self._library_output()] = str(library)
        return mapping


class Sdist(sdist):
    """Records the repository root in the sdist, so a build from it finds the library."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        root = repo_root()
        if root is not None:
            Path(base_dir, RECORDED_ROOT).write_text(str(root) + "\n", encoding="utf-8")


def package_version() -> str:
    try:
        return header_define("VIBECTL_VERSION_STRING")
    except BuildError:
        return "0.0.0"


setup(
    version=package_version(),
    ext_modules=[
        Extension(
            "vibectl._vibectl",
            sources=["src/_vibectlmodule.c"],
            libraries=["vibectl"],
            runtime_library_dirs=["$ORIGIN"],
            extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Wno-missing-field-initializers"],
        )
    ],
    cmdclass={"build_ext": BuildExt, "sdist": Sdist},
)
