"""Pagination of list pages and API lists, fast at district scale.

- ``?page=`` is clamped, so no number typed into the URL can reach the database as
  an impossible offset.
- A page is read by a *deferred join*: the ids (and sort keys) of the page's rows
  are chosen first over the columns of the sort alone (an index serves them, even
  at a deep offset), then only those rows are loaded, with their eager loads, in
  the same statement.
- ``total`` is counted without the ORDER BY and over the ids only, and stops at
  ``COUNT_CAP`` (``total_capped`` says so), so a count never reads a whole table.
- The API pages also by keyset: an opaque, signed cursor holds the sort key and id
  of the last row seen; the next page is what sorts after it, as fast at row
  300,000 as at row 1. The cursor only narrows the list's own statement, so it
  can never show a row outside the caller's scope.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    inspect,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from incubator.errors import ValidationFailed
from incubator.extensions import db

MAX_PAGE = 100_000
# ``total`` counts at most this many rows; beyond it lists say "10,000+".
COUNT_CAP = 10_000
_CURSOR_SALT = "incubator.paging.cursor"


def requested_page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(1, page), MAX_PAGE)


@dataclass
class Page:
    """One page of a list: what templates and the API read.

    ``items``: the rows (ORM objects) in order; ``page``: 1-based number;
    ``per_page``; ``total``: rows in the list, at most ``COUNT_CAP``;
    ``total_capped``: there are more than ``total``; ``next_keys``: the sort key
    values and id of the last row when a further page exists (for a cursor),
    else ``None``.
    """

    items: list
    page: int
    per_page: int
    total: int
    total_capped: bool = False
    next_keys: list | None = field(default=None, repr=False)

    @property
    def pages(self) -> int:
        """Pages counted (a capped total counts the pages up to the cap, and at
        least up to this one)."""
        counted = max(1, -(-self.total // self.per_page))
        return max(counted, self.page) if self.total_capped else counted

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.next_keys is not None

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def total_text(self) -> str:
        """The total for people, grouped by thousands (``"10,000"``); templates
        add "+" when ``total_capped``."""
        return f"{self.total:,}"


# ---- the statement's sort -------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    expr: ColumnElement
    descending: bool


def sort_keys(stmt: Select) -> list[SortKey]:
    """The ORDER BY of ``stmt`` followed by its entity's id (unless already the
    last key), so that every row has a distinct key. Each element is a column or
    expression, optionally ``.asc()``/``.desc()``."""
    keys = []
    for clause in stmt._order_by_clauses:
        descending = False
        expr = clause
        while isinstance(expr, UnaryExpression) and expr.modifier in (
            operators.desc_op,
            operators.asc_op,
            operators.nulls_first_op,
            operators.nulls_last_op,
        ):
            if expr.modifier is operators.desc_op:
                descending = True
            expr = expr.element
        keys.append(SortKey(expr, descending))
    pk = id_column(stmt)
    if not keys or not keys[-1].expr.compare(pk):
        keys.append(SortKey(pk, keys[-1].descending if keys else False))
    return keys


def id_column(stmt: Select) -> ColumnElement:
    """The primary key column of the first entity ``stmt`` selects."""
    entity = stmt.column_descriptions[0]["entity"]
    return inspect(entity).primary_key[0]


def _only(stmt: Select, *columns) -> Select:
    """``stmt`` selecting ``columns`` instead of its entities: same FROM, joins,
    WHERE, GROUP BY and DISTINCT, without loader options (they load entities)."""
    narrowed = stmt.with_only_columns(*columns, maintain_column_froms=True)
    narrowed = narrowed._generate()
    narrowed._with_options = ()
    return narrowed


def capped_count(stmt: Select, cap: int | None = None) -> tuple[int, bool]:
    """``(rows, capped)``: the rows ``stmt`` selects, counted over its ids without
    ORDER BY, stopping after ``cap`` (default ``COUNT_CAP``; then ``(cap,
    True)``). One query."""
    cap = COUNT_CAP if cap is None else cap
    ids = _only(stmt, id_column(stmt)).order_by(None)
    ids = ids.limit(literal_column(str(cap + 1)))
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    return min(total, cap), total > cap


def _after(key: SortKey, value, nulls_smallest: bool):
    """The condition "sorts strictly after ``value``" on one key."""
    expr = key.expr
    if value is None:
        if key.descending == nulls_smallest:
            return false()
        return expr.is_not(None)
    beyond = expr < value if key.descending else expr > value
    if key.descending == nulls_smallest:
        return or_(beyond, expr.is_(None))
    return beyond


def _equal(key: SortKey, value):
    return key.expr.is_(None) if value is None else key.expr == value


def keyset_condition(keys: list[SortKey], values: list) -> ColumnElement[bool]:
    """The rows that sort after the row whose keys are ``values``."""
    nulls_smallest = db.session.get_bind().dialect.name != "postgresql"
    condition = _after(keys[-1], values[-1], nulls_smallest)
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = or_(
            _after(key, value, nulls_smallest),
            and_(_equal(key, value), condition),
        )
    first, value = keys[0], values[0]
    if value is not None and len(keys) > 1:
        # A range on the leading key lets the index seek to the cursor.
        lead = first.expr <= value if first.descending else first.expr >= value
        if first.descending == nulls_smallest:
            lead = or_(lead, first.expr.is_(None))
        condition = and_(lead, condition)
    return condition


def read_page(
    stmt: Select,
    *,
    page: int,
    per_page: int,
    after: list | None = None,
    count: bool = True,
) -> Page:
    """One page of ``stmt`` (which selects one entity and has an ORDER BY).

    ``page`` (1-based) is read by a deferred join over the sort's columns;
    ``after`` (sort key values and id of the last row seen, as in
    ``Page.next_keys``) reads the rows after that row instead of an offset.
    Two queries: the capped count (unless ``count`` is false) and the page.
    """
    keys = sort_keys(stmt)
    pk = id_column(stmt)
    labels = [f"k{i}" for i in range(len(keys))]
    inner = _only(stmt, *(k.expr.label(lb) for k, lb in zip(keys, labels, strict=True)))
    inner = inner.order_by(None).order_by(
        *(k.expr.desc() if k.descending else k.expr.asc() for k in keys)
    )
    if after is not None:
        inner = inner.where(keyset_condition(keys, after))
    else:
        inner = inner.offset(literal_column(str((page - 1) * per_page)))
    chosen = inner.limit(literal_column(str(per_page + 1))).subquery("page_keys")
    sub = [chosen.c[lb] for lb in labels]
    outer = (
        stmt.join(chosen, pk == chosen.c[labels[-1]])
        .add_columns(*sub)
        .order_by(None)
        .order_by(
            *(
                c.desc() if k.descending else c.asc()
                for k, c in zip(keys, sub, strict=True)
            )
        )
    )
    rows = db.session.execute(outer).unique().all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    if count:
        total, capped = capped_count(stmt)
    else:
        total, capped = len(rows), False
    seen = (page - 1) * per_page + len(rows)
    if not capped and total < seen:
        # Rows added between the two queries.
        total = seen
    return Page(
        items=[row[0] for row in rows],
        page=page,
        per_page=per_page,
        total=total,
        total_capped=capped,
        next_keys=list(rows[-1][1:]) if more and rows else None,
    )


def deepest_page(per_page: int) -> int:
    """The last page an offset may reach: pages within the first ``COUNT_CAP``
    rows (deeper offsets read every row before them; the API pages on with a
    cursor, a list page asks for a filter instead)."""
    return max(1, -(-COUNT_CAP // per_page))


def paginate(query: Select, per_page: int) -> Page:
    """The ``?page=`` page of a list page's ``query`` (clamped to
    ``deepest_page``); see ``read_page``."""
    deepest = deepest_page(per_page)
    found = read_page(query, page=min(requested_page(), deepest), per_page=per_page)
    if found.page >= deepest:
        found.next_keys = None
    return found


# ---- cursors ----------------------------------------------------------------------


def _encode(value: Any):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, time):
        return {"h": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value"):  # an enumeration stored by value
        return _encode(value.value)
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def _decode(value: Any):
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        parse = {
            "t": datetime.fromisoformat,
            "d": date.fromisoformat,
            "h": time.fromisoformat,
            "n": Decimal,
        }.get(tag)
        if parse is None or not isinstance(text, str):
            raise ValueError(tag)
        return parse(text)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ValueError(value)


def _serializer() -> URLSafeSerializer:
    secret = current_app.secret_key
    if not secret:
        raise RuntimeError("SECRET_KEY is not set: cursors cannot be signed")
    return URLSafeSerializer(secret, salt=_CURSOR_SALT)


def _sort_signature(stmt: Select) -> str:
    text = "|".join(f"{k.expr}:{'d' if k.descending else 'a'}" for k in sort_keys(stmt))
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()[:9]).decode()


def make_cursor(stmt: Select, page: Page) -> str | None:
    """The opaque cursor of the page after ``page`` (``None`` on the last page):
    signed, so a changed cursor is refused rather than read."""
    if page.next_keys is None:
        return None
    payload = {
        "s": _sort_signature(stmt),
        "k": [_encode(v) for v in page.next_keys],
        "p": page.page + 1,
    }
    return _serializer().dumps(payload)


def read_cursor(stmt: Select, cursor: str) -> tuple[list, int]:
    """``(sort key values, page number)`` of a cursor made by ``make_cursor`` for
    a list sorted as ``stmt``. Raises ``ValidationFailed`` (field ``after``) for a
    cursor that was changed, cut, or made for another list."""
    refused = ValidationFailed(
        _l(
            "This cursor is not valid for this list: start again without "
            "“after”, and pass the “next” value of an answer unchanged."
        ),
        field="after",
    )
    try:
        payload = _serializer().loads(cursor)
        if not isinstance(payload, dict) or payload.get("s") != _sort_signature(stmt):
            raise refused
        values = [_decode(v) for v in payload["k"]]
        number = payload["p"]
    except (BadData, KeyError, TypeError, ValueError):
        raise refused from None
    if len(values) != len(sort_keys(stmt)) or not isinstance(number, int):
        raise refused
    return values, min(max(1, number), MAX_PAGE)
