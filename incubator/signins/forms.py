"""The organizer's forms: a paper sign-in sheet typed row by row, and the
admin's search for a resident and her erasure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from incubator.forms import BaseForm

# Rows of the paper sheet form: ten at first, ten more at a time (a GET
# parameter, no script), at most a printed sheet's worth several times over.
SHEET_ROWS = 10
SHEET_ROWS_MAX = 100


def sheet_rows(value) -> int:
    """How many rows the paper sheet form shows for ``?rows=``: a multiple of
    ``SHEET_ROWS`` between ``SHEET_ROWS`` and ``SHEET_ROWS_MAX``."""
    try:
        rows = int(str(value))
    except (TypeError, ValueError):
        return SHEET_ROWS
    rows = -(-rows // SHEET_ROWS) * SHEET_ROWS
    return min(max(rows, SHEET_ROWS), SHEET_ROWS_MAX)


class SheetRowForm(FlaskForm):
    """One line of the paper sheet (no CSRF of its own: the sheet carries it)."""

    class Meta:
        csrf = False

    name = StringField(_l("Name"), validators=[Length(max=50)])
    phone = StringField(_l("Mobile number"), validators=[Length(max=40)])

    @property
    def blank(self) -> bool:
        return (
            not (self.name.data or "").strip() and not (self.phone.data or "").strip()
        )


class PaperSheetForm(BaseForm):
    """The names and mobile numbers of a paper sign-in sheet; blank rows are
    skipped."""

    class Meta(BaseForm.Meta):
        def bind_field(self, form, unbound_field, options):
            # a list takes no filters; its rows' fields are checked by AttendeeIn
            if issubclass(unbound_field.field_class, FieldList | FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    rows = FieldList(FormField(SheetRowForm), min_entries=SHEET_ROWS)


def paper_sheet_form(rows: int, **kwargs) -> PaperSheetForm:
    form = PaperSheetForm(**kwargs)
    while len(form.rows) < rows:
        form.rows.append_entry()
    return form


class ResidentSearchForm(BaseForm):
    """The admin looks a resident up by her mobile number (sent in the body,
    never in a URL)."""

    phone = StringField(
        _l("Mobile number"), validators=[DataRequired(), Length(max=40)]
    )


class ResidentEraseForm(BaseForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Please say why (e.g. the resident asked).")),
            Length(max=200),
        ],
    )
