"""The base every form of the product inherits: every field goes through
``incubator.normalize`` (full-width digits, letters and spaces to ASCII, trimmed;
numbers and dates typed in full-width digits read as ASCII, in other scripts'
digits or with an exponent refused), and control characters (NUL included) and
bidirectional controls are refused in every text field, in the user's language."""

from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from pydantic import BaseModel, ValidationError
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    IntegerField,
    PasswordField,
    TimeField,
)
from wtforms.validators import ValidationError as FieldError

from incubator.errors import ValidationFailed
from incubator.i18n import is_chinese
from incubator.normalize import (
    BIDI_MESSAGE,
    DIGITS_MESSAGE,
    PLAIN_NUMBER_MESSAGE,
    fold,
    has_bidi_controls,
    is_plain_number,
    nfkc,
    number_text,
    validation_message,
)
from incubator.security import has_control_chars

M = TypeVar("M", bound=BaseModel)

NUMBER_FIELDS = (IntegerField, DecimalField, FloatField)
# DateTimeLocalField is a DateTimeField; the Date/Time fields parse with strptime,
# which reads any script's digits, so they are normalized the same way.
DAY_FIELDS = (DateField, DateTimeField, TimeField)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _fold(value):
    return fold(value) if isinstance(value, str) else value


def _normalized_number_input(field):
    """Wrap ``field.process_formdata`` so what was typed is NFKC-normalized
    first and, for numbers, must be a plain decimal in ASCII digits (WTForms
    itself would read ``١٢`` as 12 and ``1E+2`` as 100)."""
    process = field.process_formdata
    number = isinstance(field, NUMBER_FIELDS)

    def process_formdata(valuelist):
        if valuelist:
            tidy = number_text if number else nfkc
            valuelist = [tidy(v) if isinstance(v, str) else v for v in valuelist]
            text = valuelist[0] if isinstance(valuelist[0], str) else ""
            if text and not text.isascii():
                field.data = None
                raise ValueError(str(DIGITS_MESSAGE))
            if number and text and not is_plain_number(text.replace(",", "")):
                field.data = None
                raise ValueError(str(PLAIN_NUMBER_MESSAGE))
            field.raw_data = valuelist
        return process(valuelist)

    field.process_formdata = process_formdata


_WTFORMS_ZH = None


def _wtforms_chinese():
    """WTForms' own Chinese catalogue (its folder is ``zh``, which the
    ``zh_Hans_CN`` locale does not find by itself)."""
    global _WTFORMS_ZH
    if _WTFORMS_ZH is None:
        from wtforms.i18n import get_translations

        _WTFORMS_ZH = get_translations(["zh"])
    return _WTFORMS_ZH


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _wtforms_chinese() if is_chinese() else None

        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            password = issubclass(unbound_field.field_class, PasswordField)
            if _strip not in filters and not unbound_field.kwargs.get("keep_blanks"):
                filters = [_strip, *filters]
            if not password and _fold not in filters:
                filters = [_fold, *filters]
            unbound_field.kwargs["filters"] = filters
            unbound_field.kwargs.pop("keep_blanks", None)
            field = unbound_field.bind(form=form, **options)
            if isinstance(field, NUMBER_FIELDS + DAY_FIELDS):
                _normalized_number_input(field)
            return field

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and has_control_chars(field.data):
                field.errors = [
                    *field.errors,
                    _l("Control characters are not allowed."),
                ]
                ok = False
            if isinstance(field.data, str) and has_bidi_controls(field.data):
                field.errors = [*field.errors, BIDI_MESSAGE]
                ok = False
        return ok

    # A service's field name -> this form's field showing it, where they differ
    # (e.g. ``ends_at`` is typed in the ``end_time`` field).
    domain_field_aliases: dict[str, str] = {}

    def show_domain_error(self, error) -> None:
        """Put a service's ``DomainError`` on the field it names (or the form)."""
        name = self.domain_field_aliases.get(error.field, error.field)
        field = getattr(self, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


class Within:
    """A WTForms validator: the field's value, when there is one, lies between
    ``low`` and ``high`` (inclusive; numbers or dates), else ``message``.

    Unlike ``NumberRange`` it sets no field flags, so the page renders no ``min`` or
    ``max`` attribute (the browser does not refuse first, in its own words) and a
    date is compared as a date. A missing value is left to the field's other
    validators."""

    field_flags: dict[str, object] = {}

    def __init__(self, low=None, high=None, *, message) -> None:
        self.low, self.high, self.message = low, high, message

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise FieldError(self.message)


class EmptyForm(BaseForm):
    """For POST-only buttons: carries just the CSRF token."""


def form_input(model: type[M], **values) -> M:
    """A use case's input (``model``) built from what a page's form holds.

    The model's rules raise ``ValidationFailed`` themselves; a value of the
    wrong shape (which the form's own validators normally catch first) is
    raised as ``ValidationFailed`` on its field too, so a view shows either on
    the form with ``BaseForm.show_domain_error``."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = err.get("loc") or ()
        raise ValidationFailed(
            validation_message(err), field=str(loc[0]) if loc else None
        ) from None


class UploadForm(BaseForm):
    """An Excel file to import (organizations, users)."""

    file = FileField(_l("File (.xlsx)"), validators=[FileRequired()])
