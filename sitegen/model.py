"""Typed models of the inputs: `site.yaml` and `rates/<clinic>.yaml`.

These pydantic models are the schema: `load` validates plain YAML values against them,
and docs/fee-schedule.md documents each field. Cross-file and cross-reference rules
(unknown services, duplicate ids, ...) live in `validate`, which has the positions.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticKnownError

from sitegen import notices
from sitegen.formats import N_

SETTINGS = ("evaluation", "outpatient", "telehealth", "inpatient")
Setting = Literal["evaluation", "outpatient", "telehealth", "inpatient"]
Discipline = Literal["OT", "PT", "SLP"]
Network = Literal["in-network", "out-of-network", "self-pay"]
# How a plan's negotiated rate is set (the CMS machine-readable file's methodology values).
Methodology = Literal["fee schedule", "case rate", "per diem", "percent of total billed charges",
                      "other"]
# License states both official CMS validators accept (the JSON schema also has FM, MH, PW,
# which the CSV validator refuses, so a clinic there could not publish a valid CSV).
CMS_LICENSE_STATES = frozenset(
    ["AL", "AK", "AS", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "GU", "HI", "ID",
     "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE",
     "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "MP", "OH", "OK", "OR", "PA", "PR", "RI", "SC",
     "SD", "TN", "TX", "UT", "VT", "VI", "VA", "WA", "WV", "WI", "WY"])

# The languages sitegen has pages for (a UI catalog), by code. English is the language of
# the fee schedules' own text; the others can be given under `translations:`.
LANGUAGES = {"en": "English", "es": "Spanish"}
TRANSLATED_LANGUAGES = tuple(code for code in LANGUAGES if code != "en")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Billing modifiers a therapy clinic uses, with what they say (docs/fee-schedule.md).
MODIFIERS = {
    "GP": N_("therapy under a physical therapy plan of care"),
    "GO": N_("therapy under an occupational therapy plan of care"),
    "GN": N_("therapy under a speech-language pathology plan of care"),
    "59": N_("a distinct service, separate from another one on the same day"),
    "XE": N_("a distinct service in a separate encounter"),
    "XP": N_("a distinct service by a different practitioner"),
    "XS": N_("a distinct service on a separate structure or organ"),
    "XU": N_("a distinct service that does not overlap the usual parts of another"),
    "KX": N_("therapy above the Medicare threshold, with documented medical need"),
    "CQ": N_("physical therapy given in whole or in part by a physical therapist assistant"),
    "CO": N_("occupational therapy given in whole or in part by an occupational therapy assistant"),
    "95": N_("telehealth by live audio and video"),
    "93": N_("telehealth by audio only"),
}
_CODES = {
    "CPT": (re.compile(r"\d{5}|\d{4}[FTU]"), "5 digits, like 97110"),
    "HCPCS": (re.compile(r"[A-V]\d{4}"), "a letter and 4 digits, like G0283"),
}


class Strict(BaseModel):
    """Unknown keys are errors (with a 'did you mean'), and models never change. Values are
    taken as YAML typed them, never converted: "10" is not a count, true is not 1, and
    "no" is not false (pydantic's strict mode), so a typo cannot become a price or a rule."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# The days a fee schedule, a scenario or a source may name: far past or far future dates
# are typing mistakes (20226-01-01, 0206-01-01), and date arithmetic on them (a course
# starting on 9999-12-31 running into the next year) would overflow.
FIRST_DAY, LAST_DAY = dt.date(1950, 1, 1), dt.date(2099, 12, 31)


def _plausible_day(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"the date {value} is out of range: give a date between "
                         f"{FIRST_DAY.year} and {LAST_DAY.year}, like 2026-10-01")
    return value


# A date as YAML writes it (2026-10-01; quotes allowed), within the plausible range.
Day = Annotated[dt.date, Field(strict=False), AfterValidator(_plausible_day)]


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(f"'{value}' is not a valid id: use lower-case letters, digits and "
                         "single dashes, like ot-eval-moderate")
    return value


def _npi(value: str) -> str:
    if not re.fullmatch(r"\d{10}", value):
        raise ValueError(f"NPI '{value}' must be exactly 10 digits")
    if not npi_check_digit_ok(value):
        raise ValueError(f"NPI '{value}' fails its check digit; copy it again from the "
                         "NPPES registry")
    return value


def _tin(value: str) -> str:
    if not re.fullmatch(r"\d{2}-\d{7}", value):
        raise ValueError(f"TIN '{value}' must look like 12-3456789")
    return value


def _state(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"state '{value}' must be a two-letter code like OR")
    return value


def _license_state(value: str) -> str:
    if value not in CMS_LICENSE_STATES:
        raise ValueError(f"license_state '{value}' must be the two-letter code of a US state "
                         "or territory in capitals, like WA")
    return value


def _modifier(value: str) -> str:
    if value not in MODIFIERS:
        close = [m for m in MODIFIERS if m == value.upper().strip()]
        hint = f"write it as {close[0]}" if close else "use one of " + ", ".join(MODIFIERS)
        raise ValueError(f"unknown modifier '{value}'; {hint}")
    return value


def _zip(value: str) -> str:
    if not re.fullmatch(r"\d{5}(-\d{4})?", value):
        raise ValueError(f"ZIP code '{value}' must be 5 digits (or ZIP+4), in quotes")
    return value


def web_address_problem(value: str, *, path_ok: bool = False) -> str:
    """Why `value` cannot be a link to a web page ('' when it can): only http and https
    addresses with a host (and, where `path_ok`, a path of this site starting with '/').
    Checked at load time, so a bad address is one error at its line, not one per page."""
    if path_ok and value.startswith("/") and not value.startswith("//"):
        return "" if not re.search(r"[\s\\\"'<>]", value) else \
            f"'{value}' is not a valid path: it contains a space, quote or backslash"
    try:
        parts = urlsplit(value)
        host = parts.hostname if parts.port != 0 else None  # .port raises when out of range
    except ValueError:  # a malformed host or port
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host or \
            re.search(r"[\s\\\"'<>]", value):
        want = "a web address starting with https:// (or http://)" + \
            (", or a path starting with /" if path_ok else "")
        example = f"https://{value}" if re.fullmatch(r"[\w-]+(\.[\w-]+)+(/\S*)?", value) \
            else "https://example.org/"
        return f"'{value}' is not {want}, like {example}"
    if path_ok and (parts.query or parts.fragment):
        return f"'{value}' has a '?' or '#' part, which no page address can follow"
    return ""


def _website(value: str) -> str:
    problem = web_address_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _base_url(value: str) -> str:
    problem = web_address_problem(value, path_ok=True)
    if problem:
        raise ValueError(f"base_url {problem}")
    return value


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s\"'<>()\[\],;:\\]+@[^@\s\"'<>()\[\],;:\\/?#]+\.[^@\s\"'<>()"
                        r"\[\],;:\\/?#.]+", value):
        raise ValueError(f"'{value}' is not an email address like prices@example.org")
    return value


def npi_check_digit_ok(npi: str) -> bool:
    """Luhn over '80840' + the first nine digits must give the tenth (the CMS NPI check digit)."""
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def _translation_language(value: str) -> str:
    """A key of `translations:` names a language sitegen has pages for, by its lower-case
    code; English is the text of the entry itself."""
    if value in TRANSLATED_LANGUAGES:
        return value
    known = ", ".join(f"{code} ({LANGUAGES[code]})" for code in TRANSLATED_LANGUAGES)
    simple = value.strip().lower().replace("_", "-")
    if simple in ("description", "name"):
        raise ValueError(f"translations: '{value}' must be under a language, like "
                         f"translations: {{es: {{{value}: ...}}}}")
    if simple.split("-")[0] == "en" or simple in ("english", "ingl\u00e9s", "ingles"):
        raise ValueError(f"translations: '{value}' is English, the language of the entry "
                         f"itself; keep the English text in the entry, and translate into "
                         f"{known}")
    words = {"spanish": "es", "espa\u00f1ol": "es", "espanol": "es", "castellano": "es"}
    meant = words.get(simple) or next(
        (code for code in TRANSLATED_LANGUAGES if simple.split("-")[0] == code), None)
    hint = f"write {meant}" if meant else f"use {known}"
    raise ValueError(f"translations: unknown language '{value}'; {hint}")


Slug = Annotated[str, AfterValidator(_slug)]
Language = Annotated[str, AfterValidator(_translation_language)]
Modifier = Annotated[str, AfterValidator(_modifier)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
WebAddress = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_website)]
Email = Annotated[str, Field(min_length=1, max_length=320), AfterValidator(_email)]
def _number_only(value: object) -> Decimal:
    """YAML reads `250` as int and `250.00` as Decimal; both are amounts. Anything else
    (a quoted "250", "1e309", true, a date) is refused, not guessed at, with pydantic's own
    `decimal_type` error so `load` words it like every other wrong type."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise PydanticKnownError("decimal_type")
    return Decimal(value)


def number(**constraints: object) -> object:
    """A Decimal field that accepts only YAML numbers."""
    return Annotated[Decimal, BeforeValidator(_number_only),
                     Field(allow_inf_nan=False, **constraints)]


Money = number(gt=0, lt=10_000_000, decimal_places=2)
Discount = number(gt=0, le=1, decimal_places=4)


class Address(Strict):
    street: Text
    city: Text
    state: Annotated[str, AfterValidator(_state)]
    zip: Annotated[str, AfterValidator(_zip)]


class Location(Strict):
    id: Slug | None = None   # what services' `location:` names, for per-location prices
    name: Text
    address: Address
    phone: Text
    email: Email | None = None
    hours: Text | None = None
    translations: dict[Language, HoursTranslation] = Field(default_factory=dict)

    def __hash__(self) -> int:  # a location is a set member (good faith estimates)
        return hash((self.id, self.name, self.address, self.phone, self.email, self.hours))


class Clinic(Strict):
    name: Text
    slug: Slug | None = None
    npi: Annotated[str, AfterValidator(_npi)]
    tin: Annotated[str, AfterValidator(_tin)]
    disciplines: list[Discipline] = Field(min_length=1)
    hospital_based: bool = False
    about: Text | None = None
    website: WebAddress | None = None
    email: Email | None = None
    locations: list[Location] = Field(min_length=1)
    last_updated: Day
    # How the clinic deals with insurance: "in-network" (bills the plans under payers:),
    # "none" (takes no insurance: patients pay the cash price), or "superbill" (out of
    # network with every plan; gives patients a superbill to claim back from their plan).
    insurance: Literal["in-network", "none", "superbill"] = "in-network"
    translations: dict[Language, AboutTranslation] = Field(default_factory=dict)
    effective_until: Day | None = None   # the last day these prices apply


# Limit periods fee schedules commonly write, so Spanish pages word them (messages.po).
LIMIT_PERIODS = (N_("calendar year"), N_("plan year"), N_("benefit year"))


class VisitLimit(Strict):
    """How many visits a plan covers in a period: one count shared by the `shared_by`
    disciplines (empty: every visit), or a count of its own for each of `each`
    (Ohio Medicaid: 30 PT, 30 OT and 30 SLP visits). With `prior_authorization`, the plan
    covers more visits once it approves them, so they are priced as covered visits."""

    visits: int = Field(gt=0, le=366)
    shared_by: list[Discipline] = Field(default_factory=list)
    each: list[Discipline] = Field(default_factory=list)
    period: Text = N_("calendar year")  # others the catalog words: see LIMIT_PERIODS
    prior_authorization: bool = False

    @model_validator(mode="after")
    def _one_way_of_counting(self) -> VisitLimit:
        if self.shared_by and self.each:
            raise ValueError("a visit limit is either shared_by several therapies or counted "
                             "for each therapy on its own, not both; keep one of the two keys")
        return self


# Answers of "How will you pay?" that share the address space of plans.
RESERVED_PLAN_SLUGS = frozenset(["self-pay", "out-of-network", "superbill"])


def plan_slug(key: str) -> str:
    """A plan's address: 'Moda Health PPO' -> 'moda-health-ppo'."""
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "plan"


class Payer(Strict):
    name: Text
    plan: Text
    visit_limit: VisitLimit | None = None
    # Medicaid: the clinic accepts the plan's payment as payment in full (42 CFR 447.15),
    # so a patient is never charged the cash price for a covered service.
    medicaid: bool = False
    methodology: Methodology = "fee schedule"   # for the CMS machine-readable file
    methodology_notes: Text | None = None       # required when methodology is "other"

    @property
    def key(self) -> str:
        """How services name this plan in `negotiated`: 'Aetna PPO'."""
        return f"{self.name} {self.plan}"

    @property
    def slug(self) -> str:
        return plan_slug(self.key)

    @property
    def original_medicare(self) -> bool:
        """Original Medicare (a payer named "Medicare") shares costs by law, not by plan."""
        return self.name.strip().lower() == "medicare"


class DescriptionTranslation(Strict):
    """A service's description in another language."""

    description: Text


class NameTranslation(Strict):
    """A session's name in another language."""

    name: Text


class CourseTranslation(Strict):
    """A course's words in another language."""

    name: Text
    description: Text | None = None
    frequency: Text | None = None
    scheduled_separately: list[Text] | None = None  # each item of the course's, in order


class PackageTranslation(Strict):
    """A package's words in another language."""

    name: Text
    description: Text | None = None


class SlidingScaleTranslation(Strict):
    """A sliding scale's words in another language."""

    name: Text | None = None
    how_to_apply: Text | None = None


class AboutTranslation(Strict):
    """A clinic's `about:` in another language."""

    about: Text


class HoursTranslation(Strict):
    """A location's opening hours in another language."""

    hours: Text


class Service(Strict):
    id: Slug
    code: Text
    code_type: Literal["CPT", "HCPCS"] = "CPT"
    description: Text
    discipline: Discipline | None = None
    settings: list[Setting] = Field(min_length=1)
    timed: bool = False
    gross_charge: Money
    cash_price: Money
    cash_price_max: Money | None = None     # a range: cash_price to cash_price_max
    negotiated: dict[str, Money] = Field(default_factory=dict)
    inpatient_bundled: bool = False
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    location: Slug | None = None            # priced at this location only (its `id`)
    # What Original Medicare allows for each further unit of this code on the same day,
    # after its multiple procedure payment reduction (docs/estimate.md); none = not reduced.
    medicare_further_unit: Money | None = None
    # The description in other languages: {es: {description: ...}} (docs/fee-schedule.md);
    # a language left out shows the English description, marked as English.
    translations: dict[Language, DescriptionTranslation] = Field(default_factory=dict)

    @property
    def unit(self) -> str:
        return N_("per 15 minutes") if self.timed else N_("per visit")

    @property
    def key(self) -> tuple:
        """What makes a price row unique in a clinic: code, modifiers, location and settings
        (a hospital may price one code differently for inpatients and outpatients)."""
        return (self.code_type, self.code, tuple(sorted(self.modifiers)), self.location,
                tuple(sorted(self.settings)))

    @property
    def display_code(self) -> str:
        """'97110-GO': the code with its modifiers, as a claim form shows them."""
        return "-".join([self.code, *self.modifiers])

    @property
    def cash_high(self) -> Decimal:
        """The price a patient may at most pay: the top of a range, or the one price."""
        return self.cash_price_max or self.cash_price

    def code_problem(self) -> str:
        pattern, example = _CODES[self.code_type]
        if pattern.fullmatch(self.code):
            return ""
        base, dash, rest = self.code.partition("-")
        if dash and pattern.fullmatch(base):
            return (f"'{self.code}' is not a valid {self.code_type} code: modifiers go in "
                    f"their own key (write code: \"{base}\" and modifiers: "
                    f"[{rest.replace('-', ', ')}])")
        return f"'{self.code}' is not a valid {self.code_type} code ({example})"


class SessionLine(Strict):
    service: Slug
    minutes: int | None = Field(default=None, gt=0, le=480)
    units: int | None = Field(default=None, gt=0, le=32)


class Session(Strict):
    id: Slug
    name: Text
    setting: Setting
    # The therapy the visit is, for visit limits shared by some therapies only. Default: the
    # one its services name, else the clinic's when it has one discipline.
    discipline: Discipline | None = None
    lines: list[SessionLine] = Field(min_length=1)
    cash_price: Money | None = None         # one self-pay price for the whole visit
    cash_price_max: Money | None = None     # a range: cash_price to cash_price_max
    translations: dict[Language, NameTranslation] = Field(default_factory=dict)


class Package(Strict):
    """Prepaid visits: 'count' sessions of one kind for one price, used within a time."""

    id: Slug
    name: Text
    session: Slug
    visits: int = Field(gt=1, le=100)
    price: Money
    valid_months: int | None = Field(default=None, gt=0, le=60)
    description: Text | None = None
    translations: dict[Language, PackageTranslation] = Field(default_factory=dict)


class SlidingTier(Strict):
    """One row of a sliding scale: household income up to a share of the federal poverty
    guideline, and what a self-pay patient then pays."""

    up_to_percent: int = Field(gt=0, le=1000)
    discount: Discount | None = None         # type: ignore[valid-type]
    visit_price: Money | None = None         # type: ignore[valid-type]


class SlidingScale(Strict):
    name: Text = N_("Sliding scale for people who pay themselves")
    how_to_apply: Text
    tiers: list[SlidingTier] = Field(min_length=1, max_length=10)
    translations: dict[Language, SlidingScaleTranslation] = Field(default_factory=dict)


class CourseVisit(Strict):
    service: Slug | None = None
    session: Slug | None = None
    count: int = Field(default=1, gt=0, le=366)


class Course(Strict):
    id: Slug
    name: Text
    description: Text | None = None
    visits: list[CourseVisit] = Field(min_length=1)
    # Other numbers of the last visit (the treatment sessions) a patient may need, e.g.
    # [8, 12, 20]: "What will I pay?" offers each; the count written above is always offered.
    lengths: list[Annotated[int, Field(gt=0, le=366)]] = Field(default_factory=list,
                                                               max_length=6)
    # For the good faith estimate of a recurring plan of care (docs/gfe.md):
    frequency: Text | None = None  # how often, in words: "once a week"
    months: int | None = Field(default=None, gt=0, lt=13)  # period covered, up to 12 months
    scheduled_separately: list[Text] = Field(default_factory=list)
    translations: dict[Language, CourseTranslation] = Field(default_factory=dict)

    @property
    def sessions(self) -> int:
        """The course as written: how many times its last visit happens."""
        return self.visits[-1].count

    @model_validator(mode="after")
    def _each_item_translated(self) -> Course:
        """A translated `scheduled_separately` words each of the course's items, in order,
        so no item goes missing from the estimate in that language."""
        for lang, words in self.translations.items():
            items, own = words.scheduled_separately, self.scheduled_separately
            if items is not None and len(items) != len(own):
                raise ValueError(
                    f"translations: {lang}: scheduled_separately has {len(items)} items, the "
                    f"course's has {len(own)} (got {len(items)}); translate each item of the "
                    "course's scheduled_separately, in the same order")
        return self

    def session_counts(self) -> list[int]:
        """Every length offered, smallest first."""
        return sorted({self.sessions, *self.lengths})

    def with_sessions(self, count: int) -> Course:
        """The same course with its last visit repeated `count` times."""
        last = self.visits[-1].model_copy(update={"count": count})
        return self.model_copy(update={"visits": [*self.visits[:-1], last]})


Amount = number(ge=0, lt=10_000_000, decimal_places=2)
Fraction = number(ge=0, le=1)


Month = Annotated[int, Field(strict=True, ge=1, le=12)]


class SecondCoverage(Strict):
    """A second coverage behind the first (docs/estimate.md): a Medigap plan, Medicaid, or a
    second ordinary plan paying by coordination of benefits."""

    type: Literal["medigap", "medicaid", "commercial"]
    name: Text | None = None
    medigap_plan: Literal["A", "B", "C", "D", "F", "G", "M", "N"] | None = None
    copay: Amount | None = None  # Plan N (up to 20), Medicaid's copay, or the plan's own
    deductible_remaining: Amount = Decimal(0)
    coinsurance: Fraction = Decimal(0)
    copay_waives_deductible: bool = False
    oop_remaining: Amount | None = None
    deductible: Amount | None = None
    oop_max: Amount | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SecondCoverage:
        if self.type == "medigap" and self.medigap_plan is None:
            raise ValueError("a medigap second coverage needs medigap_plan: (A, B, C, D, F, G, M "
                             "or N), the letter on the policy")
        if self.type != "medigap" and self.medigap_plan is not None:
            raise ValueError(f"medigap_plan is only for type: medigap (got type: {self.type}); "
                             "remove medigap_plan:")
        if self.medigap_plan == "N" and self.copay is not None and self.copay > 20:
            raise ValueError(f"Plan N's copay is at most 20.00 a visit (got {self.copay}); "
                             "write copay: 20.00 or less")
        if self.type == "medigap" and self.medigap_plan != "N" and self.copay is not None:
            raise ValueError(f"only Medigap Plan N has a copay (got Plan {self.medigap_plan}); "
                             "remove copay:")
        return self


def course_start(day: dt.date) -> dt.date:
    """A course's start date: within this century, so its visit dates stay real dates."""
    if not 2000 <= day.year <= 2100:
        raise ValueError(f"a course starts between 2000 and 2100 (got {day.isoformat()}); "
                         "write the date it starts, like 2026-12-01")
    return day


class TherapySpent(Strict):
    """Medicare-allowed therapy already received this year, per threshold."""

    pt_slp: Amount = Decimal(0)
    ot: Amount = Decimal(0)


class ScenarioTranslation(Strict):
    """A scenario's name and description in another language."""

    name: Text
    description: Text | None = None


class Scenario(Strict):
    """An insurance situation that estimate pages price every course of care under."""

    id: Slug
    name: Text
    network: Network
    description: Text | None = None
    translations: dict[Language, ScenarioTranslation] = Field(default_factory=dict)
    payer: Text | None = None
    deductible_remaining: Amount = Decimal(0)
    coinsurance: Fraction = Decimal(0)
    copay: Amount | None = None
    copay_waives_deductible: bool = False
    oop_remaining: Amount | None = None
    visits_remaining: int | None = Field(default=None, ge=0, le=366)
    balance_billing: bool | None = None
    allowed_share: Fraction | None = None
    over_limit: Literal["cash", "gross"] = "cash"
    unit_rule: Literal["cms", "per-code"] = "cms"
    # Original Medicare: payment reduction for multiple therapy services, yearly therapy
    # thresholds and the Part B deductible of the yearly figures (docs/estimate.md).
    medicare: bool = False
    therapy_spent: TherapySpent = TherapySpent()
    second_coverage: SecondCoverage | None = None
    # A course that starts on `start` crosses into a new plan year on `plan_year_starts`
    # (a month; January for Medicare and calendar-year plans).
    start: Annotated[dt.date, Field(strict=False), AfterValidator(course_start)] | None = None
    plan_year_starts: Month = 1
    deductible: Amount | None = None  # the yearly amounts a new plan year starts with
    oop_max: Amount | None = None


class PriceTransparency(Strict):
    """Opting in to the CMS hospital machine-readable file (template v3.0.0) and
    cms-hpt.txt: what the template needs that the rest of the fee schedule does not say.
    Cross-field rules (contact email, 'other' methodology notes) are in `mrf`."""

    hospital_name: Text | None = None       # default: clinic.name
    license_state: Annotated[str, AfterValidator(_license_state)]
    license_number: Text | None = None
    type_2_npis: list[Annotated[str, AfterValidator(_npi)]] = Field(default_factory=list)
    attester_name: Text
    contact_name: Text
    contact_email: Email | None = None      # default: clinic.email
    csv_layout: Literal["tall", "wide"] = "tall"


class FeeSchedule(Strict):
    clinic: Clinic
    price_transparency: PriceTransparency | None = None
    payers: list[Payer] = Field(default_factory=list)
    services: list[Service] = Field(min_length=1)
    sessions: list[Session] = Field(default_factory=list)
    courses: list[Course] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)
    packages: list[Package] = Field(default_factory=list)
    sliding_scale: SlidingScale | None = None


class MarkdownOptions(Strict):
    allow_html: list[Literal["abbr", "b", "br", "cite", "del", "em", "i", "ins", "kbd", "mark",
                             "q", "s", "small", "strong", "sub", "sup", "u"]] = Field(
        default_factory=list)


class Limits(Strict):
    max_file_bytes: int = Field(default=2_000_000, gt=0)


class GoodFaithEstimateSettings(Strict):
    """`good_faith_estimate:` of site.yaml: the notice's version and, optionally, its text
    (sitegen/gfe.py holds the built-in notice)."""

    notice_version: Text | None = None
    notice_title: Text | None = None
    notice: list[Text] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _versioned(self) -> GoodFaithEstimateSettings:
        own = self.notice is not None or self.notice_title is not None
        builtin = ", ".join(notices.BUILTIN)
        if own and self.notice_version is None:
            raise ValueError("a notice text of your own needs a notice_version of its "
                             "own; add notice_version: (for example 2026-11-ours)")
        if own and self.notice_version in notices.BUILTIN:
            raise ValueError(f"notice_version '{self.notice_version}' is the name of a "
                             "built-in notice, but the text here is your own; give it a "
                             "version of its own (for example "
                             f"{self.notice_version}-ours)")
        if not own and self.notice_version is not None and \
                self.notice_version not in notices.BUILTIN:
            raise ValueError(f"unknown notice_version '{self.notice_version}'; use one of "
                             f"the built-in notices ({builtin}), or add notice: with your "
                             "own text")
        return self


class DeductibleChoice(Strict):
    """An answer to "where does your deductible stand?" in "What will I pay?"."""

    id: Slug
    name: Text
    deductible_remaining: Amount
    oop_remaining: Amount | None = None
    translations: dict[Language, NameTranslation] = Field(default_factory=dict)


class CostSharingChoice(Strict):
    """An answer to "how does your plan share the cost?" in "What will I pay?"."""

    id: Slug
    name: Text
    coinsurance: Fraction = Decimal(0)
    copay: Amount | None = None
    copay_waives_deductible: bool = False
    translations: dict[Language, NameTranslation] = Field(default_factory=dict)


def _default_deductibles() -> list[DeductibleChoice]:
    return [DeductibleChoice(id="not-started", name="Not started: $1,500.00 left",
                             translations={"es": {"name": "Sin empezar: le faltan $1,500.00"}},
                             deductible_remaining=Decimal("1500.00"),
                             oop_remaining=Decimal("4000.00")),
            DeductibleChoice(id="half-used", name="About half used: $750.00 left",
                             translations={"es": {"name": "Usado a la mitad: le faltan $750.00"}},
                             deductible_remaining=Decimal("750.00"),
                             oop_remaining=Decimal("3250.00")),
            DeductibleChoice(id="met", name="Met for this year",
                             translations={"es": {"name": "Ya cumplido este año"}},
                             deductible_remaining=Decimal(0), oop_remaining=Decimal("2500.00"))]


def _default_cost_sharing() -> list[CostSharingChoice]:
    return [CostSharingChoice(id="coinsurance-20", name="20% coinsurance",
                              translations={"es": {"name": "Coseguro del 20%"}},
                              coinsurance=Decimal("0.20")),
            CostSharingChoice(id="coinsurance-30", name="30% coinsurance",
                              translations={"es": {"name": "Coseguro del 30%"}},
                              coinsurance=Decimal("0.30")),
            CostSharingChoice(id="copay-40", name="$40 copay per visit", copay=Decimal("40.00"),
                              translations={"es": {"name": "Copago de $40 por visita"}},
                              copay_waives_deductible=True)]


class WhatWillIPay(Strict):
    """`what_will_i_pay:` of site.yaml: the answers the guided "What will I pay?" pages offer.
    Deductible and cost-sharing choices become rows of the answer page's table; visits
    already used become a question for plans with a visit limit."""

    deductible: list[DeductibleChoice] = Field(default_factory=_default_deductibles,
                                               min_length=1, max_length=6)
    cost_sharing: list[CostSharingChoice] = Field(default_factory=_default_cost_sharing,
                                                  min_length=1, max_length=6)
    visits_used: list[Annotated[int, Field(ge=0, le=365)]] = Field(
        default_factory=lambda: [0, 10, 20], min_length=1, max_length=6)
    # Out of network ("another plan", superbills): the share of the charge a plan allows.
    out_of_network_allowed_share: Fraction = Decimal("0.60")
    # Original Medicare (a payer named "Medicare"): the Part B deductible comes from the
    # yearly figures (figures/<YEAR>.yaml); set it here only for a site without them.
    medicare_deductible: Amount | None = None
    medicare_coinsurance: Fraction = Decimal("0.20")
    # Original Medicare's own questions: the second coverage (each Medigap plan listed, and
    # always none, Medicaid and another plan), then rows for when the course starts (late
    # months, where the new year falls inside the course) and what this year already used.
    medigap_plans: list[Literal["A", "B", "C", "D", "F", "G", "M", "N"]] = Field(
        default_factory=lambda: ["G", "N"], max_length=8)
    start_months: list[Month] = Field(default_factory=lambda: [10, 12], max_length=4)
    therapy_so_far: list[Amount] = Field(  # type: ignore[valid-type]
        default_factory=lambda: [Decimal(0), Decimal("1500.00")], min_length=1, max_length=4)
    second_plan_coinsurance: Fraction = Decimal("0.20")
    max_pages_per_clinic: int = Field(default=120, gt=0)

    @field_validator("medigap_plans", "therapy_so_far", "start_months")
    @classmethod
    def _once_each(cls, values: list) -> list:
        """Each answer once: the same one twice would make two pages or rows of one id."""
        seen = [v for i, v in enumerate(values) if v in values[:i]]
        if seen:
            raise ValueError(f"{seen[0]} is listed twice; list each answer once")
        return values


class GuidelineRegion(Strict):
    first_person: Money                  # type: ignore[valid-type]
    each_additional: Money               # type: ignore[valid-type]


class PovertyGuidelines(Strict):
    """The year's HHS poverty guidelines: configuration with its source, never code, so a
    new year is a change of site.yaml."""

    year: int = Field(ge=2000, le=2100)
    source_title: Text
    source_url: WebAddress
    checked: Day
    contiguous: GuidelineRegion
    alaska: GuidelineRegion
    hawaii: GuidelineRegion

    def region(self, state: str) -> GuidelineRegion:
        return self.alaska if state == "AK" else self.hawaii if state == "HI" else \
            self.contiguous

    def income(self, state: str, household: int, percent: int) -> Decimal:
        """`percent` of the guideline for a household, in whole dollars (rounded down)."""
        r = self.region(state)
        base = r.first_person + r.each_additional * (household - 1)
        return (base * percent / 100).to_integral_value(rounding="ROUND_FLOOR")


class MedicareYear(Strict):
    """One year's Original Medicare figures (CY physician fee schedule final rule)."""

    year: int = Field(strict=True, ge=2000, le=2100)
    part_b_deductible: Amount
    therapy_threshold_pt_slp: Amount
    therapy_threshold_ot: Amount
    targeted_review_threshold: Amount


class SiteTranslation(Strict):
    """The site's description in another language."""

    description: Text


class SiteConfig(Strict):
    title: Text
    description: Annotated[str, Field(max_length=2000)] = ""
    translations: dict[Language, SiteTranslation] = Field(default_factory=dict)
    base_url: Annotated[str, Field(min_length=1, max_length=2000),
                        AfterValidator(_base_url)] = "/"
    language: Text = "en"
    # The site's languages, the first one at the site's root and each other one under
    # /<code>/ with the same pages (README "Languages"); sitegen has UI catalogs for these.
    languages: list[Literal["en", "es"]] | None = Field(default=None, min_length=1)
    publisher: Text | None = None
    contact_email: Email | None = None
    # Prices older than this get a notice on their pages and a warning (an error under
    # --strict); see sitegen/freshness.py.
    stale_after_months: int = Field(default=12, gt=0, le=120)
    scenarios: list[Scenario] = Field(default_factory=list)
    markdown: MarkdownOptions = MarkdownOptions()
    limits: Limits = Limits()
    good_faith_estimate: GoodFaithEstimateSettings = GoodFaithEstimateSettings()
    what_will_i_pay: WhatWillIPay = WhatWillIPay()
    poverty_guidelines: PovertyGuidelines | None = None
    medicare: list[MedicareYear] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("a language is listed twice; list each one once, e.g. [en, es]")
        return value

    @property
    def site_languages(self) -> tuple[str, ...]:
        """The languages pages are built in, the default first (`language` alone: one)."""
        return tuple(self.languages) if self.languages else (self.language,)

    def medicare_year(self, year: int) -> MedicareYear | None:
        """The figures for `year`, or the latest earlier year's when it is not listed yet."""
        known = [m for m in self.medicare if m.year <= year]
        return max(known, key=lambda m: m.year) if known else None


class Edition(BaseModel):
    """One dated fee schedule of a clinic kept in a folder (rates/<clinic>/<date>.yaml)."""

    model_config = ConfigDict(frozen=True)

    effective: dt.date
    path: str
    schedule: FeeSchedule


class ClinicSource(BaseModel):
    """A validated fee schedule with where it came from (for located cross-file errors).
    A clinic kept as dated files is its schedule in effect, with every edition."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    slug: str
    path: str
    schedule: FeeSchedule
    positions: object  # yamlsrc.Positions
    effective: dt.date | None = None        # when `schedule` took effect (dated files only)
    editions: tuple[Edition, ...] = ()      # every dated schedule, oldest first

    @property
    def upcoming(self) -> tuple[Edition, ...]:
        """Schedules that take effect after the one in effect (published as 'from <date>')."""
        return tuple(e for e in self.editions
                     if self.effective is not None and e.effective > self.effective)

    @property
    def clinic(self) -> Clinic:
        return self.schedule.clinic

    def service(self, service_id: str) -> Service | None:
        """The service with this id; None for an unknown id (which `validate` reports)."""
        return next((s for s in self.schedule.services if s.id == service_id), None)

    def settings(self) -> list[str]:
        """Settings offered, in the canonical order."""
        offered = {s for service in self.schedule.services for s in service.settings}
        return [s for s in SETTINGS if s in offered]


class Site(BaseModel):
    """Everything the build read and validated: what `plan` and `render` work from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: SiteConfig
    clinics: tuple[ClinicSource, ...]
    pages: tuple[object, ...]  # content.Page, rendered
    # The pages in each other language: content/<lang>/<same path>.md, or the English
    # page marked as a fallback; same sources and URLs (a route adds the /<lang>/ prefix).
    localized: dict[str, tuple[object, ...]] = Field(default_factory=dict)
    lang: str = "en"  # the language of the pages planned from this site (`in_language`)

    def in_language(self, lang: str) -> Site:
        """The site as a page in `lang` sees it: the same clinics, that language's pages."""
        return self.model_copy(update={"pages": self.localized.get(lang, self.pages),
                                       "lang": lang})
    figures: object = None     # figures.Figures: the yearly figures in use

    def guides(self) -> list:
        """Published guides (content/guides/), by order then title."""
        found = [p for p in self.pages if p.source.startswith("guides/")]  # type: ignore
        return sorted(found, key=lambda p: (p.meta.order, p.meta.title))  # type: ignore

    def page(self, source: str):
        return next((p for p in self.pages if p.source == source), None)  # type: ignore
