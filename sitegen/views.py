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
from functools import cached_property
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
    """Everything the pages and files of one clinic show. Each part is computed when first
    read, then kept: a clinic whose pages the build carries over from the last one needs
    only its price tables (service pages) and downloads (clinics index), and a worker
    process computes the parts of the pages it renders."""

    config: SiteConfig
    source: ClinicSource

    @property
    def slug(self) -> str:
        return self.source.slug

    @cached_property
    def tables(self) -> tuple[tuple[str, tuple[PriceRow, ...]], ...]:
        """(setting, rows), in the canonical order of settings."""
        return tuple((setting, tuple(price_rows(self.source, setting)))
                     for setting in self.source.settings())

    @property
    def rows(self) -> tuple[PriceRow, ...]:
        """The rows of every setting, as the price files list them."""
        return tuple(row for _, rows in self.tables for row in rows)

    @cached_property
    def courses(self) -> tuple[CourseEstimate, ...]:
        return tuple(estimate_courses(self.config, self.source))

    @cached_property
    def estimates(self) -> tuple[GoodFaithEstimate, ...]:
        """Blank good faith estimates."""
        return tuple(clinic_estimates(self.source))

    @cached_property
    def bill_example(self) -> BillExample | None:
        """Checking a bill against an estimate."""
        return bill_example(self.source)

    @cached_property
    def downloads(self) -> tuple[Download, ...]:
        return tuple(downloads(self.source))

    @cached_property
    def jsonld(self) -> Markup:
        return clinic_jsonld(self.source, self.config.base_url, list(self.rows))

    @cached_property
    def upcoming(self) -> Any:
        """Announced price changes, by service (dated fee schedules)."""
        return upcoming_changes(self.source)

    @cached_property
    def history(self) -> tuple[Any, Any] | None:
        """(changes, periods) when the clinic has editions."""
        return (history(self.source), periods(self.source)) if self.source.editions else None

    @cached_property
    def sliding(self) -> dict[str, Any] | None:
        """The sliding-scale page's data, when it has one."""
        return _sliding(self.config, self.source)

    @cached_property
    def plans(self) -> tuple[PlanView, ...]:
        """One page per payer plan."""
        return tuple(plan_views(self.config, self.source))

    @cached_property
    def flow(self) -> Flow:
        """The "What will I pay?" questions and answers."""
        return clinic_flow(self.config, self.source)


def clinic_view(config: SiteConfig, source: ClinicSource) -> ClinicView:
    return ClinicView(config, source)


def _sliding(config: SiteConfig, source: ClinicSource) -> dict[str, Any] | None:
    scale, guidelines = source.schedule.sliding_scale, config.poverty_guidelines
    if scale is None or guidelines is None:
        return None
    state = clinic_state(source)
    return {"scale": scale, "guidelines": guidelines, "state": state,
            "incomes": income_table(guidelines, state, scale.tiers)}
