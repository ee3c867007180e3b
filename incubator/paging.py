"""Pagination of list pages: ``?page=`` clamped, so no number typed into the URL can
reach the database as an impossible offset."""

from __future__ import annotations

from flask import request
from sqlalchemy import Select

from incubator.extensions import db

MAX_PAGE = 100_000


def requested_page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(1, page), MAX_PAGE)


def paginate(query: Select, per_page: int):
    return db.paginate(
        query,
        page=requested_page(),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
        count=True,
    )
