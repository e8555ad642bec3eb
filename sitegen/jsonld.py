"""Stage `render` (structured data): the schema.org `MedicalClinic` JSON-LD of a clinic page,
with its NPI and one offer per separately charged service (cash price and list price, from
`tables.price_rows` like the cost tables).

It goes into the page as `<script type="application/ld+json">`, the only script the site
allows: data, never run. '<', '>' and '&' are written as \\u escapes, so no text from a
fee schedule can close the element.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from sitegen.model import ClinicSource, Session
from sitegen.tables import PriceRow, all_rows
from sitegen.urls import absolute_url, clinic_url

UNIT_QUANTITY = {
    "per 15 minutes": {"@type": "QuantitativeValue", "value": 15, "unitCode": "MIN",
                       "unitText": "per 15 minutes"},
    "per visit": {"@type": "QuantitativeValue", "value": 1, "unitText": "per visit"},
}


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def offer_rows(source: ClinicSource, rows: Sequence[PriceRow] | None = None) -> list[PriceRow]:
    """The first priced row of each service (every priced row of a service has the same
    amounts); services charged only as part of an inpatient stay have no offer."""
    seen: dict[str, PriceRow] = {}
    for row in all_rows(source, rows):
        if not row.bundled:
            seen.setdefault(row.service.id, row)
    order = {s.id: i for i, s in enumerate(source.schedule.services)}
    return sorted(seen.values(), key=lambda r: order[r.service.id])


def _cash_specification(row: PriceRow, unit: dict[str, Any]) -> dict[str, Any]:
    """The cash price, or its range as minPrice and maxPrice."""
    spec: dict[str, Any] = {"@type": "UnitPriceSpecification", "name": "Cash price"}
    if row.cash_price_max is not None:
        spec.update(minPrice=_amount(row.cash_price), maxPrice=_amount(row.cash_price_max))
    else:
        spec["price"] = _amount(row.cash_price)
    spec.update(priceCurrency="USD", referenceQuantity=unit)
    return spec


def _offer(row: PriceRow) -> dict[str, Any]:
    service = row.service
    unit = UNIT_QUANTITY[service.unit]
    offer: dict[str, Any] = {
        "@type": "Offer",
        "price": _amount(row.cash_price),
        "priceCurrency": "USD",
        "itemOffered": {
            "@type": "MedicalProcedure",
            "name": service.description,
            "code": {"@type": "MedicalCode", "codeValue": service.display_code,
                     "codingSystem": service.code_type},
        },
        "priceSpecification": [
            _cash_specification(row, unit),
            {"@type": "UnitPriceSpecification", "name": "Gross charge",
             "priceType": "https://schema.org/ListPrice",
             "price": _amount(row.gross_charge), "priceCurrency": "USD",
             "referenceQuantity": unit},
        ],
    }
    if row.location is not None:
        offer["availableAtOrFrom"] = {
            "@type": "Place", "name": row.location.name,
            "address": {"@type": "PostalAddress", "addressLocality": row.location.address.city,
                        "addressRegion": row.location.address.state}}
    return offer


def _visit_offer(session: Session) -> dict[str, Any]:
    """A visit with one self-pay price (or range), whatever codes it bills."""
    assert session.cash_price is not None
    spec: dict[str, Any] = {"@type": "UnitPriceSpecification", "name": "Cash price"}
    if session.cash_price_max is not None:
        spec.update(minPrice=_amount(session.cash_price),
                    maxPrice=_amount(session.cash_price_max))
    else:
        spec["price"] = _amount(session.cash_price)
    spec.update(priceCurrency="USD", referenceQuantity=UNIT_QUANTITY["per visit"])
    return {"@type": "Offer", "name": f"Visit: {session.name}",
            "price": _amount(session.cash_price), "priceCurrency": "USD",
            "priceSpecification": [spec]}


def clinic_data(source: ClinicSource, base_url: str,
                rows: Sequence[PriceRow] | None = None) -> dict[str, Any]:
    clinic = source.clinic
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": clinic.name,
        "url": absolute_url(base_url, clinic_url(source.slug), full=True),
        "identifier": [{"@type": "PropertyValue", "propertyID": "NPI", "value": clinic.npi}],
    }
    if clinic.about:
        data["description"] = clinic.about
    if clinic.email:
        data["email"] = clinic.email
    data["location"] = [{
        "@type": "Place",
        "name": loc.name,
        "telephone": loc.phone,
        "address": {"@type": "PostalAddress", "streetAddress": loc.address.street,
                    "addressLocality": loc.address.city, "addressRegion": loc.address.state,
                    "postalCode": loc.address.zip, "addressCountry": "US"},
    } for loc in clinic.locations]
    offers = [_offer(row) for row in offer_rows(source, rows)] + [
        _visit_offer(s) for s in source.schedule.sessions if s.cash_price is not None] + [
        {"@type": "Offer", "name": f"Prepaid package: {p.name}", "price": _amount(p.price),
         "priceCurrency": "USD", "eligibleQuantity": {"@type": "QuantitativeValue",
                                                      "value": p.visits, "unitText": "visits"}}
        for p in source.schedule.packages]
    for offer in offers:  # the days the prices apply (dated fee schedules, effective_until)
        if source.effective is not None:
            offer["validFrom"] = source.effective.isoformat()
        if clinic.effective_until is not None:
            offer["priceValidUntil"] = clinic.effective_until.isoformat()
    data["makesOffer"] = offers
    return data


def script_json(data: Any) -> str:
    """JSON safe inside <script>: '<', '>' and '&' escaped, which JSON allows in strings
    (the only place they can occur)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact: C encoder
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def clinic_jsonld(source: ClinicSource, base_url: str,
                  rows: Sequence[PriceRow] | None = None) -> Markup:
    return Markup('<script type="application/ld+json">\n{}\n</script>').format(
        Markup(script_json(clinic_data(source, base_url, rows))))
