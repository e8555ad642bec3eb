"""Values remembered per clinic for the derive stage (a small shared module: it imports
nothing of sitegen at run time).

A clinic's validated model never changes during a build, and "What will I pay?" asks for
the same visit plans and payers thousands of times per clinic. The values are kept by the
clinic's id while it lives: an entry goes with its clinic, so an id is never taken for
another clinic's, and nothing is kept after a build (or between `sitegen serve` rebuilds).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sitegen.model import ClinicSource

_MEMOS: dict[int, dict[object, Any]] = {}


def clinic_memo(source: ClinicSource) -> dict[object, Any]:
    """The dict of values remembered for this clinic (keys chosen by the callers)."""
    memo = _MEMOS.get(id(source))
    if memo is None:
        memo = _MEMOS[id(source)] = {}
        weakref.finalize(source, _MEMOS.pop, id(source), None)
    return memo
