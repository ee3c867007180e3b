"""Checking one roster row: every field as the volunteer form checks it, the
compound and role, and phone and ID numbers already on the roster or in the file."""

from __future__ import annotations

from flask_babel import gettext as _

from incubator.errors import DomainError
from incubator.i18n import local_today
from incubator.normalize import normalize_cells
from incubator.volunteers import schemas as v
from incubator.volunteers.importer.cells import RowResult, _date_cell, _text_cell
from incubator.volunteers.importer.template import (
    HEADERS,
    ROLE_ALIASES,
    _column_label,
)


def _check_row(line, cells, compounds, known_phones, known_ids, seen_phones, seen_ids):
    errors: list[str] = []
    values: dict = {}
    cells, refused = normalize_cells(cells)
    errors.extend(
        _("%(col)s: %(message)s", col=_column_label(key), message=message)
        for key, message in refused.items()
        if key in HEADERS.values()
    )

    def attempt(key, fn):
        try:
            values[key] = fn()
        except DomainError as exc:
            errors.append(str(exc.message))

    for key, clean in (("name", v.clean_name), ("birth_year", v.clean_birth_year)):
        if cells.get(key) in (None, ""):
            errors.append(_("%(col)s is required.", col=_column_label(key)))
        else:
            attempt(key, lambda clean=clean, key=key: clean(cells.get(key)))
    attempt("gender", lambda: v.clean_gender(cells.get("gender")))
    phone = _text_cell(cells.get("phone"), "phone", errors)
    if phone is not None:
        if not phone:
            errors.append(_("%(col)s is required.", col=_column_label("phone")))
        else:
            attempt("phone", lambda: v.clean_phone(phone))
    id_text = _text_cell(cells.get("id_number"), "id_number", errors)
    if id_text:
        attempt(
            "id_number",
            lambda: v.clean_id_number(id_text, birth_year=values.get("birth_year")),
        )
    compound = str(cells.get("compound") or "").strip()
    if compound:
        if compound in compounds:
            values["compound_id"] = compounds[compound]
        else:
            errors.append(_("Unknown compound %(name)s.", name=compound))
    attempt("skills", lambda: v.clean_skills(str(cells.get("skills") or "")))
    attempt(
        "availability",
        lambda: v.clean_availability(str(cells.get("availability") or "")),
    )
    values["joined_on"] = _date_cell(cells.get("joined_on"), "joined_on", errors)
    values["guardian_name"] = str(cells.get("guardian_name") or "").strip() or None
    values["guardian_consent_on"] = _date_cell(
        cells.get("guardian_consent_on"), "guardian_consent_on", errors
    )
    if "birth_year" in values:
        attempt(
            "_guardian",
            lambda: v.check_guardian(
                values["birth_year"],
                values["guardian_name"],
                values["guardian_consent_on"],
                values.get("id_number"),
            ),
        )
        values.pop("_guardian", None)
    role = str(cells.get("role") or "").strip()
    if role in ROLE_ALIASES:
        values["role"] = ROLE_ALIASES[role].value
    else:
        errors.append(_("身份 is 成员 or 骨干."))
    number = values.get("phone")
    if number:
        if number in known_phones:
            errors.append(_("This phone number is already on the roster."))
        elif number in seen_phones:
            errors.append(
                _(
                    "Same phone number as row %(line)d of this file.",
                    line=seen_phones[number],
                )
            )
        else:
            seen_phones[number] = line
    id_number = values.get("id_number")
    if id_number:
        if id_number in known_ids:
            errors.append(_("This ID number is already on the roster."))
        elif id_number in seen_ids:
            errors.append(
                _(
                    "Same ID number as row %(line)d of this file.",
                    line=seen_ids[id_number],
                )
            )
        else:
            seen_ids[id_number] = line
    for key in ("joined_on", "guardian_consent_on"):
        if values.get(key) and values[key] > local_today():
            errors.append(_("%(col)s cannot be in the future.", col=_column_label(key)))
    return RowResult(line=line, errors=errors, values=values)
