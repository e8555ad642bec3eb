"""Wording and number formats that pages, estimates and notices share: the names of
settings and disciplines, money, dates, percentages (in English: `i18n` formats the other
languages). Imports nothing of sitegen, so the derive stage (estimates, good faith
estimates) and the templates format alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def N_(message: str) -> str:
    """Marks a Python string for extraction (babel.cfg); it is translated where it is
    shown, in the page's language."""
    return message


SETTING_NAMES = {
    "evaluation": N_("Evaluations"),
    "outpatient": N_("Outpatient therapy"),
    "telehealth": N_("Telehealth"),
    "inpatient": N_("Inpatient therapy"),
}
DISCIPLINE_NAMES = {"OT": N_("Occupational therapy"), "PT": N_("Physical therapy"),
                    "SLP": N_("Speech-language therapy")}


def money(amount: Decimal | None) -> str:
    """$1,234.50 (half-up to cents); an em dash when there is no amount."""
    if amount is None:
        return "—"
    return f"${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def long_date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"
