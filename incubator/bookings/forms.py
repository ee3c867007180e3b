from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from incubator.activities.models import SERVICE_TYPE_LABELS
from incubator.forms import BaseForm

SCOPE_CHOICES = [
    SelectChoice("this", _l("This booking only")),
    SelectChoice("rest", _l("This and the rest of the series")),
]


class BookingForm(BaseForm):
    """A room for a slot of one day (the room and day are chosen first, on a GET
    round-trip that shows the room's free times)."""

    room_id = SelectField(_l("Room"), choices=[], validate_choice=False)
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])
    purpose = StringField(
        _l("What the room is for"), validators=[DataRequired(), Length(max=200)]
    )
    service_type = SelectField(
        _l("Service type"),
        choices=[SelectChoice(k.value, v) for k, v in SERVICE_TYPE_LABELS.items()],
    )
    expected_people = IntegerField(
        _l("People expected"),
        validators=[InputRequired(), NumberRange(min=0, max=10_000)],
    )
    # Staff: an organization, the agency itself ("") or an outside unit.
    organization_id = SelectField(
        _l("Booked for"), choices=[], validate_choice=False, default=""
    )
    outside_unit = StringField(
        _l("Outside unit received (meetings and visits only)"),
        validators=[Optional(), Length(max=100)],
    )
    count = IntegerField(
        _l("Repeat weekly: number of weeks"),
        validators=[Optional(), NumberRange(min=2, max=52)],
    )

    domain_field_aliases = {
        "starts_at": "start_time",
        "ends_at": "end_time",
        "recurrence": "count",
        "room": "room_id",
    }


class DecisionForm(BaseForm):
    decision = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason (required to refuse)"), validators=[Optional(), Length(max=2000)]
    )


class BookingCancelForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    scope = SelectField(_l("Apply to"), choices=SCOPE_CHOICES, validators=[Optional()])


class UseForm(BaseForm):
    held = RadioField(
        _l("Was the room used?"),
        choices=[
            SelectChoice("1", _l("Yes, it was used")),
            SelectChoice("0", _l("No, it was not used")),
        ],
        validators=[InputRequired()],
    )
    people = IntegerField(
        _l("People present"),
        validators=[Optional(), NumberRange(min=0, max=10_000)],
    )
