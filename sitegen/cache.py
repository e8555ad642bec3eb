"""The build cache: a manifest of input fingerprints per output folder, so a rebuild in
which nothing changed answers at once instead of building the same bytes again.

It lives in `SITE_DIR/.sitegen-cache/`, which is safe to delete at any time. A manifest is
trusted only when it is well formed, was written by this very sitegen (the version and a
hash of its own code and bundled files are part of the fingerprint), and the output folder
still holds exactly the files it lists, with the sizes and modification times it recorded;
anything else (a corrupt, foreign or stale entry, an edited output) means a full build.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.diagnostics import Diagnostic, Diagnostics
from sitegen.options import BuildOptions, build_date

CACHE_DIR = ".sitegen-cache"
# Everything a build reads below the site folder. A new kind of input must be added here,
# or a rebuild after editing it would be answered from the cache.
INPUTS = ("site.yaml", "site.yml", "rates", "content", "templates", "figures")
LIBRARIES = ("Jinja2", "MarkupSafe", "Markdown", "PyYAML", "pydantic", "pydantic-core")
_CODE = Path(__file__).resolve().parent


def _files(base: Path) -> Iterator[Path]:
    """Every file below `base` (or `base` itself), sorted, without following folder links."""
    if base.is_file():
        yield base
        return
    for folder, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            yield Path(folder) / name


def _digest(path: Path, into: Any) -> None:
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            into.update(block)


def _installed(name: str) -> str:
    """The installed version of a library whose upgrade may change the output."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def fingerprint(options: BuildOptions) -> str | None:
    """A hash of everything a build reads: the input files (names and bytes), the build
    settings (and today's date, which warnings use), sitegen's own code and the versions of
    the libraries that shape the output. None when a
    file cannot be read (then no shortcut: the full build reports the problem)."""
    root = options.root
    settings = [__version__, options.base_url, options.strict, build_date().isoformat(),
                [_installed(name) for name in LIBRARIES]]
    total = hashlib.sha256(json.dumps(settings).encode())
    try:
        for path in _files(_CODE):  # code and bundled data (message catalogs, notices)
            if "__pycache__" not in path.parts and path.suffix not in (".pyc", ".mo"):
                total.update(path.relative_to(_CODE).as_posix().encode() + b"\0")
                _digest(path, total)
        for name in INPUTS:
            for path in _files(root / name):
                total.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
                _digest(path, total)
    except OSError:
        return None
    return total.hexdigest()


def _manifest_path(root: Path, out: Path) -> Path:
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return root / CACHE_DIR / f"build-{key}.json"


def _stats(out: Path) -> dict[str, list[int]]:
    """Output path -> [size, modification time] of every file in `out`."""
    found = {}
    for path in _files(out):
        info = path.stat()
        found[path.relative_to(out).as_posix()] = [info.st_size, info.st_mtime_ns]
    return found


class OutputFiles(Mapping[str, bytes]):
    """The files of a build answered from the cache: names known, bytes read on demand."""

    def __init__(self, out: Path, names: list[str]) -> None:
        self._out, self._names, self._known = out, names, frozenset(names)

    def __getitem__(self, name: str) -> bytes:
        if name not in self._known:
            raise KeyError(name)
        return (self._out / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass(frozen=True)
class Answer:
    """A build answered from the cache: the last build's warnings and files."""

    diagnostics: Diagnostics
    files: OutputFiles
    clinics: int
    cached: bool = True


def answer(options: BuildOptions, print_: str | None) -> Answer | None:
    """The last build's result when it had this fingerprint and the output folder still
    holds what it wrote; None means: build."""
    out = options.output
    if print_ is None or not out.is_dir():
        return None
    try:
        manifest = json.loads(_manifest_path(options.root, out).read_text("utf-8"))
        if manifest["fingerprint"] != print_ or manifest["files"] != _stats(out):
            return None
        return Answer(Diagnostics([Diagnostic(*item) for item in manifest["diagnostics"]]),
                      OutputFiles(out, [str(name) for name in manifest["outputs"]]),
                      int(manifest["clinics"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(options: BuildOptions, print_: str | None, diagnostics: list[Diagnostic],
             outputs: list[str], clinics: int) -> None:
    """Record a successful build (best effort: a cache that cannot be written only makes
    the next build slower)."""
    if print_ is None:
        return
    out = options.output
    target = _manifest_path(options.root, out)
    try:
        target.parent.mkdir(exist_ok=True)
        (target.parent / ".gitignore").write_text("*\n")
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps({
            "fingerprint": print_, "files": _stats(out), "outputs": outputs, "clinics": clinics,
            "diagnostics": [[d.path, d.line, d.col, d.severity, d.message, d.hint]
                            for d in diagnostics]}), "utf-8")
        temporary.replace(target)
    except OSError:
        pass
