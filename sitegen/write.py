"""Stage `write`: put the rendered files in a staging folder beside the output, then swap
it in with renames, so `public/` is always either the last good site or the new one."""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class BuildLocked(Exception):
    """Another build of the same output folder is running."""


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


def write_site(out: Path, files: dict[str, bytes]) -> None:
    """Write `files` (POSIX relative path -> bytes) as the new content of `out`."""
    staging = out.parent / f".{out.name}.staging"
    old = out.parent / f".{out.name}.old"
    if old.exists() and not out.exists():  # a build killed mid-swap: restore the old site
        old.rename(out)
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    for rel, data in sorted(files.items()):
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging)  # now the old site
        return
    if out.exists():  # elsewhere: two renames; a build killed between them is repaired above
        out.rename(old)
    staging.rename(out)
    if old.exists():
        shutil.rmtree(old)
