"""A paper sign-in sheet from Excel (姓名, 手机号), as the other imports go:
every row is checked and shown before anything is saved, then the valid rows are
signed in together through ``services.add_sheet`` (source ``import``), or none.

The pending rows (names and numbers) live in an ``ImportBatch`` of kind
``signins:<kind>:<id>``, so a batch belongs to one record; closing it drops them.
Phone cells are read as text; a number cell that lost digits or holds a fraction
(``1.38e10``) is refused, never guessed.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from incubator.auth.models import User
from incubator.errors import DomainError, ValidationFailed
from incubator.extensions import db
from incubator.import_batches import (
    ImportBatch,
    RowResult,
    close_batch,
    fill_batch,
    purge_stale,
    read_template_rows,
)
from incubator.signins.codes import Record, kind_of
from incubator.signins.models import SignInSource
from incubator.signins.queries import may_add_sign_ins
from incubator.signins.schemas import AttendeeIn
from incubator.signins.services import SheetResult, add_sheet
from incubator.spreadsheets import read_cells, template_bytes

MAX_ROWS = 1_000
EXAMPLE_MARK = "示例"

# (header, key, required)
COLUMNS = (("姓名", "name", True), ("手机号", "phone", True))
HEADERS = {header: key for header, key, _r in COLUMNS} | {
    "手机": "phone",
    "手机号码": "phone",
    "电话": "phone",
    "联系电话": "phone",
}


def batch_kind(record: Record) -> str:
    return f"signins:{kind_of(record)}:{record.id}"


def _label(key: str) -> str:
    return next(h for h, k, _r in COLUMNS if k == key)


def template_workbook() -> bytes:
    return template_bytes(
        "签到表",
        COLUMNS,
        [f"{EXAMPLE_MARK}：张三", "13800138000"],
        text_keys=("phone",),
        notes=(
            "每行填写一位签到居民的姓名和手机号；第一行是表头，请勿修改。",
            f"第二行是填写示例：姓名含“{EXAMPLE_MARK}”二字的行导入时总是跳过。",
            "手机号请按文本填写（模板已设为文本格式），11 位，以 1 开头。",
            "同一手机号只计一人；已签到的居民不会重复计入。",
        ),
    )


def _check_row(line: int, cells: dict, raw_phone) -> RowResult:
    name = " ".join(str(cells.get("name") or "").split())
    if isinstance(raw_phone, float) and not raw_phone.is_integer():
        return RowResult(
            line,
            [_("%(col)s is not a mobile number.", col=_label("phone"))],
            {},
            name=name[:32],
        )
    try:
        data = AttendeeIn(name=name, phone=str(cells.get("phone") or ""))
    except DomainError as exc:
        return RowResult(line, [str(exc.message)], {}, name=name[:32])
    except ValueError as exc:  # pydantic's own checks (lengths)
        return RowResult(line, [str(exc).splitlines()[-1]], {}, name=name[:32])
    return RowResult(
        line, [], {"name": data.name, "phone": data.phone}, name=data.name[:32]
    )


def parse_sheet(data: bytes) -> list[RowResult]:
    """Read and check every row of the first sheet holding the template's
    header; nothing is saved. ``ValidationFailed`` (field ``file``) for a file
    that is not an .xlsx workbook, has no header or too many rows."""
    return read_template_rows(data, COLUMNS, HEADERS, _parse_rows)


def _parse_rows(rows, keys, header_line: int) -> list[RowResult]:
    results: list[RowResult] = []
    phone_index = keys.index("phone")
    for line, raw in enumerate(rows, start=header_line + 1):
        if raw is None or all(c in (None, "") for c in raw):
            continue
        if len(results) >= MAX_ROWS:
            raise ValidationFailed(
                _l("At most %(n)d rows per file.", n=MAX_ROWS), field="file"
            )
        cells, unreadable = read_cells(keys, raw, date_keys=(), label=_label)
        name = " ".join(str(cells.get("name") or "").split())
        if EXAMPLE_MARK in name:
            results.append(RowResult(line, [], {}, name=name[:32], example=True))
            continue
        if unreadable:
            results.append(RowResult(line, unreadable, {}, name=name[:32]))
            continue
        raw_phone = raw[phone_index] if phone_index < len(raw) else None
        results.append(_check_row(line, cells, raw_phone))
    return results


def _check_actor(actor: User, record: Record) -> None:
    if not may_add_sign_ins(actor, record):
        raise ValidationFailed(_l("You may not add sign-ins to this record."))


def prepare_import(
    record: Record, data: bytes, filename: str, *, actor: User
) -> ImportBatch:
    """Check the file and keep its rows as a pending import of ``record``."""
    _check_actor(actor, record)
    purge_stale(ImportBatch, ImportBatch.kind.like("signins:%"))
    results = parse_sheet(data)
    batch = fill_batch(
        ImportBatch(kind=batch_kind(record), created_by_id=actor.id),
        results,
        filename,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def confirm_import(batch: ImportBatch, record: Record, *, actor: User) -> SheetResult:
    """Sign in every row of ``batch`` onto ``record`` or none (``add_sheet``
    checks each again); a refusal raises ``ValidationFailed`` naming the file's
    row, and the caller rolls back. Flushes, never commits."""
    if (
        batch.kind != batch_kind(record)
        or batch.status != "pending"
        or batch.created_by_id != actor.id
    ):
        raise ValidationFailed(_l("This import was already confirmed or discarded."))
    rows = list(batch.rows)
    try:
        result = add_sheet(
            record,
            [AttendeeIn(name=r["name"], phone=r["phone"]) for r in rows],
            actor=actor,
            source=SignInSource.IMPORT,
        )
    except DomainError as exc:
        refused = (exc.details or {}).get("rows") or {}
        if refused:
            number, message = next(iter(sorted(refused.items())))
            raise ValidationFailed(
                _l(
                    "Row %(line)d: %(message)s Nothing was imported.",
                    line=rows[int(number) - 1]["line"],
                    message=message,
                )
            ) from None
        raise
    close_batch(batch, "imported")
    db.session.flush()
    return result
