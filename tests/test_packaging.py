"""What `pip install .` ships: every file the package reads at run time (the translation
catalogs above all) must be named in pyproject's package data, or a plain install builds
Spanish pages with English words and no error."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_of_the_package_is_shipped() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["sitegen"]
    package = ROOT / "sitegen"
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    data = {p for p in package.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts}
    assert data, "the package has data files (at least the Spanish catalog)"
    assert sorted(str(p.relative_to(package)) for p in data - shipped) == []
