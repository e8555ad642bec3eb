"""Shared fixtures: the repository root (the example site) and the golden-update flag."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the example site instead of comparing")


# Warnings about stale prices compare with "today": pin it, so the suite passes next year too.
os.environ["SOURCE_DATE_EPOCH"] = "1795737600"  # 2026-11-27


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def example_root() -> Path:
    return ROOT
