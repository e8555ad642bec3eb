"""Builds past one machine: `sitegen build --shard K/N` writes the pages of every N-th
clinic (site-level pages, assets and site-wide files in shard 1) with a manifest, and
`sitegen merge` joins the parts and runs the site-wide checks (links cross shards), so the
merged folder holds the very bytes of a single build.

Every shard still reads and validates the whole site: rules across files and the
site-level pages need every clinic, and reading is the cheap part of a large build.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitegen.check import check_site
from sitegen.diagnostics import Diagnostics
from sitegen.urls import base_path
from sitegen.write import MARKER, UnsafeOutput, build_lock, check_output_folder, write_site

MANIFEST = "sitegen-shard.json"
MAX_SHARDS = 1000


@dataclass(frozen=True)
class Shard:
    index: int   # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """'2/3' -> Shard(2, 3); ValueError with a message a person can act on."""
        found = re.fullmatch(r"\s*([0-9]+)/([0-9]+)\s*", text)  # ASCII digits only
        if not found:
            raise ValueError(f"write the shard as K/N, like 2/3 (got {text!r})")
        index, count = int(found.group(1)), int(found.group(2))
        if not 1 <= index <= count:
            raise ValueError(f"K must be between 1 and N (got {text!r})")
        if count > MAX_SHARDS:
            raise ValueError(f"N is at most {MAX_SHARDS} "
                             f"(got {text!r})")
        return cls(index, count)

    def owns(self, clinic_position: int | None) -> bool:
        """Clinic i (in slug order) belongs to shard i mod N + 1; site-level (None) to 1."""
        if clinic_position is None:
            return self.index == 1
        return clinic_position % self.count + 1 == self.index


def manifest(shard: Shard, inputs: str, base_url: str, files: dict[str, bytes]) -> bytes:
    """What a part holds: which shard, of which build (a hash of the inputs) and the hash
    of every file, so `merge` can refuse a mix of builds and damaged parts."""
    return json.dumps({"shard": shard.index, "of": shard.count, "inputs": inputs,
                       "base_url": base_url,
                       "files": {name: hashlib.sha256(data).hexdigest()
                                 for name, data in sorted(files.items())}},
                      indent=1).encode()


def _read_manifest(part: Path) -> tuple[int, int, dict[str, str], str, str] | str:
    """The manifest's shard, count, files, inputs and base URL; or, for a folder that is
    not an intact shard, what is wrong in words (never a Python message)."""
    try:
        info = json.loads((part / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return f"it has no {MANIFEST}"
    except (OSError, ValueError):
        return f"its {MANIFEST} cannot be read"
    fields = ("shard", "of", "files", "inputs", "base_url")
    if not isinstance(info, dict) or not all(k in info for k in fields):
        return f"its {MANIFEST} lacks what a shard's manifest holds"
    index, count, files = info["shard"], info["of"], info["files"]
    if not (type(index) is int and type(count) is int and 1 <= index <= count <= MAX_SHARDS
            and isinstance(files, dict) and isinstance(info["inputs"], str)
            and isinstance(info["base_url"], str)
            and all(isinstance(d, str) and _inside_name(n) for n, d in files.items())):
        return f"its {MANIFEST} has been changed"
    return index, count, files, info["inputs"], info["base_url"]


def _inside_name(name: object) -> bool:
    """A file name that stays inside the output folder: relative, no '..', no backslash."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def merge(parts: list[Path], out: Path, force: bool = False) -> tuple[Diagnostics, dict]:
    """Join the parts into `out` (replaced as a whole, as by build) when they are every
    shard of one build, undamaged, and the joined site passes the site-wide checks."""
    diags = Diagnostics()
    check_output_folder(out, Path.cwd(), force)  # raises UnsafeOutput
    target = out.resolve()
    for part in parts:  # replacing the output folder must not delete a shard being read
        here = part.resolve()
        if target == here or target.is_relative_to(here) or here.is_relative_to(target):
            raise UnsafeOutput(f"the output folder '{out.as_posix()}' is, holds or lies inside "
                               f"the shard '{part.as_posix()}'; choose a folder of its own")
    files: dict[str, bytes] = {}
    seen: dict[int, str] = {}
    first: dict | None = None
    for part in parts:
        shown = f"{part.as_posix()}/{MANIFEST}"
        read = _read_manifest(part)
        if isinstance(read, str):
            diags.error(shown, 0, 0, f"not a shard made by sitegen build --shard: {read}",
                        "pass the folders that sitegen build --shard K/N --out wrote")
            continue
        index, count, listed, inputs, base_url = read
        if first is None:
            first = {"of": count, "inputs": inputs, "base_url": base_url}
        elif (count, inputs, base_url) != (first["of"], first["inputs"], first["base_url"]):
            diags.error(shown, 0, 0, "this shard comes from another build (other inputs, "
                        "shard count or base URL) than the first one",
                        "build every shard from the same commit with the same options")
            continue
        if index in seen:
            diags.error(shown, 0, 0, f"shard {index}/{count} is given twice (also "
                        f"{seen[index]})", "pass each shard once")
            continue
        seen[index] = shown
        for name, digest in sorted(listed.items()):
            try:
                data = (part / name).read_bytes()
            except OSError:
                data = None
            if data is None or hashlib.sha256(data).hexdigest() != digest:
                diags.error(shown, 0, 0, f"{name} is missing or changed since the shard was "
                            "built", "build this shard again")
            elif name in files:
                diags.error(shown, 0, 0, f"{name} is in two shards", "build the shards again")
            else:
                files[name] = data
    if first is not None and not diags.errors:
        missing = sorted(set(range(1, first["of"] + 1)) - set(seen))
        if missing:
            diags.error(parts[0].as_posix(), 0, 0, "missing shards: " +
                        ", ".join(f"{k}/{first['of']}" for k in missing),
                        "pass every shard's folder")
    if first is None and not diags.errors:
        diags.error("merge", 0, 0, "no shards given", "pass the shards' folders")
    if diags.errors:
        return diags, {}
    check_site(files, diags, prefix=f"{out.as_posix()}/", base=base_path(first["base_url"]))
    if diags.errors:
        return diags, {}
    files.pop(MARKER, None)
    with build_lock(out):
        check_output_folder(out, Path.cwd(), force)
        write_site(out, files)
    return diags, files
