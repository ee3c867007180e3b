"""The API's side of ``incubator.normalize``: every JSON body and query string is
normalized by the type of each field of its pydantic model, before the model
validates it, in ``incubator.api.core.endpoint``.

Driven by the models' annotations rather than by a type each model must
remember to use, so no body or query (present or future) can skip it:

- ``str`` (and enumerations): full-width digits, letters and spaces to ASCII,
  trimmed; bidirectional control characters refused. Fields whose name holds
  ``password`` are passed as sent.
- ``int``: ``true``/``false`` refused; text is NFKC-normalized and must be ASCII
  digits.
- ``Decimal``/``float``: ``true``/``false``, NaN and Infinity refused; text must
  be a plain decimal (no exponent) in ASCII digits after NFKC.
- ``date``: text ``YYYY-MM-DD`` only (a number such as ``0`` is not a date);
  ``datetime``/``time``: text only.

Pydantic's own lax mode would take ``false`` as 0, ``0`` as 1970-01-01 and
``"1E+2"`` as 100; these are the gaps closed here.
"""

from __future__ import annotations

import math
import types
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal, Union, get_args, get_origin

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from incubator.api.errors import validation_fields
from incubator.errors import DomainError
from incubator.normalize import (
    BIDI_MESSAGE,
    DIGITS_MESSAGE,
    ISO_DAY,
    PLAIN_DECIMAL,
    PLAIN_INT,
    PLAIN_NUMBER_MESSAGE,
    clean_text,
    has_bidi_controls,
    nfkc,
    number_text,
)

_UNIONS = (Union, types.UnionType)
_SEQUENCES = (list, tuple, set, frozenset)


class InputRefused(Exception):
    """422: ``fields`` maps each bad field's path to its messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("input refused")
        self.fields = fields


def validate_input(model: type[BaseModel], data, *, in_query: bool = False):
    """``model.model_validate(data)`` after ``normalize_input``. Raises
    ``InputRefused`` with every bad field, the normalization's refusals and
    pydantic's together (a refused field reports only its refusal)."""
    data, refused = normalize_input(data, model)
    try:
        result = model.model_validate(data)
    except DomainError:
        # A use case's own rule (``ValidationFailed`` from its validator) is
        # answered as the service's refusal was, after the fields' refusals.
        if refused:
            raise InputRefused(refused) from None
        raise
    except ValidationError as exc:
        fields = dict(refused)
        for path, messages in validation_fields(exc, in_query=in_query).items():
            if path not in refused:
                fields.setdefault(path, []).extend(messages)
        raise InputRefused(fields) from None
    if refused:
        raise InputRefused(refused)
    return result


class _Refused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def normalize_input(data, model: type[BaseModel]) -> tuple[object, dict]:
    """``data`` (a decoded JSON object or the query's dict) with each value of a
    field of ``model`` normalized; returns ``(data, fields)`` where ``fields``
    maps a field's path (``"volunteer_hours.0.hours"``) to its messages, empty
    when every value was acceptable. ``data`` itself is not changed."""
    errors: dict[str, list[str]] = {}
    return _model(data, model, "", errors), errors


def _model(data, model: type[BaseModel], path: str, errors: dict):
    if not isinstance(data, dict):
        return data
    result = dict(data)
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in result:
            continue
        sub = f"{path}.{key}" if path else key
        if "password" in key:
            continue
        try:
            result[key] = _value(result[key], info.annotation, sub, errors)
        except _Refused as exc:
            errors.setdefault(sub, []).append(str(exc.message))
    return result


def _value(value, annotation, path: str, errors: dict):
    origin = get_origin(annotation)
    if origin is Annotated:
        return _value(value, get_args(annotation)[0], path, errors)
    if origin in _UNIONS:
        if value is None:
            return None
        options = [a for a in get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return _value(value, options[0], path, errors)
        return _text(value) if isinstance(value, str) else value
    if origin in _SEQUENCES:
        args = get_args(annotation)
        if not isinstance(value, list) or not args:
            return value
        return [
            _nested(item, args[0], f"{path}.{index}", errors)
            for index, item in enumerate(value)
        ]
    if origin is dict:
        args = get_args(annotation)
        if not isinstance(value, dict) or len(args) != 2:
            return value
        return {
            key: _nested(item, args[1], f"{path}.{key}", errors)
            for key, item in value.items()
        }
    if origin is Literal:
        return _text(value) if isinstance(value, str) else value
    if not isinstance(annotation, type):
        return _text(value) if isinstance(value, str) else value
    if issubclass(annotation, BaseModel):
        return _model(value, annotation, path, errors)
    if issubclass(annotation, bool):
        return value
    if issubclass(annotation, Enum) or issubclass(annotation, str):
        return _text(value) if isinstance(value, str) else value
    if issubclass(annotation, int):
        return _whole(value)
    if issubclass(annotation, Decimal | float):
        return _decimal(value)
    if issubclass(annotation, datetime):
        return _moment(
            value, _l("A date and time is expected, such as 2024-03-01T09:00+08:00.")
        )
    if issubclass(annotation, date):
        return _day(value)
    if issubclass(annotation, time):
        return _moment(value, _l("A time is expected, such as 09:00."))
    return value


def _nested(value, annotation, path: str, errors: dict):
    """An item of a list or dict: its refusal is reported under its own path."""
    try:
        return _value(value, annotation, path, errors)
    except _Refused as exc:
        errors.setdefault(path, []).append(str(exc.message))
        return value


def _text(value: str) -> str:
    if has_bidi_controls(value):
        raise _Refused(BIDI_MESSAGE)
    return clean_text(value)


def _whole(value):
    if isinstance(value, bool):
        raise _Refused(_l("A whole number is expected, not true or false."))
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(_l("A whole number is expected."))
    if isinstance(value, str):
        text = number_text(value)
        if not text.isascii():
            raise _Refused(DIGITS_MESSAGE)
        if not PLAIN_INT.fullmatch(text) or len(text) > 18:
            raise _Refused(_l("A whole number is expected."))
        return int(text)
    return value


def _decimal(value):
    if isinstance(value, bool):
        raise _Refused(_l("A number is expected, not true or false."))
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(_l("A number is expected."))
    if isinstance(value, str):
        text = number_text(value)
        if not text.isascii():
            raise _Refused(DIGITS_MESSAGE)
        if not PLAIN_DECIMAL.fullmatch(text):
            raise _Refused(PLAIN_NUMBER_MESSAGE)
        return text
    return value


def _day(value):
    message = _l("A date is expected as YYYY-MM-DD.")
    if not isinstance(value, str):
        raise _Refused(message)
    text = number_text(value)
    if not text.isascii():
        raise _Refused(DIGITS_MESSAGE)
    if not ISO_DAY.fullmatch(text):
        raise _Refused(message)
    return text


def _moment(value, message):
    if not isinstance(value, str):
        raise _Refused(message)
    text = nfkc(value)
    if not text.isascii():
        raise _Refused(DIGITS_MESSAGE)
    if text.isdigit():
        raise _Refused(message)
    return text
