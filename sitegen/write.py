"""Stage `write`: put the rendered files in a staging folder beside the output, then swap
it in with renames, so `public/` is always either the last good site or the new one."""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MARKER = ".sitegen-output"
MARKER_TEXT = b"This folder is made by sitegen build, which replaces all of it on every build.\n"
# Outputs of sitegen before the marker existed: these three files together are ours.
_LEGACY_SIGNS = (".nojekyll", "cms-hpt.txt", "sitemap.xml")
SITE_SOURCES = ("site.yaml", "rates", "content", "templates", ".git")


class BuildLocked(Exception):
    """Another build of the same output folder is running."""


class UnsafeOutput(Exception):
    """The output folder is one sitegen must not replace; the message says why."""


def check_output_folder(out: Path, root: Path, force: bool = False) -> None:
    """Refuse an output folder whose replacement would delete what sitegen did not make.

    sitegen replaces the whole output folder, so it must never be, contain or lie inside the
    site's sources, the filesystem root, the home folder or the current folder, and never be
    an existing folder with other content (unless `force`). Raises UnsafeOutput.
    """
    target, site = out.resolve(), root.resolve()
    hint = "choose a new or empty folder, or one that sitegen built before (default: public/)"
    if target == Path(target.anchor):
        raise UnsafeOutput(f"the output folder '{out}' is the filesystem root; {hint}")
    for name in SITE_SOURCES:
        source = site / name
        if target == source or target in source.parents or source in target.parents:
            if target == source:
                relation = "is"
            elif source in target.parents:
                relation = "is inside"
            else:
                relation = "contains"
            kind = "file" if name.endswith(".yaml") else "folder"
            raise UnsafeOutput(f"the output folder '{out}' {relation} the site's {name} {kind} "
                               f"({source}); {hint}")
    for name, place in (("your home folder", Path.home()), ("the current folder", Path.cwd())):
        place = place.resolve()
        if target == place or target in place.parents:
            what = "is" if target == place else "contains"
            raise UnsafeOutput(f"the output folder '{out}' {what} {name} ({place}); {hint}")
    if target.exists() and not target.is_dir():
        raise UnsafeOutput(f"the output folder '{out}' is a file; {hint}")
    if target.is_dir() and not force and not made_by_sitegen(target):
        raise UnsafeOutput(f"the output folder '{out}' already holds files that sitegen did not "
                           f"make (it has no {MARKER} file); {hint}, or pass --force to "
                           "replace it")


def made_by_sitegen(folder: Path) -> bool:
    """An empty folder, or one with our marker (or the three files every older build wrote)."""
    if (folder / MARKER).is_file():
        return True
    names = {child.name for child in folder.iterdir()}
    return not names or all(sign in names for sign in _LEGACY_SIGNS)


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """An exclusive lock file next to the output; the second concurrent build is refused."""
    lock = out.parent / f".{out.name}.lock"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        if _stale(lock):
            lock.unlink(missing_ok=True)
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        else:
            raise BuildLocked(str(lock)) from None
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _stale(lock: Path) -> bool:
    """A lock whose process is gone (a killed build) does not block the next one."""
    try:
        pid = int(lock.read_text() or "0")
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return True
    except (PermissionError, OSError):
        return False
    return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE), so no moment
    exists without a complete `public/`. False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


class Staging:
    """The new site, written file by file into a folder beside `out` as pages are rendered
    (so the build never holds the whole site in memory), then swapped in by `commit`.
    Callers check the output folder first (`check_output_folder`) and hold `build_lock`.

    `unchanged` maps output paths of the current `out` to the sha256 of their bytes, for
    files known to be as the last build wrote them: a file with the same bytes is linked
    from `out` instead of written again (no write, and its modification time stays)."""

    def __init__(self, out: Path, unchanged: dict[str, str] | None = None) -> None:
        self.out = out
        self.folder = out.parent / f".{out.name}.staging"
        self.old = out.parent / f".{out.name}.old"
        self.unchanged = unchanged or {}
        self.linked = 0  # files kept from `out` rather than written
        self.made: set[str] = set()  # folders of the staging folder that exist
        self.kept: set[str] = set()  # files linked (or copied) from `out` by `keep`

    def open(self) -> Staging:
        if self.old.exists() and not self.out.exists():  # a build killed mid-swap
            self.old.rename(self.out)
        for leftover in (self.folder, self.old):
            if leftover.exists():
                shutil.rmtree(leftover)
        self.folder.mkdir(parents=True)
        self.made, self.kept = {""}, set()
        return self

    def put(self, rel: str, data: bytes, digest: str | None = None) -> None:
        """Write one file (or keep the current one when `digest` says it is the same)."""
        if digest is not None and self.unchanged.get(rel) == digest and self.keep(rel):
            return
        self._folder_for(rel)
        if rel in self.kept:  # a kept file is a link into the live site: never write through
            self.forget([rel])
        (self.folder / rel).write_bytes(data)

    def _folder_for(self, rel: str) -> None:
        """Make the folder of `rel` once: pages of a clinic share a few folders."""
        folder = rel.rpartition("/")[0]
        if folder not in self.made:
            os.makedirs(os.path.join(self.folder, folder), exist_ok=True)
            self.made.add(folder)

    def keep(self, rel: str) -> bool:
        """Carry the current output's file over unchanged: a hard link (the staging folder
        is beside `out`, on the same disk), or a copy where links are not possible. Never
        written to afterwards, so the live site cannot change through the link."""
        source, target = self.out / rel, self.folder / rel
        self._folder_for(rel)
        self.kept.add(rel)
        try:
            os.link(source, target)
        except OSError:
            try:
                shutil.copy2(source, target)
            except OSError:
                return False
        self.linked += 1
        return True

    def forget(self, names: list[str]) -> None:
        """Remove files kept by `keep`, so that writing them cannot reach the live site."""
        for rel in names:
            (self.folder / rel).unlink(missing_ok=True)
            self.kept.discard(rel)

    def discard(self) -> None:
        """Forget the new site; the output folder stays as it was."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def commit(self) -> None:
        """Swap the staging folder in as the new `out`, with the marker that lets later
        builds replace it."""
        (self.folder / MARKER).write_bytes(MARKER_TEXT)
        out, old = self.out, self.old
        if out.exists() and _exchange(self.folder, out):
            shutil.rmtree(self.folder)  # now the old site
            return
        if out.exists():  # elsewhere: two renames; a build killed between them is repaired
            out.rename(old)
        self.folder.rename(out)
        if old.exists():
            shutil.rmtree(old)


def write_site(out: Path, files: dict[str, bytes]) -> None:
    """Write `files` (POSIX relative path -> bytes) as the new content of `out`. Callers
    check the folder first (`check_output_folder`)."""
    staging = Staging(out).open()
    try:
        for rel, data in sorted(files.items()):
            staging.put(rel, data)
    except BaseException:
        staging.discard()  # never leave a half-written staging folder
        raise
    staging.commit()
