"""Stage `validate`: rules that need more than one value: references between services,
sessions, courses and payers, duplicate ids, and rules across clinics."""

from __future__ import annotations

from collections import Counter

from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.model import ClinicSource


def validate_clinic(source: ClinicSource, diags: Diagnostics) -> None:
    schedule, pos, path = source.schedule, source.positions, source.path

    def at(*loc: str | int, key: bool = False) -> tuple[int, int]:
        return pos.of(loc, key=key)  # type: ignore[attr-defined]

    payer_keys = [p.key for p in schedule.payers]
    _duplicates(payer_keys, "payer plan", lambda i: at("payers", i), path, diags)
    service_ids = [s.id for s in schedule.services]
    _duplicates(service_ids, "service id", lambda i: at("services", i, "id"), path, diags)
    _duplicates([s.id for s in schedule.sessions], "session id",
                lambda i: at("sessions", i, "id"), path, diags)
    _duplicates([c.id for c in schedule.courses], "course id",
                lambda i: at("courses", i, "id"), path, diags)

    for i, service in enumerate(schedule.services):
        problem = service.code_problem()
        if problem:
            diags.error(path, *at("services", i, "code"), problem,
                        "check the code; set code_type: HCPCS for HCPCS codes")
        if service.cash_price > service.gross_charge:
            diags.warning(path, *at("services", i, "cash_price"),
                          f"cash price {service.cash_price} is above the gross charge "
                          f"{service.gross_charge}", "a self-pay price is normally a discount "
                          "on the gross charge; check both amounts")
        if service.inpatient_bundled and "inpatient" not in service.settings:
            diags.error(path, *at("services", i, "inpatient_bundled"),
                        "inpatient_bundled is set but the service is not offered inpatient",
                        "add inpatient to settings, or remove inpatient_bundled")
        for payer in service.negotiated:
            if payer not in payer_keys:
                diags.error(path, *at("services", i, "negotiated", payer, key=True),
                            f"negotiated rate for unknown payer plan '{payer}'",
                            did_you_mean(payer, payer_keys) or
                            "add it under payers (name and plan), or fix the spelling")

    services = {s.id: s for s in schedule.services}
    for i, session in enumerate(schedule.sessions):
        for j, line in enumerate(session.lines):
            where = ("sessions", i, "lines", j)
            service = services.get(line.service)
            if service is None:
                diags.error(path, *at(*where, "service"),
                            f"session '{session.id}' names unknown service '{line.service}'",
                            did_you_mean(line.service, service_ids) or
                            "use the id of one of this file's services")
                continue
            if (line.minutes is None) == (line.units is None):
                diags.error(path, *at(*where), "a session line needs either minutes or units",
                            "write minutes: for timed services, units: for the others")
            elif line.minutes is not None and not service.timed:
                diags.error(path, *at(*where, "minutes"),
                            f"'{service.id}' is not timed, so it cannot be billed by minutes",
                            "write units: 1 instead")
            if session.setting not in service.settings:
                diags.error(path, *at(*where, "service"),
                            f"'{service.id}' is not offered in the {session.setting} setting",
                            f"add {session.setting} to its settings, or use another service")

    session_ids = [s.id for s in schedule.sessions]
    for i, course in enumerate(schedule.courses):
        for j, visit in enumerate(course.visits):
            where = ("courses", i, "visits", j)
            if (visit.service is None) == (visit.session is None):
                diags.error(path, *at(*where), "a course visit needs either service or session",
                            "write service: <service id> or session: <session id>")
            elif visit.service is not None and visit.service not in services:
                diags.error(path, *at(*where, "service"),
                            f"course '{course.id}' names unknown service '{visit.service}'",
                            did_you_mean(visit.service, service_ids) or
                            "use the id of one of this file's services")
            elif visit.session is not None and visit.session not in session_ids:
                diags.error(path, *at(*where, "session"),
                            f"course '{course.id}' names unknown session '{visit.session}'",
                            did_you_mean(visit.session, session_ids) or
                            "use the id of one of this file's sessions")


def validate_clinics(clinics: list[ClinicSource], diags: Diagnostics) -> None:
    """Rules across files: each clinic slug (its URL) must be unique."""
    first: dict[str, str] = {}
    for source in clinics:
        key = source.slug.lower()
        if key in first:
            diags.error(source.path, *source.positions.of(("clinic",)),  # type: ignore
                        f"clinic slug '{source.slug}' is already used by {first[key]}",
                        "set a different clinic.slug, or rename the file")
        else:
            first[key] = source.path
        validate_clinic(source, diags)


def _duplicates(values: list[str], what: str, where, path: str, diags: Diagnostics) -> None:
    seen: Counter[str] = Counter()
    for i, value in enumerate(values):
        seen[value] += 1
        if seen[value] == 2:
            diags.error(path, *where(i), f"duplicate {what} '{value}'",
                        f"each {what} must be unique in the file")
