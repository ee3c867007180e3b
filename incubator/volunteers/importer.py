"""Importing a roster from Excel: parse and check every row, show the report, then
import the valid rows in one transaction when the user confirms.

Cells are read by ``incubator.spreadsheets``: a phone typed as a number is read as
its digits; a number too long for Excel to keep (an 18-digit ID number typed as a
number) is refused, as its last digits are already lost.

The template's example row is never imported: a row whose name holds 示例 or whose
phone is the example's number is skipped and shown as such in the report.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.community.models import Compound
from incubator.database import utcnow
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.normalize import nfkc, normalize_cells
from incubator.organizations.models import Organization
from incubator.spreadsheets import (
    LostDigits,
    NotAWorkbook,
    cell_text,
    workbook_sheets,
)
from incubator.volunteers import schemas as v
from incubator.volunteers.access import may_manage_roster
from incubator.volunteers.models import (
    MemberRole,
    Membership,
    RosterImport,
    Volunteer,
    VolunteerSkill,
)

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
# 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", re.ASCII
)
PENDING_HOURS = 24
# (header, key, required)
COLUMNS = (
    ("姓名", "name", True),
    ("性别", "gender", False),
    ("出生年份", "birth_year", True),
    ("手机号", "phone", True),
    ("小区", "compound", False),
    ("技能", "skills", False),
    ("可服务时间", "availability", False),
    ("加入日期", "joined_on", False),
    ("身份证号", "id_number", False),
    ("监护人姓名", "guardian_name", False),
    ("监护人同意日期", "guardian_consent_on", False),
    ("身份", "role", False),
)
HEADERS = {header: key for header, key, _r in COLUMNS}
ROLE_ALIASES = {
    "": MemberRole.MEMBER,
    "成员": MemberRole.MEMBER,
    "骨干": MemberRole.BACKBONE,
    "member": MemberRole.MEMBER,
    "backbone": MemberRole.BACKBONE,
}
# The template's example row: its name carries EXAMPLE_MARK and its phone is
# EXAMPLE_PHONE, the number every Chinese form uses as a sample (also the phone of
# the example in templates downloaded before the mark existed). A row with either
# is never imported, however the rest of it was edited.
EXAMPLE_MARK = "示例"
EXAMPLE_PHONE = "13800138000"
DATE_KEYS = ("joined_on", "guardian_consent_on")


def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook has one, a worksheet
    sheet.title = "志愿者名册"
    sheet.append([f"{h}*" if required else h for h, _k, required in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = [
        f"{EXAMPLE_MARK}：张三",
        "女",
        "1962",
        EXAMPLE_PHONE,
        "",
        "舞蹈、摄影",
        "周末",
        "2024-03-01",
        "",
        "",
        "",
        "成员",
    ]
    sheet.append(example)
    for index, _col in enumerate(COLUMNS, start=1):
        column = get_column_letter(index)
        sheet.column_dimensions[column].width = 14
        # Phone and ID columns are text, so Excel keeps every digit.
        for row in range(2, 1002):
            if COLUMNS[index - 1][1] in ("phone", "id_number", "birth_year"):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = book.create_sheet("填写说明")
    for line in (
        "带 * 的列必须填写；第一行是表头，请勿修改。",
        f"第二行是填写示例：姓名含“{EXAMPLE_MARK}”二字或手机号为 {EXAMPLE_PHONE} 的行"
        "导入时总是跳过，不会成为志愿者。可以删除示例行，也可以保留，"
        "从第三行起每行填写一名志愿者。",
        "手机号和身份证号请以文本格式填写（本模板已设为文本），"
        "否则 Excel 会损坏长数字。",
        "性别填 男 或 女；可服务时间填 工作日白天、工作日晚上、周末，"
        "多个用、分隔；技能多个用、分隔。",
        "不满 14 周岁的志愿者须填写监护人姓名和监护人同意日期。",
        "身份填 成员 或 骨干，默认为成员。",
    ):
        notes.append([line])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class RowResult:
    line: int
    errors: list[str]
    values: dict
    name: str = ""
    example: bool = False


def _text_cell(value, key: str, errors: list[str]):
    """Phone and ID numbers, already read as text by ``_read_cells``."""
    return str(value or "").strip()


def _read_cells(keys: list, raw: tuple) -> tuple[dict, list[str]]:
    """One sheet row as ``{column key: value}``: date columns keep Excel's dates,
    every other column is text (numbers as the digits they show). Returns the cells
    and the messages for cells that cannot be read (a number that lost digits),
    naming the column by its header and letter."""
    cells: dict = {}
    errors: list[str] = []
    for index, (key, value) in enumerate(zip(keys, raw, strict=False), start=1):
        if key is None:
            continue
        if key in DATE_KEYS and isinstance(value, date | datetime):
            cells[key] = value
            continue
        try:
            cells[key] = cell_text(value)
        except LostDigits:
            cells[key] = ""
            errors.append(
                _(
                    "%(col)s (column %(letter)s) is stored as a number of more than "
                    "15 digits, so Excel has already replaced its last digits with "
                    "zeros. Format the column as text and type it again.",
                    col=_column_label(key),
                    letter=get_column_letter(index),
                )
            )
    return cells, errors


def _is_example(cells: dict, values: dict) -> bool:
    name = str(cells.get("name") or "")
    return EXAMPLE_MARK in name or values.get("phone") == EXAMPLE_PHONE


def _column_label(key: str) -> str:
    return next(h for h, k, _r in COLUMNS if k == key)


def _date_cell(value, key: str, errors: list[str]):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.fullmatch(nfkc(str(value)))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    errors.append(_("%(col)s is not a date (2024-03-01).", col=_column_label(key)))
    return None


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


# Rows above the header that may hold a title (e.g. a merged "XX社区志愿者名册" line
# people add above the template's header).
HEADER_SEARCH_ROWS = 5


def _header_keys(row) -> list[str | None]:
    """The column key of each header cell. Blanks anywhere are ignored, so a
    header spaced out to line up (``姓　名``, ``出生 年份``) is still found, and a
    required column's star (``*`` or ``＊``) may be kept or dropped."""
    return [HEADERS.get("".join(str(h or "").split()).rstrip("*＊")) for h in row or ()]


def _find_header(rows) -> tuple[list[str | None], int]:
    """The column keys of the header row and its line number: the first of the
    first ``HEADER_SEARCH_ROWS`` rows that holds every required header, so a title
    row above the template's header is skipped. Raises ``ValidationFailed`` naming
    the required headers missing from the first row otherwise."""
    first: list[str | None] | None = None
    for line, row in enumerate(rows, start=1):
        keys = _header_keys(row)
        if first is None:
            first = keys
        if all(k in keys for _h, k, required in COLUMNS if required):
            return keys, line
        if line >= HEADER_SEARCH_ROWS:
            break
    raise _no_header(first or [])


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


def _jsonable(values: dict) -> dict:
    return {
        k: (val.isoformat() if isinstance(val, date) else val)
        for k, val in values.items()
    }


def prepare_import(
    data: bytes, filename: str, *, actor: User, organization: Organization | None
) -> RosterImport:
    """Parse the file and keep the rows for confirmation; returns the pending
    import. ``batch.rows`` are the rows that confirming will import (line, name and
    every checked field); ``batch.report`` lists the other rows as ``{"line", "name",
    "errors"}``, plus ``"example": True`` for the template's example row, which is
    skipped and counted in neither ``total_rows`` nor ``valid_rows``. Raises
    ``ValidationFailed`` for a file that cannot be read (see ``parse_roster``) or
    an organization the actor may not manage."""
    if organization is not None and not may_manage_roster(actor, organization):
        raise ValidationFailed(
            _l("You may manage only your own organization's roster."),
            field="organization_id",
        )
    if organization is None and actor.role == "org_leader":
        raise ValidationFailed(
            _l("Choose the organization the volunteers join."), field="organization_id"
        )
    purge_stale_imports()
    results = parse_roster(data, actor=actor, organization=organization)
    real = [r for r in results if not r.example]
    batch = RosterImport(
        created_by_id=actor.id,
        filename=(filename or "")[:200],
        organization_id=organization.id if organization else None,
        total_rows=len(real),
        valid_rows=sum(1 for r in real if not r.errors),
        rows=[{"line": r.line, **_jsonable(r.values)} for r in real if not r.errors],
        report=[
            {"line": r.line, "name": r.name, "errors": r.errors}
            | ({"example": True} if r.example else {})
            for r in results
            if r.errors or r.example
        ],
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def import_roster_file(
    data: bytes,
    filename: str = "",
    *,
    actor: User,
    organization: Organization | None = None,
) -> int:
    """Check ``data`` and import its valid rows at once, as uploading then
    confirming does; returns how many volunteers were imported. Flushes, never
    commits. Kept for ``make bench`` (the 5,000-row import) and scripts; raises as
    ``prepare_import`` and ``confirm_import`` do."""
    batch = prepare_import(data, filename, actor=actor, organization=organization)
    return confirm_import(batch, actor=actor)


def _already_on_roster(field, values: list[str]) -> set[str]:
    found: set[str] = set()
    column = getattr(Volunteer, field)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found.update(db.session.scalars(select(column).where(column.in_(chunk))))
    return found


def confirm_import(batch: RosterImport, *, actor: User) -> int:
    """Save every valid row of ``batch`` or none: the rows are checked again against
    the roster as it is now, then inserted together (the caller commits once).
    Returns how many volunteers were imported."""
    if batch.status != "pending" or batch.created_by_id != actor.id:
        raise ValidationFailed(_l("This import was already confirmed or discarded."))
    organization = (
        db.session.get(Organization, batch.organization_id)
        if batch.organization_id
        else None
    )
    if organization is not None and not may_manage_roster(actor, organization):
        raise ValidationFailed(
            _l("You may manage only your own organization's roster.")
        )
    rows = [dict(row) for row in batch.rows]
    for field in ("phone", "id_number"):
        taken = _already_on_roster(field, [r[field] for r in rows if r.get(field)])
        clashes = [str(r["line"]) for r in rows if r.get(field) in taken]
        if clashes:
            raise ValidationFailed(
                _l(
                    "Rows %(lines)s were added to the roster meanwhile; upload the "
                    "file again. Nothing was imported.",
                    lines=", ".join(clashes[:20]),
                )
            )
    ids = _insert_rows(batch, rows, organization)
    _close(batch, "imported")
    audit.record_event(
        "import",
        "RosterImport",
        actor=actor,
        entity_id=batch.id,
        summary=f"{len(ids)} volunteers"
        + (f" into organization {organization.id}" if organization else ""),
        changes={"volunteer_ids": [None, ids]},
    )
    db.session.flush()
    return len(ids)


def _insert_rows(
    batch: RosterImport, rows: list[dict], organization: Organization | None
) -> list[int]:
    """Insert the volunteers of ``rows`` with their skills and memberships; returns
    their ids in row order. A few statements whatever the number of rows: the ORM
    would insert one row per statement on SQLite, which cannot return the ids of a
    multi-row insert in order. Each row is inserted under a temporary number unique
    to the batch, read back in one query, then numbered ``V000123`` from its id.
    Raises ``ValidationFailed`` when a row clashes with the roster (unique phone or
    ID number) after all."""
    if not rows:
        return []
    volunteer = Volunteer.__table__
    marker = f"I{batch.id}-"
    records = [
        {
            "number": f"{marker}{index}",
            "name": row["name"],
            "gender": row.get("gender") or "unknown",
            "birth_year": row["birth_year"],
            "phone": row.get("phone"),
            "id_number": row.get("id_number"),
            "compound_id": row.get("compound_id"),
            "availability": row.get("availability") or [],
            "joined_on": _date_or_none(row.get("joined_on")),
            "guardian_name": row.get("guardian_name"),
            "guardian_consent_on": _date_or_none(row.get("guardian_consent_on")),
        }
        for index, row in enumerate(rows)
    ]
    try:
        db.session.execute(insert(volunteer), records)
    except IntegrityError:
        raise ValidationFailed(
            _l(
                "Some rows clash with the roster or with each other; upload the file "
                "again. Nothing was imported."
            )
        ) from None
    by_marker = dict(
        db.session.execute(
            select(volunteer.c.number, volunteer.c.id).where(
                volunteer.c.number.like(f"{marker}%")
            )
        ).all()
    )
    ids = [by_marker[record["number"]] for record in records]
    db.session.execute(
        update(volunteer)
        .where(volunteer.c.id == bindparam("volunteer_id"))
        .values(number=bindparam("final_number")),
        [{"volunteer_id": i, "final_number": f"V{i:06d}"} for i in ids],
    )
    skills = [
        {"volunteer_id": i, "skill": name}
        for i, row in zip(ids, rows, strict=True)
        for name in row.get("skills") or []
    ]
    if skills:
        db.session.execute(insert(VolunteerSkill.__table__), skills)
    if organization is not None:
        db.session.execute(
            insert(Membership.__table__),
            [
                {
                    "volunteer_id": i,
                    "organization_id": organization.id,
                    "role": row.get("role") or MemberRole.MEMBER,
                    "joined_on": _date_or_none(row.get("joined_on")) or local_today(),
                }
                for i, row in zip(ids, rows, strict=True)
            ],
        )
    return ids


def _date_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def purge_stale_imports() -> int:
    """Drop the rows of uploads left unconfirmed for a day: they hold residents'
    numbers and must not stay around."""
    cutoff = utcnow() - timedelta(hours=PENDING_HOURS)
    stale = db.session.scalars(
        select(RosterImport).where(
            RosterImport.status == "pending", RosterImport.created_at < cutoff
        )
    ).all()
    for batch in stale:
        _close(batch, "expired")
    return len(stale)


def discard_import(batch: RosterImport, *, actor: User) -> None:
    if batch.created_by_id != actor.id or batch.status != "pending":
        return
    _close(batch, "discarded")
    db.session.flush()


def _close(batch: RosterImport, status: str) -> None:
    """End a pending import: its rows and the names in its report are residents'
    data and are not kept; the line numbers and problems stay."""
    batch.status = status
    batch.rows = []
    batch.report = [
        {key: val for key, val in entry.items() if key != "name"}
        for entry in batch.report or []
    ]
