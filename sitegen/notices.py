"""The built-in texts of the notice "Your right to receive a good faith estimate", one per
version (45 CFR 149.610 and CMS's model notice, form CMS-10791, OMB 0938-1433).

A leaf module (it imports nothing of sitegen), so that `model` can check a site's
`notice_version` and `gfe` can print the text. A published version is never edited: a
change of wording is a new version, so that a clinic's notice never changes under it
without the version printed beneath it changing too. docs/gfe.md cites the sources.

Each version has a faithful Spanish translation (`notice_for(version, "es")`) in the terms
of CMS's own Spanish model notice ("Estimación de buena fe", "proveedores y centros de
atención médica", "disputar la factura"); a translation changes only with a new version.
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

TITLE_ES = "Su derecho a recibir una estimación de buena fe de los cargos esperados"

# CMS's Spanish standard notice of 2022, in its own words.
V2026_01_ES = NoticeText(
    TITLE_ES,
    ("Tiene derecho a recibir una \u201cEstimación de buena fe\u201d que explique "
     "cuánto costará su atención médica.",
     "Según la ley, los proveedores de atención médica deben dar a los pacientes "
     "que no tienen seguro o que no usan seguro una estimación de la factura de los "
     "artículos y servicios médicos."),
    ("Tiene derecho a recibir una Estimación de buena fe por el costo total esperado de "
     "cualquier artículo o servicio que no sea de emergencia. Esto incluye costos "
     "relacionados, como exámenes médicos, medicamentos recetados, equipos y tarifas "
     "hospitalarias.",
     "Asegúrese de que su proveedor de atención médica le dé una "
     "Estimación de buena fe por escrito por lo menos 1 día hábil antes de su "
     "servicio o artículo médico. También puede pedirle a su proveedor de "
     "atención médica, y a cualquier otro proveedor que elija, una Estimación "
     "de buena fe antes de programar un artículo o servicio.",
     "Si recibe una factura que es por lo menos $400 más que su Estimación de buena "
     "fe, puede disputar la factura.",
     "Asegúrese de guardar una copia o una imagen de su Estimación de buena fe."),
    "Si tiene preguntas o desea más información sobre su derecho a una "
    "Estimación de buena fe, visite www.cms.gov/nosurprises o llame al 1-800-985-3059.",
)

# The revised notice, sentence by sentence.
V2026_11_ES = NoticeText(
    TITLE_ES,
    ("Tiene derecho a recibir una \u201cEstimación de buena fe\u201d de cuánto "
     "costará su atención médica.",
     "Según la ley federal, los proveedores y centros de atención médica deben "
     "dar una estimación de la factura de los artículos y servicios de atención "
     "médica, antes de que usted los reciba, a las personas que no tienen cobertura de "
     "salud y a las personas que tienen cobertura pero no la usan (que pagan por cuenta "
     "propia). Las personas inscritas en Medicare, Medicaid u otro programa federal de "
     "atención médica no pagan por cuenta propia los servicios que cubre su "
     "programa."),
    ("Puede recibir una Estimación de buena fe del costo total esperado de artículos "
     "o servicios de atención médica cuando los programe, o cuando la pida. Incluye "
     "costos relacionados, como exámenes médicos, medicamentos recetados, equipos y "
     "cargos del centro.",
     "Si programa la atención con 3 a 9 días hábiles de anticipación, el "
     "proveedor o centro debe darle la estimación por escrito dentro de 1 día "
     "hábil después de programarla. Si la programa con al menos 10 días "
     "hábiles de anticipación, dentro de 3 días hábiles después de "
     "programarla. Si pide una estimación sin programar la atención, dentro de 3 "
     "días hábiles después de pedirla. Para la atención programada con menos "
     "de 3 días hábiles de anticipación no se exige una estimación, pero "
     "usted puede pedirla de todos modos.",
     "Si un proveedor o centro le factura por lo menos $400 más que la Estimación de "
     "buena fe que le dio, puede disputar la factura. Empiece dentro de los 120 días "
     "calendario siguientes a la fecha de la primera factura; el cargo es de $25 y no se "
     "reembolsa. Luego, un revisor independiente decide cuánto paga usted: el monto de "
     "la estimación, el monto de la factura o un monto intermedio.",
     "Guarde una copia o una imagen de su Estimación de buena fe y de la factura."),
    "Si tiene preguntas o desea más información sobre su derecho a una "
    "Estimación de buena fe, visite www.cms.gov/nosurprises/consumers, escriba a "
    "FederalPPDRQuestions@cms.hhs.gov o llame al 1-800-985-3059.",
)

TRANSLATIONS: dict[str, dict[str, NoticeText]] = {
    "es": {"2026-01": V2026_01_ES, "2026-11": V2026_11_ES},
}


def notice_for(version: str, lang: str) -> NoticeText:
    """The built-in notice `version` (a key of BUILTIN, which `model` has checked) in
    `lang`; English for a language without a translation, never a mix of the two."""
    return TRANSLATIONS.get(lang, {}).get(version) or BUILTIN[version]
