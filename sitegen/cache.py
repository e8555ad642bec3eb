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
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.diagnostics import Diagnostic, Diagnostics
from sitegen.options import BuildOptions, build_date
from sitegen.yamlsrc import Positions, YamlDoc

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


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of sitegen's own code and bundled files (message catalogs, notices) and the
    versions of the libraries that shape the output: a cache entry made by any other
    sitegen is foreign."""
    total = hashlib.sha256(json.dumps([__version__, [_installed(name) for name in LIBRARIES]])
                           .encode())
    for path in _files(_CODE):
        if "__pycache__" not in path.parts and path.suffix not in (".pyc", ".mo"):
            total.update(path.relative_to(_CODE).as_posix().encode() + b"\0")
            _digest(path, total)
    return total.hexdigest()


def fingerprint(options: BuildOptions) -> str | None:
    """A hash of everything a build reads: the input files (names and bytes), the build
    settings (and today's date, which warnings use), sitegen's own code and the versions of
    the libraries that shape the output. None when a
    file cannot be read (then no shortcut: the full build reports the problem)."""
    root = options.root
    settings = [code_fingerprint(), options.base_url, options.strict, build_date().isoformat(),
                options.shard]
    total = hashlib.sha256(json.dumps(settings).encode())
    try:
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
    """Output path -> [size, modification time] of every file in `out` (the files `_files`
    lists: folder links are not followed). Plain strings and `os.scandir`, not `Path`: a
    no-change rebuild is mostly this walk over thousands of files."""
    found: dict[str, list[int]] = {}

    def walk(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:  # as os.walk: a folder that cannot be listed has no files
            return
        for entry in entries:
            if entry.is_dir():
                if not entry.is_symlink():
                    walk(entry.path, f"{prefix}{entry.name}/")
                continue
            info = entry.stat()
            found[prefix + entry.name] = [info.st_size, info.st_mtime_ns]

    if out.is_file():
        info = out.stat()
        return {".": [info.st_size, info.st_mtime_ns]}
    walk(os.fspath(out), "")
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
             outputs: list[str], clinics: int, hashes: Mapping[str, str] | None = None,
             keys: Mapping[str, tuple[str, list[str], list[list]]] | None = None) -> None:
    """Record a successful build (best effort: a cache that cannot be written only makes
    the next build slower): its fingerprint for a no-change rebuild, and the hash of every
    output and each clinic's key and outputs for carrying unchanged clinics over."""
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
            "code": code_fingerprint(), "hashes": dict(hashes or {}),
            "keys": {slug: list(record) for slug, record in (keys or {}).items()},
            "diagnostics": [[d.path, d.line, d.col, d.severity, d.message, d.hint]
                            for d in diagnostics]}), "utf-8")
        temporary.replace(target)
    except OSError:
        pass


# Parsed YAML documents, one entry per input file content: an edited fee schedule is parsed
# again, the others are read back from JSON (about 30x faster than parsing YAML with
# positions). An entry holds only what the parser would give again (the data and the
# line/column maps of a file that had no problem); the schema and every cross-file rule
# still run on it each build, so an entry can make a build faster but never different.

def _encode(value: Any) -> Any:
    """Tagged JSON: a mapping key can never be mistaken for a Decimal or a date."""
    if value is None or type(value) in (str, bool, int):
        return value
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if type(value) is date:
        return ["t", value.isoformat()]
    if isinstance(value, list):
        return ["l", [_encode(item) for item in value]]
    if isinstance(value, dict) and all(type(key) is str for key in value):
        return ["m", {key: _encode(item) for key, item in value.items()}]
    raise TypeError(type(value).__name__)  # anything else is not cached


def _decode(value: Any) -> Any:
    if not isinstance(value, list):
        if value is None or type(value) in (str, bool, int):
            return value
        raise ValueError("not an encoded value")
    tag, body = value
    if tag == "d":
        return Decimal(body)
    if tag == "t":
        return date.fromisoformat(body)
    if tag == "l":
        return [_decode(item) for item in body]
    if tag == "m":
        return {str(key): _decode(item) for key, item in body.items()}
    raise ValueError(f"unknown tag {tag!r}")


def _places(found: Mapping[tuple, tuple[int, int]]) -> list:
    return [[list(loc), line, col] for loc, (line, col) in found.items()]


def _unplaces(rows: list) -> dict[tuple, tuple[int, int]]:
    return {tuple(loc): (int(line), int(col)) for loc, line, col in rows}


class DocCache:
    """Parsed documents of one site, in SITE_DIR/.sitegen-cache/docs/, keyed by a hash of
    the file's bytes and of this sitegen (code_fingerprint). A corrupt or foreign entry is
    ignored (and replaced); the cache is best effort and never needed."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR / "docs"
        self.used: set[str] = set()
        # New entries wait in a private temporary folder, not in memory (they hold every
        # position of every file: about 0.2 MiB per clinic) and not in the site folder (a
        # failed build leaves it as it was); `save` moves them in, `discard` drops them.
        self.pending: dict[str, Path] = {}
        self._waiting: Path | None = None

    def _key(self, raw: bytes) -> str:
        return hashlib.sha256(code_fingerprint().encode() + b"\0" + raw).hexdigest()

    def get(self, raw: bytes, display: str) -> YamlDoc | None:
        """The document parsed from exactly these bytes, when a sound entry holds it."""
        key = self._key(raw)
        self.used.add(key)
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text("utf-8"))
            body = entry["body"]
            if entry["key"] != key or hashlib.sha256(body.encode()).hexdigest() != entry["sum"]:
                return None  # another file's entry, or damaged
            content = json.loads(body)
            data = _decode(content["data"])
            if not isinstance(data, dict):
                return None
            return YamlDoc(display, data, Positions(_unplaces(content["values"]),
                                                    _unplaces(content["keys"])))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
            return None

    def put(self, raw: bytes, doc: YamlDoc) -> None:
        """Remember a document parsed without any problem; written by `save` (a failed
        build leaves the site folder as it was)."""
        if doc.flagged:
            return
        key = self._key(raw)
        self.used.add(key)
        try:
            body = json.dumps({"data": _encode(doc.data),
                               "values": _places(doc.positions.values),
                               "keys": _places(doc.positions.keys)}, separators=(",", ":"))
        except (TypeError, ValueError):
            return
        entry = {"key": key, "sum": hashlib.sha256(body.encode()).hexdigest(), "body": body}
        try:
            if self._waiting is None:
                self._waiting = Path(tempfile.mkdtemp(prefix="sitegen-docs-"))
            waiting = self._waiting / f"{key}.json"
            waiting.write_text(json.dumps(entry), "utf-8")
        except OSError:
            return
        self.pending[key] = waiting

    def save(self) -> None:
        """Write the new entries and forget those of file contents this build did not read
        (edited, deleted); best effort."""
        try:
            if self.pending:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder.parent / ".gitignore").write_text("*\n")
            for key, waiting in self.pending.items():
                target = self.folder / f"{key}.json"
                temporary = target.with_suffix(f".{os.getpid()}.tmp")
                shutil.copyfile(waiting, temporary)
                temporary.replace(target)
            self.pending.clear()
        except OSError:
            return
        finally:
            self.discard()
        self.prune()

    def discard(self) -> None:
        """Drop the entries not saved (a failed build)."""
        if self._waiting is not None:
            shutil.rmtree(self._waiting, ignore_errors=True)
            self._waiting = None
        self.pending.clear()

    def prune(self) -> None:
        """Forget the entries of file contents this build did not read."""
        try:
            for path in self.folder.glob("*.json"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
        except OSError:
            pass


# Per-clinic reuse: a clinic's pages and files are a function of its validated fee schedule
# and of what every page shares (templates, figures, site settings, the guides' addresses,
# titles and headings, the build date, sitegen itself). When that key is the one the last
# build recorded, and the output folder still holds what it wrote, the clinic's outputs are
# carried over instead of rendered again, with the link check's scans of its pages.

def shared_key(root: Path, config: Any, pages: Any) -> str:
    """What every clinic page depends on besides its own clinic. Guides count by their
    address, front matter and headings (what `guide()`/`term()` links and the menus use),
    not their text: the text shows only on the guide's own page, always rendered."""
    total = hashlib.sha256(json.dumps([code_fingerprint(), build_date().isoformat()]).encode())
    total.update(config.model_dump_json().encode())
    for name in ("templates", "figures"):
        for path in _files(root / name):
            total.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
            _digest(path, total)
    for page in pages:
        total.update(json.dumps([page.source, page.url, [i for i, _ in page.toc]]).encode())
        total.update(page.meta.model_dump_json().encode())
    return total.hexdigest()


def clinic_key(shared: str, source: Any) -> str:
    """The key of one clinic's outputs: the shared key and its validated schedule(s)."""
    return hashlib.sha256(shared.encode() + source.model_dump_json(
        exclude={"positions"}).encode()).hexdigest()


@dataclass(frozen=True)
class Previous:
    """What the last build wrote into the output folder, as far as the folder still holds
    it: the sha256 of each unaltered file, and per clinic its key and outputs."""

    hashes: dict[str, str]
    clinics: dict[str, tuple[str, list[str], list[list]]]  # slug -> (key, outputs, pages)

    def reusable(self, slug: str, key: str) -> tuple[list[str], list[list]] | None:
        """The outputs and pages ([url, output, lastmod, in sitemap, language, prefix]) of
        clinic `slug` when its key is unchanged and every output is unaltered."""
        record = self.clinics.get(slug)
        if record is None or record[0] != key or not all(n in self.hashes for n in record[1]):
            return None
        return record[1], record[2]


def previous(options: BuildOptions) -> Previous | None:
    """The last build of this output folder, or None (no folder, no or damaged manifest)."""
    out = options.output
    if not out.is_dir():
        return None
    try:
        manifest = json.loads(_manifest_path(options.root, out).read_text("utf-8"))
        if manifest.get("code") != code_fingerprint():
            return None
        recorded, now = manifest["files"], _stats(out)
        hashes = {str(name): str(digest) for name, digest in manifest["hashes"].items()
                  if name in now and recorded.get(name) == now[name]}
        clinics = {str(slug): (str(key), [str(name) for name in names], list(pages))
                   for slug, (key, names, pages) in manifest["keys"].items()}
        return Previous(hashes, clinics)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _scans_path(root: Path, key: str) -> Path:
    return root / CACHE_DIR / "pages" / f"{key}.json"


def load_scans(root: Path, key: str) -> dict[str, list] | None:
    """The link check's scans of a clinic's pages as recorded under `key` (raw lists; see
    `save_scans`), or None when there is no sound entry."""
    try:
        entry = json.loads(_scans_path(root, key).read_text("utf-8"))
        if entry["key"] != key or hashlib.sha256(entry["body"].encode()).hexdigest() != \
                entry["sum"]:
            return None
        scans = json.loads(entry["body"])
        return scans if isinstance(scans, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def scans_json(scans: Mapping[str, list]) -> str:
    """A clinic's scans ({page: [ids, links]}) as kept until `save_scans` writes them: a
    string holds far less memory than the tuples."""
    return json.dumps(scans, separators=(",", ":"))


def save_scans(root: Path, records: Mapping[str, tuple[str, str | None]]) -> None:
    """Record each clinic's scans under its key (slug -> (key, scans), None for a clinic
    carried over, whose entry exists) and forget entries of keys no longer in use; best
    effort."""
    folder = root / CACHE_DIR / "pages"
    keep = {key for key, _ in records.values()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder.parent / ".gitignore").write_text("*\n")
        for key, body in records.values():
            target = _scans_path(root, key)
            if body is None:
                continue
            temporary = target.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"key": key, "body": body, "sum": hashlib.sha256(
                body.encode()).hexdigest()}), "utf-8")
            temporary.replace(target)
        for path in folder.glob("*.json"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)
    except OSError:
        pass
