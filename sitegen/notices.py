"""The built-in texts of the notice "Your right to receive a good faith estimate", one per
version (45 CFR 149.610 and CMS's model notice, form CMS-10791, OMB 0938-1433).

A leaf module (it imports nothing of sitegen), so that `model` can check a site's
`notice_version` and `gfe` can print the text. A published version is never edited: a
change of wording is a new version, so that a clinic's notice never changes under it
without the version printed beneath it changing too. docs/gfe.md cites the sources.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoticeText:
    title: str
    paragraphs: tuple[str, ...]
    points: tuple[str, ...]
    contact: str


TITLE = "Your right to receive a good faith estimate of expected charges"

# The original CMS standard notice of 2022 ("at least 1 business day before your medical
# service"), kept so that sites that chose it keep printing it.
V2026_01 = NoticeText(
    TITLE,
    ("You have the right to receive a \u201cGood Faith Estimate\u201d explaining how much "
     "your medical care will cost.",
     "Under the law, health care providers need to give patients who don\u2019t have "
     "insurance or who are not using insurance an estimate of the bill for medical items "
     "and services."),
    ("You have the right to receive a Good Faith Estimate for the total expected cost of any "
     "non-emergency items or services. This includes related costs like medical tests, "
     "prescription drugs, equipment, and hospital fees.",
     "Make sure your health care provider gives you a Good Faith Estimate in writing at least "
     "1 business day before your medical service or item. You can also ask your health care "
     "provider, and any other provider you choose, for a Good Faith Estimate before you "
     "schedule an item or service.",
     "If you receive a bill that is at least $400 more than your Good Faith Estimate, you can "
     "dispute the bill.",
     "Make sure to save a copy or picture of your Good Faith Estimate."),
    "For questions or more information about your right to a Good Faith Estimate, visit "
    "www.cms.gov/nosurprises or call 1-800-985-3059.",
)

# The revised CMS model notice (CMS-10791): the three timing rules, $400 per provider or
# facility, a copy of the estimate and of the bill, and where to ask; in our own words,
# with who counts as self-pay and the dispute's deadline, fee and outcome spelled out.
V2026_11 = NoticeText(
    TITLE,
    ("You have the right to receive a \u201cGood Faith Estimate\u201d of how much your "
     "health care will cost.",
     "Under federal law, health care providers and facilities must give an estimate of the "
     "bill for health care items and services, before you get them, to people who have no "
     "health coverage and to people who have coverage but are not using it (self-pay). "
     "People enrolled in Medicare, Medicaid or another federal health care program are not "
     "self-pay for the services their program covers."),
    ("You can get a Good Faith Estimate of the total expected cost of health care items or "
     "services when you schedule them, or whenever you ask for one. It includes related "
     "costs like medical tests, prescription drugs, equipment and facility fees.",
     "If you schedule care 3 to 9 business days ahead, the provider or facility must give "
     "you the estimate in writing within 1 business day after you schedule. If you schedule "
     "at least 10 business days ahead, within 3 business days after you schedule. If you ask "
     "for an estimate without scheduling, within 3 business days after you ask. For care "
     "scheduled fewer than 3 business days ahead, no estimate is required, but you can "
     "still ask for one.",
     "If a provider or facility bills you at least $400 more than its Good Faith Estimate, "
     "you can dispute the bill. Start within 120 calendar days of the date on the first "
     "bill; the fee is $25 and is not refunded. An independent reviewer then decides what "
     "you pay: the amount of the estimate, the amount of the bill, or an amount in between.",
     "Save a copy or a picture of your Good Faith Estimate and of the bill."),
    "For questions or more information about your right to a Good Faith Estimate, visit "
    "www.cms.gov/nosurprises/consumers, email FederalPPDRQuestions@cms.hhs.gov, or call "
    "1-800-985-3059.",
)

BUILTIN: dict[str, NoticeText] = {"2026-01": V2026_01, "2026-11": V2026_11}
CURRENT = "2026-11"
