"""Language and time zone: Chinese first, English second; dates the zh_CN way in
Asia/Shanghai.

Pages follow the ``lang`` cookie set by the language switch (default Chinese, even for
a browser that asks for English: the product is Chinese first). The API follows
``Accept-Language``, default Chinese.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from enum import StrEnum
from typing import Self
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from flask_babel import LazyString, format_date, format_datetime, get_locale
from markupsafe import Markup, escape

from incubator.database import utcnow

LANG_COOKIE = "lang"


class LabelledEnum(StrEnum):
    """A string enum whose members carry their interface label, declared side by side:
    ``ACTIVE = "active", _l("Active")``. A member is the plain string ``"active"``
    (its value, what the database and the API hold); ``label`` is the lazy label and
    ``labels()`` the member-to-label table, in declaration order."""

    _value_: str
    label: LazyString

    # The label is optional only for the type checker, which reads this signature for
    # a lookup by value (``State("draft")``); every member declares its label.
    def __new__(cls, value: str, label: LazyString | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[Self, LazyString]:
        return {member: member.label for member in cls}


LOCALES = {"zh": "zh_Hans_CN", "en": "en"}


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        # CLI and jobs: INCUBATOR_CLI_LANG=en for English messages in a shell.
        return LOCALES.get(os.environ.get("INCUBATOR_CLI_LANG", ""), default)
    # The API, and the public sign-in page before a language was chosen
    # (residents' phones, no account): the browser's language.
    public = request.path.startswith("/signin/") and LANG_COOKIE not in request.cookies
    if request.path.startswith("/api/") or public:
        best = request.accept_languages.best_match(["zh", "en"])
        return LOCALES.get(best or "zh", default)
    return LOCALES.get(request.cookies.get(LANG_COOKIE, ""), default)


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today() -> date:
    """Today's calendar day where the project is (Asia/Shanghai by default)."""
    return utcnow().astimezone(local_zone()).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def local_noon(day: date) -> datetime:
    """A timestamp for a calendar day, to sort dated records among timed ones."""
    return datetime.combine(day, time(12), tzinfo=local_zone())


def is_chinese() -> bool:
    return get_locale().language == "zh"


def date_filter(value: date | datetime | None, fmt: str = "long") -> str:
    """``2020年3月1日`` in Chinese, ``March 1, 2020`` in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy年M月d日" if is_chinese() else "MMM d, y")
    return format_date(value, fmt if not is_chinese() else "yyyy年M月d日")


def short_date_filter(value: date | datetime | None) -> str:
    """``10月31日`` (``Oct 31``) for a day of the current year, for narrow screens;
    a day of another year keeps its year (``2018年5月1日``)."""
    if value is None:
        return ""
    day = local_date(value) if isinstance(value, datetime) else value
    if day.year != local_today().year:
        return date_filter(day)
    return format_date(day, "M月d日" if is_chinese() else "MMM d")


def month_label(day: date) -> str:
    """The month of ``day`` in words: ``2026年12月`` in Chinese, ``December 2026``
    in English."""
    return format_date(day, "yyyy年M月" if is_chinese() else "MMMM y")


def weekday_filter(value: date) -> str:
    """``周日`` in Chinese, ``Sun`` in English."""
    return format_date(value, "EEE")


def day_filter(value: date | datetime | None) -> Markup:
    """A ``<time>`` holding the long date, shown from 576 px up, and the short one
    (``10月31日``), shown on phones, so a date never wraps over lines in a table."""
    if value is None:
        return Markup("")
    day = local_date(value) if isinstance(value, datetime) else value
    long, short = date_filter(day), short_date_filter(day)
    if long == short:
        return Markup('<time datetime="{0}">{1}</time>').format(day.isoformat(), long)
    return Markup(
        '<time datetime="{0}"><span class="d-none d-sm-inline">{1}</span>'
        '<span class="d-sm-none">{2}</span></time>'
    ).format(day.isoformat(), escape(long), escape(short))


def datetime_filter(value: datetime | None) -> str:
    """``2020年3月1日 09:30`` in Asia/Shanghai."""
    if value is None:
        return ""
    if is_chinese():
        return format_datetime(value, "yyyy年M月d日 HH:mm")
    return format_datetime(value, "MMM d, y HH:mm")


def init_app(app) -> None:
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["short_date"] = short_date_filter
    app.jinja_env.filters["day"] = day_filter
    app.jinja_env.filters["weekday"] = weekday_filter

    @app.context_processor
    def _locale_context():
        return {
            "current_language": "zh" if is_chinese() else "en",
            "now_local": utcnow(),
        }
