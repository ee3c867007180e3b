"""One normalization of what people type, for every entry point: page forms
(``incubator.forms.BaseForm``), API bodies and queries (``incubator.api.core``
through ``incubator.api.normalize``) and the Excel roster import.

The rules (issue 13, "Chinese input"):

- Text: full-width or other compatibility forms of digits and Latin letters
  become ASCII (NFKC, but only for those characters: full-width Chinese
  punctuation such as ``，`` and ``（`` stays as typed), every kind of space
  (the ideographic space U+3000 included) becomes an ASCII space, and the value
  is trimmed.
- Bidirectional control characters are refused: they make a name or title
  display differently from what is stored. That is Unicode's whole
  ``Bidi_Control`` property (PropList.txt): the embeddings and overrides
  U+202A-U+202E and isolates U+2066-U+2069 the issue names, and the marks
  U+200E, U+200F and U+061C, which reorder text as well.
- Numbers (counts, hours, money, scores, years) and dates: the whole value is
  NFKC-normalized (so ``１２．５`` is ``12.5``); what is left must be written
  with the ASCII digits 0-9. Digits of other scripts (Arabic-Indic ``١٢``) are
  refused with a clear message, the same way on pages, API and import. An
  exponent (``1E+2``), ``NaN`` and ``Infinity`` are not numbers here; ``true`` and
  ``false`` are not counts; a number is not a date.
- Phones: also spaces, dashes and a leading ``+86``/``0086`` are dropped.
- ID numbers: also spaces are dropped and the check letter is upper case.

Functions raise ``ValidationFailed`` (422, with the field) where they refuse.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from incubator.errors import ValidationFailed

# Unicode's Bidi_Control property (PropList.txt), every one of its 12 characters.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PLAIN_INT = re.compile(r"[+-]?[0-9]+")
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DASHES = re.compile(r"[-\u2010-\u2015\u2212\ufe58\ufe63]")
_LETTERS_AND_DIGITS = {"Nd", "Lu", "Ll", "Lt"}


class _FoldTable(dict[int, str | None]):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        category = unicodedata.category(char)
        result: str | None
        if category == "Zs":
            result = " "
        elif category in _LETTERS_AND_DIGITS:
            folded = unicodedata.normalize("NFKC", char)
            ok = len(folded) == 1 and folded.isascii() and folded.isalnum()
            result = folded if ok else None
        else:
            result = None
        self[code] = result
        return result


_FOLD = _FoldTable()


def fold(value: str) -> str:
    """Full-width (and other compatibility) digits and Latin letters to ASCII,
    every space character to an ASCII space. Nothing else changes (not even
    trimming): ``"ＡＢＣ合唱团　（一）"`` -> ``"ABC合唱团 （一）"``."""
    if value.isascii():
        return value
    return "".join(_FOLD[ord(ch)] or ch for ch in value)


def clean_text(value: str) -> str:
    """``fold`` and trim: what every text field of a form, a JSON body and a
    spreadsheet cell becomes before validation."""
    return fold(value).strip()


def has_bidi_controls(value: str) -> bool:
    return bool(BIDI_CONTROLS.search(value))


BIDI_MESSAGE = _l(
    "This text holds invisible direction-control characters (often copied from "
    "another document) that can make it display differently from what is saved. "
    "Type it again by hand."
)


def refuse_bidi_controls(value, field: str) -> None:
    """``ValidationFailed`` on ``field`` when ``value`` holds a bidirectional
    control character (``BIDI_CONTROLS``: U+061C, U+200E, U+200F, U+202A-U+202E,
    U+2066-U+2069)."""
    if isinstance(value, str) and has_bidi_controls(value):
        raise ValidationFailed(BIDI_MESSAGE, field=field)


def name_key(name: str) -> str:
    """The key under which names must be unique: NFKC, case-folded, blanks
    collapsed. ``"ＡＢＣ 合唱团"`` and ``"abc  合唱团"`` have the same key. Computed
    in Python so SQLite and PostgreSQL agree (their ``lower()`` do not)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def normalize_cells(cells: dict) -> tuple[dict, dict]:
    """A spreadsheet row (``{key: cell value}``) with its text cells ``clean_text``-ed;
    returns ``(cells, refused)`` where ``refused`` maps the keys of cells holding
    bidirectional controls to ``BIDI_MESSAGE``. Numbers and dates are left as read
    (their columns' own rules apply)."""
    clean, refused = {}, {}
    for key, value in cells.items():
        if isinstance(value, str):
            if has_bidi_controls(value):
                refused[key] = BIDI_MESSAGE
                value = BIDI_CONTROLS.sub("", value)  # reported once, here
            value = clean_text(value)
        clean[key] = value
    return clean, refused


# Numbers and dates ---------------------------------------------------------

DIGITS_MESSAGE = _l("Write numbers with the digits 0 to 9, such as 12.")
PLAIN_NUMBER_MESSAGE = _l("A plain number such as 12.5 is expected (no exponent).")


def nfkc(value: str) -> str:
    """NFKC and trimmed: a date or time as typed (``"２０２４-０３-０１ ０９:００"``
    -> ``"2024-03-01 09:00"``)."""
    return unicodedata.normalize("NFKC", value).strip()


def number_text(value: str) -> str:
    """A number or date as typed, NFKC-normalized and without blanks inside or
    around (``"１ ２００．５"`` -> ``"1200.5"``)."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def _finite(value: float | Decimal) -> bool:
    """Neither NaN nor infinite (``float`` has no ``is_finite`` method)."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return math.isfinite(value)


def parse_whole(value, field: str, *, lo: int | None = None, hi: int | None = None):
    """A whole number from a form, JSON or a cell: ``int`` (not ``bool``), an
    integral ``float``/``Decimal`` (spreadsheets store ``1965.0``) or text of
    ASCII digits after NFKC. ``None`` and ``""`` give ``None``. Refuses anything
    else, and values outside ``lo..hi``, with ``ValidationFailed`` on ``field``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationFailed(_l("A whole number is expected."), field=field)
    if isinstance(value, float | Decimal):
        if not _finite(value) or value != int(value):
            raise ValidationFailed(_l("A whole number is expected."), field=field)
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = number_text(str(value))
        if not text.isascii():
            raise ValidationFailed(DIGITS_MESSAGE, field=field)
        if not PLAIN_INT.fullmatch(text) or len(text) > 18:
            raise ValidationFailed(_l("A whole number is expected."), field=field)
        number = int(text)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise ValidationFailed(
            _l("A whole number from %(lo)s to %(hi)s.", lo=lo, hi=hi), field=field
        )
    return number


def parse_decimal(value, field: str, *, grouping: bool = False) -> Decimal | None:
    """A plain decimal number (``"12.5"``, ``"１２．５"``, ``12.5``) as ``Decimal``;
    ``None`` for blank. Refuses ``bool``, NaN/Infinity, exponents (``"1E+2"``)
    and other scripts' digits with ``ValidationFailed`` on ``field``. With
    ``grouping``, thousands commas (``"1,200.50"``) are allowed. Ranges and
    places are the caller's rule."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationFailed(_l("A number is expected."), field=field)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        if not _finite(value):
            raise ValidationFailed(_l("A number is expected."), field=field)
        value = str(value)
    text = number_text(str(value))
    if grouping:
        text = text.replace(",", "")
    if not text.isascii():
        raise ValidationFailed(DIGITS_MESSAGE, field=field)
    if not PLAIN_DECIMAL.fullmatch(text) or len(text) > 30:
        raise ValidationFailed(PLAIN_NUMBER_MESSAGE, field=field)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValidationFailed(_l("A number is expected."), field=field) from None


def decimal_or_none(value, field: str, *, grouping: bool = False) -> Decimal | None:
    """``parse_decimal``, but ``None`` for whatever does not read as a number, so the
    caller refuses it with its own message; other scripts' digits are still refused
    with ``DIGITS_MESSAGE``."""
    try:
        return parse_decimal(value, field, grouping=grouping)
    except ValidationFailed as exc:
        if exc.message is DIGITS_MESSAGE:
            raise
        return None


def whole_or_none(value, field: str) -> int | None:
    """``parse_whole`` as ``decimal_or_none`` is ``parse_decimal``: ``None`` for what
    is not a whole number, ``DIGITS_MESSAGE`` still refused."""
    try:
        return parse_whole(value, field)
    except ValidationFailed as exc:
        if exc.message is DIGITS_MESSAGE:
            raise
        return None


def is_plain_number(text: str) -> bool:
    """``text`` (already ``number_text``) is a plain decimal in ASCII digits."""
    return bool(PLAIN_DECIMAL.fullmatch(text))


# Phones and ID numbers -----------------------------------------------------


def phone_text(value) -> str:
    """A phone number as typed, reduced to what is compared and stored: NFKC,
    no blanks (ideographic spaces included), no dashes, no leading ``+86`` or
    ``0086``. ``"+86 139－１２３４－００９８"`` -> ``"13912340098"``. Does not check
    the result (``volunteers.validation.clean_phone`` does)."""
    text = DASHES.sub("", number_text(str(value or "")))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text


def id_number_text(value) -> str:
    """A resident ID number as typed, as stored: NFKC, no blanks, the check
    letter ``X`` in upper case."""
    return number_text(str(value or "")).upper()


def id_birth_date_text(id_number: str) -> str:
    """The birth date an 18-character ID number states, as ``YYYY-MM-DD``
    (whether or not it exists)."""
    return f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"


def id_birth_date(id_number: str) -> date | None:
    """The birth date of an 18-character ID number, or ``None`` when it names a
    day that does not exist (1965-02-30, month 13, 00-00)."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def parse_day(value, field: str) -> date | None:
    """A calendar day: a ``date`` or the text ``YYYY-MM-DD`` (after NFKC).
    ``None``/blank give ``None``. A number (``0``, a timestamp) is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value
    message = _l("A date is expected as YYYY-MM-DD.")
    if not isinstance(value, str):
        raise ValidationFailed(message, field=field)
    text = number_text(value)
    if not text.isascii():
        raise ValidationFailed(DIGITS_MESSAGE, field=field)
    if not ISO_DAY.fullmatch(text):
        raise ValidationFailed(message, field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            _l("%(day)s is not a day of the calendar.", day=text), field=field
        ) from None
