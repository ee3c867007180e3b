from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
)

from incubator.activities.forms import _choices
from incubator.followups.models import KIND_LABELS
from incubator.followups.schemas import EARLIEST, LATEST
from incubator.forms import BaseForm, Within


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class FollowUpForm(BaseForm):
    organization_id = SelectField(
        _l("Organization"),
        coerce=_optional_int,
        choices=[],
        validators=[InputRequired()],
    )
    kind = SelectField(
        _l("Kind"), choices=_choices(KIND_LABELS), validators=[DataRequired()]
    )
    due_on = DateField(
        _l("Due"),
        validators=[
            InputRequired(),
            Within(EARLIEST, LATEST, message=_l("Please enter a date.")),
        ],
    )
    assignee_id = SelectField(_l("Social worker"), coerce=_optional_int, choices=[])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class CompleteForm(BaseForm):
    outcome = TextAreaField(
        _l("Outcome"), validators=[DataRequired(), Length(max=5000)]
    )
    version = HiddenField()
