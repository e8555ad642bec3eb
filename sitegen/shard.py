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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sitegen.check import check_site
from sitegen.diagnostics import Diagnostics
from sitegen.urls import base_path
from sitegen.write import MARKER, build_lock, check_output_folder, write_site

MANIFEST = "sitegen-shard.json"


@dataclass(frozen=True)
class Shard:
    index: int   # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """'2/3' -> Shard(2, 3); ValueError with a message a person can act on."""
        parts = text.split("/")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"write the shard as K/N, like 2/3 (got {text!r})")
        index, count = int(parts[0]), int(parts[1])
        if not 1 <= index <= count:
            raise ValueError(f"K must be between 1 and N (got {text!r})")
        return cls(index, count)

    def owns(self, clinic_position: int | None) -> bool:
        """Clinic i (in slug order) belongs to shard i mod N + 1; site-level (None) to 1."""
        if clinic_position is None:
            return self.index == 1
        return clinic_position % self.count + 1 == self.index


def manifest(shard: Shard, inputs: str, base_url: str, hashes: Mapping[str, str]) -> bytes:
    """What a part holds: which shard, of which build (a hash of the inputs) and the hash
    of every file, so `merge` can refuse a mix of builds and damaged parts."""
    return json.dumps({"shard": shard.index, "of": shard.count, "inputs": inputs,
                       "base_url": base_url,
                       "files": dict(sorted(hashes.items()))},
                      indent=1).encode()


def merge(parts: list[Path], out: Path, force: bool = False) -> tuple[Diagnostics, dict]:
    """Join the parts into `out` (replaced as a whole, as by build) when they are every
    shard of one build, undamaged, and the joined site passes the site-wide checks."""
    diags = Diagnostics()
    check_output_folder(out, Path.cwd(), force)  # raises UnsafeOutput
    files: dict[str, bytes] = {}
    seen: dict[int, str] = {}
    first: dict | None = None
    for part in parts:
        shown = f"{part.as_posix()}/{MANIFEST}"
        try:
            info = json.loads((part / MANIFEST).read_text("utf-8"))
            index, count, listed = int(info["shard"]), int(info["of"]), dict(info["files"])
            inputs, base_url = str(info["inputs"]), str(info["base_url"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            diags.error(shown, 0, 0, f"not a shard made by sitegen build --shard ({exc})",
                        "pass the folders that sitegen build --shard K/N --out wrote")
            continue
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
