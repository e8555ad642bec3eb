"""Stage `derive`: one immutable view per clinic, computed once, that every output reads.

A clinic's cost tables, course estimates, blank good faith estimates, downloads, JSON-LD,
plan pages and "What will I pay?" pages are computed here from its validated fee schedule
and the site settings, with the pure functions of `tables`, `estimates`, `gfe`, `jsonld`,
`pricefiles`, `plans` and `flow`; the route table
(`routes`), the HTML pages and the machine-readable files all read these views, so every
output shows the same numbers. A view depends only on its clinic and the site settings:
it is the unit of caching and of parallel work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from sitegen.estimates import CourseEstimate, estimate_courses
from sitegen.flow import Flow, clinic_flow
from sitegen.gfe import BillExample, GoodFaithEstimate, bill_example, clinic_estimates
from sitegen.history import history, periods, upcoming_changes
from sitegen.jsonld import clinic_jsonld
from sitegen.model import ClinicSource, SiteConfig
from sitegen.plans import PlanView, plan_views
from sitegen.pricefiles import Download, downloads
from sitegen.selfpay import clinic_state, income_table
from sitegen.tables import PriceRow, price_rows


@dataclass(frozen=True)
class ClinicView:
    """Everything the pages and files of one clinic show."""

    source: ClinicSource
    tables: tuple[tuple[str, tuple[PriceRow, ...]], ...]  # (setting, rows), canonical order
    courses: tuple[CourseEstimate, ...]
    estimates: tuple[GoodFaithEstimate, ...]               # blank good faith estimates
    bill_example: BillExample | None                       # checking a bill against one
    downloads: tuple[Download, ...]
    jsonld: Markup
    upcoming: Any                 # announced price changes, by service (dated fee schedules)
    history: tuple[Any, Any] | None    # (changes, periods) when the clinic has editions
    sliding: dict[str, Any] | None     # the sliding-scale page's data, when it has one
    plans: tuple[PlanView, ...]        # one page per payer plan
    flow: Flow                         # the "What will I pay?" questions and answers

    @property
    def slug(self) -> str:
        return self.source.slug

    @property
    def rows(self) -> tuple[PriceRow, ...]:
        """The rows of every setting, as the price files list them."""
        return tuple(row for _, rows in self.tables for row in rows)


def clinic_view(config: SiteConfig, source: ClinicSource) -> ClinicView:
    tables = tuple((setting, tuple(price_rows(source, setting)))
                   for setting in source.settings())
    rows = [row for _, setting_rows in tables for row in setting_rows]
    return ClinicView(
        source=source,
        tables=tables,
        courses=tuple(estimate_courses(config, source)),
        estimates=tuple(clinic_estimates(source)),
        bill_example=bill_example(source),
        downloads=tuple(downloads(source)),
        jsonld=clinic_jsonld(source, config.base_url, rows),
        upcoming=upcoming_changes(source),
        history=(history(source), periods(source)) if source.editions else None,
        sliding=_sliding(config, source),
        plans=tuple(plan_views(config, source)),
        flow=clinic_flow(config, source),
    )


def _sliding(config: SiteConfig, source: ClinicSource) -> dict[str, Any] | None:
    scale, guidelines = source.schedule.sliding_scale, config.poverty_guidelines
    if scale is None or guidelines is None:
        return None
    state = clinic_state(source)
    return {"scale": scale, "guidelines": guidelines, "state": state,
            "incomes": income_table(guidelines, state, scale.tiers)}
