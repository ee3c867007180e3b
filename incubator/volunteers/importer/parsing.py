"""Parsing a roster workbook: finding the template's header row on the right sheet,
then reading and checking every row below it. Nothing is saved."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.auth.models import User
from incubator.community.models import Compound
from incubator.errors import ValidationFailed
from incubator.extensions import db
from incubator.organizations.models import Organization
from incubator.spreadsheets import (
    HeaderMissing,
    NotAWorkbook,
    find_header,
    workbook_sheets,
)
from incubator.volunteers.importer.cells import RowResult, _is_example, _read_cells
from incubator.volunteers.importer.checks import _check_row
from incubator.volunteers.importer.template import COLUMNS, HEADERS
from incubator.volunteers.models import Volunteer

MAX_ROWS = 10_000
# Rows above the header that may hold a title (e.g. a merged "XX社区志愿者名册" line
# people add above the template's header).
HEADER_SEARCH_ROWS = 5


def parse_roster(
    data: bytes, *, actor: User, organization: Organization | None
) -> list[RowResult]:
    """Read and check every row of the first sheet holding the template's header
    (an empty sheet or a notes sheet before the roster is passed over), below that
    header row (row 1, or a later one of the first ``HEADER_SEARCH_ROWS`` under a
    title); returns one ``RowResult`` per non-empty row, ``example=True`` for the
    template's example. Nothing is saved. Raises ``ValidationFailed`` (field
    ``file``) for a file that is not an .xlsx workbook, has no sheet with the
    required headers (the message names those missing from the first sheet), or
    has over ``MAX_ROWS`` rows."""
    try:
        with workbook_sheets(data) as sheets:
            refusal = None
            for rows in sheets:
                try:
                    keys, header_line = _find_header(rows)
                except ValidationFailed as exc:
                    refusal = refusal or exc
                    continue
                return _parse_rows(rows, keys, header_line)
            raise refusal or _no_header([])
    except NotAWorkbook:
        raise ValidationFailed(
            _l("This is not an .xlsx file; download the template and fill it in."),
            field="file",
        ) from None


def _find_header(rows) -> tuple[list[str | None], int]:
    """The column keys of the header row and its line number: the first of the
    first ``HEADER_SEARCH_ROWS`` rows that holds every required header, so a title
    row above the template's header is skipped. Raises ``ValidationFailed`` naming
    the required headers missing from the first row otherwise."""
    required = [k for _h, k, required in COLUMNS if required]
    try:
        return find_header(rows, HEADERS, required, HEADER_SEARCH_ROWS)
    except HeaderMissing as exc:
        raise _no_header(exc.first) from None


def _no_header(keys: list[str | None]) -> ValidationFailed:
    missing = [h for h, k, required in COLUMNS if required and k not in keys]
    return ValidationFailed(
        _l(
            "The template's header row was not found in the first %(n)d rows; "
            "missing: %(cols)s.",
            n=HEADER_SEARCH_ROWS,
            cols="、".join(missing),
        ),
        field="file",
    )


def _parse_rows(rows, keys: list[str | None], header_line: int) -> list[RowResult]:
    compounds = {c.name: c.id for c in db.session.scalars(select(Compound))}
    known_phones = set(
        db.session.scalars(select(Volunteer.phone).where(Volunteer.phone.is_not(None)))
    )
    known_ids = set(
        db.session.scalars(
            select(Volunteer.id_number).where(Volunteer.id_number.is_not(None))
        )
    )
    seen_phones: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    results: list[RowResult] = []
    for line, raw in enumerate(rows, start=header_line + 1):
        if raw is None or all(c in (None, "") for c in raw):
            continue
        if len(results) >= MAX_ROWS:
            raise ValidationFailed(
                _l("At most %(n)d rows per file.", n=MAX_ROWS), field="file"
            )
        cells, unreadable = _read_cells(keys, raw)
        if unreadable:
            # The other checks wait until the number is typed again as text.
            result = RowResult(line=line, errors=unreadable, values={})
        else:
            result = _check_row(
                line, cells, compounds, known_phones, known_ids, seen_phones, seen_ids
            )
        result.name = " ".join(str(cells.get("name") or "").split())[:32]
        if _is_example(cells, result.values):
            result.example = True
            for seen, key in ((seen_phones, "phone"), (seen_ids, "id_number")):
                if key in result.values and seen.get(result.values[key]) == line:
                    del seen[result.values[key]]
        results.append(result)
    return results
