"""An Excel import's two steps, the same for every import: the upload is checked
row by row and kept as a pending batch (the rows that confirming will save, and
the report of the others), then the user confirms (the rows are checked again and
saved together) or discards it. A batch left pending for ``PENDING_HOURS`` expires.
Closing a batch drops the data it holds (names, numbers); the line numbers and
problems stay.

The volunteer roster keeps its batches in ``roster_import`` (``RosterImport``);
the other imports share ``import_batch`` (``ImportBatch``, told apart by ``kind``).
Both have the ``BatchColumns``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from incubator.database import UTCDateTime, utcnow
from incubator.errors import ValidationFailed
from incubator.extensions import Model, db
from incubator.spreadsheets import (
    HeaderMissing,
    NotAWorkbook,
    find_header,
    workbook_sheets,
)

PENDING_HOURS = 24


@dataclass
class RowResult:
    """One checked row: its sheet line, its problems (none: it can be saved), the
    checked values, the name shown in the report, and whether it is the
    template's example (skipped, never saved)."""

    line: int
    errors: list[str]
    values: dict
    name: str = ""
    example: bool = False


class BatchColumns:
    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    valid_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[list] = mapped_column(JSON, default=list)
    report: Mapped[list] = mapped_column(JSON, default=list)


class ImportBatch(BatchColumns, Model):
    """A pending import of organizations or users (``kind``)."""

    kind: Mapped[str] = mapped_column(String(32), index=True)


def jsonable(values: dict) -> dict:
    return {
        k: (val.isoformat() if isinstance(val, date) else val)
        for k, val in values.items()
    }


def fill_batch(batch: BatchColumns, results: Iterable[RowResult], filename: str):
    """Put the checked ``results`` in ``batch``: ``batch.rows`` the rows that
    confirming will save (line and every checked value), ``batch.report`` the
    others as ``{"line", "name", "errors"}`` plus ``"example": True`` for the
    template's example, counted in neither ``total_rows`` nor ``valid_rows``."""
    results = list(results)
    real = [r for r in results if not r.example]
    batch.filename = (filename or "")[:200]
    batch.total_rows = len(real)
    batch.valid_rows = sum(1 for r in real if not r.errors)
    batch.rows = [{"line": r.line, **jsonable(r.values)} for r in real if not r.errors]
    batch.report = [
        {"line": r.line, "name": r.name, "errors": r.errors}
        | ({"example": True} if r.example else {})
        for r in results
        if r.errors or r.example
    ]
    return batch


def close_batch(batch: BatchColumns, status: str) -> None:
    """End a pending import: its rows and the names in its report are people's
    data and are not kept; the line numbers and problems stay."""
    batch.status = status
    batch.rows = []
    batch.report = [
        {key: val for key, val in entry.items() if key != "name"}
        for entry in batch.report or []
    ]


def purge_stale(model, *where) -> int:
    """Expire the batches of ``model`` (matching ``where``) left pending for
    ``PENDING_HOURS``; returns how many."""
    cutoff = utcnow() - timedelta(hours=PENDING_HOURS)
    stale = db.session.scalars(
        select(model).where(
            model.status == "pending", model.created_at < cutoff, *where
        )
    ).all()
    for batch in stale:
        close_batch(batch, "expired")
    return len(stale)


def discard_batch(batch: BatchColumns, *, actor) -> None:
    """Discard ``actor``'s pending ``batch`` (anything else is left alone)."""
    if batch.created_by_id != actor.id or batch.status != "pending":
        return
    close_batch(batch, "discarded")
    db.session.flush()


def label_aliases(labels: dict) -> dict[str, str]:
    """What a cell may hold to name one of ``labels`` (an enumeration's labels,
    ``{member: lazy label}``): its key, or its label in Chinese or English, blanks
    and case aside. Returns ``{alias: key}`` (see ``alias_key``)."""
    from flask_babel import force_locale

    aliases: dict[str, str] = {}
    for member, label in labels.items():
        key = str(getattr(member, "value", member))
        aliases[_alias(key)] = key
        for locale in ("en", "zh_Hans_CN"):
            with force_locale(locale):
                aliases[_alias(str(label))] = key
    return aliases


def _alias(text: str) -> str:
    return "".join(str(text or "").split()).casefold()


def alias_key(aliases: dict[str, str], text) -> str | None:
    """The key ``text`` names in ``aliases`` (``label_aliases``), or ``None``."""
    return aliases.get(_alias(text))


def split_names(text) -> list[str]:
    """A cell naming several things: separated by 、 , ， ; or ；."""
    import re

    return [
        part.strip()
        for part in re.split(r"[、,，;；]", str(text or ""))
        if part.strip()
    ]


def echo_report(batch: BatchColumns, echo) -> None:
    """The report of ``batch`` as lines of text (the CLI's), before it closes:
    one line per refused row with its problems, then the counts."""
    for entry in batch.report or []:
        if entry.get("example"):
            echo(f"row {entry['line']}: template example, skipped")
        else:
            echo(
                f"row {entry['line']} {entry.get('name', '')}: "
                + "; ".join(entry["errors"])
            )
    echo(
        f"{batch.total_rows} rows read: {batch.valid_rows} valid, "
        f"{batch.total_rows - batch.valid_rows} with errors."
    )


def own_batch(batch_id: int, kind: str, actor) -> ImportBatch | None:
    """``actor``'s import ``batch_id`` of ``kind`` (``None``: not theirs, a 404)."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != kind or batch.created_by_id != actor.id:
        return None
    return batch


HEADER_SEARCH_ROWS = 5


def read_template_rows(data: bytes, columns, headers: dict[str, str], parse):
    """``parse(rows, keys, header_line)`` on the first sheet of ``data`` holding
    the template's header (``columns``: (header, key, required); ``headers``:
    header -> key) in one of its first ``HEADER_SEARCH_ROWS`` rows, so a notes
    sheet or a title row before it is passed over. Raises ``ValidationFailed``
    (field ``file``) for a file that is not an .xlsx workbook, or has no such
    header (naming the required headers the first sheet lacks)."""
    required = [key for _header, key, needed in columns if needed]
    try:
        with workbook_sheets(data) as sheets:
            first: list[str | None] | None = None
            for rows in sheets:
                try:
                    keys, header_line = find_header(
                        rows, headers, required, HEADER_SEARCH_ROWS
                    )
                except HeaderMissing as exc:
                    first = exc.first if first is None else first
                    continue
                return parse(rows, keys, header_line)
            lacking = [
                h for h, k, needed in columns if needed and k not in (first or [])
            ]
            raise ValidationFailed(
                _l(
                    "The template's header row was not found in the first %(n)d "
                    "rows; missing: %(cols)s.",
                    n=HEADER_SEARCH_ROWS,
                    cols="、".join(lacking),
                ),
                field="file",
            )
    except NotAWorkbook:
        raise ValidationFailed(
            _l("This is not an .xlsx file; download the template and fill it in."),
            field="file",
        ) from None
