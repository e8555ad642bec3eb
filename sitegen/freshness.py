"""When a clinic's prices are too old to trust: `clinic.last_updated` plus the age set by
`stale_after_months` in site.yaml (default 12). Pure functions of dates, used by `validate`
(the warning `--strict` turns into one error per clinic), by the pages (a notice to
patients) and by `sitegen gfe` (a warning to the front desk)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (Jan 31 + 1
    month is Feb 28 or 29)."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def is_stale(updated: dt.date, today: dt.date, months: int) -> bool:
    """True when more than `months` months have passed since `updated`."""
    return today > add_months(updated, months)


def stale_message(updated: dt.date, months: int) -> str:
    """The words of the warning, the same in the build and in `sitegen gfe`."""
    return (f"prices were last updated on {updated}, more than {months} month"
            f"{'' if months == 1 else 's'} ago")
