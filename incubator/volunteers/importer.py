"""Importing a roster from Excel: parse and check every row, show the report, then
import the valid rows in one transaction when the user confirms.

Phone and ID numbers must be text cells: Excel stores numbers as floating point,
which silently damages an 18-digit ID number, so a numeric cell is refused there.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from zipfile import BadZipFile

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator.audit import services as audit
from incubator.auth.models import User
from incubator.database import utcnow
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.normalize import nfkc, normalize_cells
from incubator.organizations.models import Organization
from incubator.projects.models import Compound
from incubator.volunteers import validation as v
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


def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "志愿者名册"
    sheet.append([f"{h}*" if required else h for h, _k, required in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = [
        "张三",
        "女",
        "1962",
        "13800138000",
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
        column = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[column].width = 14
        # Phone and ID columns are text, so Excel keeps every digit.
        for row in range(2, 1002):
            if COLUMNS[index - 1][1] in ("phone", "id_number", "birth_year"):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = book.create_sheet("填写说明")
    for line in (
        "带 * 的列必须填写；第一行是表头，请勿修改。",
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


def _text_cell(value, key: str, errors: list[str]):
    """Phone and ID numbers: text only; a number cell has lost or may lose digits."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        errors.append(
            _(
                "%(col)s is stored as a number in Excel; format the column as text and "
                "type it again.",
                col=_column_label(key),
            )
        )
        return None
    return str(value).strip()


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


def parse_roster(data: bytes, *, actor: User, organization: Organization | None):
    """Read and check every row; returns (rows, report). Nothing is saved."""
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError, TypeError):
        raise ValidationFailed(
            _l("This is not an .xlsx file; download the template and fill it in."),
            field="file",
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    keys = [HEADERS.get(str(h or "").strip().rstrip("*")) for h in header]
    missing = [h for h, k, required in COLUMNS if required and k not in keys]
    if missing:
        book.close()
        raise ValidationFailed(
            _l(
                "The first row must hold the template's headers; missing: %(cols)s.",
                cols="、".join(missing),
            ),
            field="file",
        )
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
    for line, raw in enumerate(rows, start=2):
        if raw is None or all(c in (None, "") for c in raw):
            continue
        if len(results) >= MAX_ROWS:
            book.close()
            raise ValidationFailed(
                _l("At most %(n)d rows per file.", n=MAX_ROWS), field="file"
            )
        cells = dict(zip(keys, raw, strict=False))
        results.append(
            _check_row(
                line, cells, compounds, known_phones, known_ids, seen_phones, seen_ids
            )
        )
    book.close()
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
    import with its per-row report."""
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
    batch = RosterImport(
        created_by_id=actor.id,
        filename=(filename or "")[:200],
        organization_id=organization.id if organization else None,
        total_rows=len(results),
        valid_rows=sum(1 for r in results if not r.errors),
        rows=[{"line": r.line, **_jsonable(r.values)} for r in results if not r.errors],
        report=[{"line": r.line, "errors": r.errors} for r in results if r.errors],
    )
    db.session.add(batch)
    db.session.flush()
    return batch


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
    volunteers = []
    for row in rows:
        for key in ("joined_on", "guardian_consent_on"):
            if row.get(key):
                row[key] = date.fromisoformat(row[key])
        volunteer = Volunteer(
            name=row["name"],
            gender=row.get("gender") or "unknown",
            birth_year=row["birth_year"],
            phone=row.get("phone"),
            id_number=row.get("id_number"),
            compound_id=row.get("compound_id"),
            availability=row.get("availability") or [],
            joined_on=row.get("joined_on"),
            guardian_name=row.get("guardian_name"),
            guardian_consent_on=row.get("guardian_consent_on"),
            skills=[VolunteerSkill(skill=name) for name in row.get("skills") or []],
        )
        volunteers.append(volunteer)
    db.session.add_all(volunteers)
    try:
        db.session.flush()
    except IntegrityError:
        raise ValidationFailed(
            _l(
                "Some rows clash with the roster or with each other; upload the file "
                "again. Nothing was imported."
            )
        ) from None
    for volunteer, row in zip(volunteers, rows, strict=True):
        volunteer.number = f"V{volunteer.id:06d}"
        if organization is not None:
            db.session.add(
                Membership(
                    volunteer_id=volunteer.id,
                    organization_id=organization.id,
                    role=row.get("role") or MemberRole.MEMBER,
                    joined_on=row.get("joined_on") or local_today(),
                )
            )
    batch.status = "imported"
    batch.rows = []
    audit.record_event(
        "import",
        "RosterImport",
        actor=actor,
        entity_id=batch.id,
        summary=f"{len(volunteers)} volunteers"
        + (f" into organization {organization.id}" if organization else ""),
        changes={"volunteer_ids": [None, [vol.id for vol in volunteers]]},
    )
    db.session.flush()
    return len(volunteers)


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
        batch.status = "expired"
        batch.rows = []
    return len(stale)


def discard_import(batch: RosterImport, *, actor: User) -> None:
    if batch.created_by_id != actor.id or batch.status != "pending":
        return
    batch.status = "discarded"
    batch.rows = []
    db.session.flush()
