from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
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
from wtforms.widgets import CheckboxInput, ListWidget

from incubator.forms import BaseForm


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class SessionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=100)])
    topic = TextAreaField(_l("Topic"), validators=[Optional(), Length(max=5000)])
    dimension = SelectField(_l("Capacity dimension it builds"), choices=[])
    # Shown only when the user's scope has several communities.
    community_id = SelectField(
        _l("Community"), choices=[], validate_choice=False, default=""
    )
    trainer = StringField(_l("Trainer"), validators=[Optional(), Length(max=100)])
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=100)])
    room_id = SelectField(
        _l("Room of the centre"),
        coerce=_optional_int,
        choices=[],
        description=_l("Held in a centre room: the session books it."),
    )
    capacity = IntegerField(
        _l("Capacity"), validators=[InputRequired(), NumberRange(min=1, max=1000)]
    )
    organization_ids = SelectMultipleField(
        _l("Invited organizations"),
        coerce=int,
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    freq = SelectField(
        _l("Repeat"),
        choices=[
            SelectChoice("", _l("Does not repeat")),
            SelectChoice("weekly", _l("Weekly")),
            SelectChoice("monthly", _l("Monthly")),
        ],
        validators=[Optional()],
    )
    count = IntegerField(
        _l("Number of occurrences"),
        validators=[Optional(), NumberRange(min=2, max=52)],
    )
    scope = SelectField(
        _l("Apply to"),
        choices=[
            SelectChoice("this", _l("This occurrence only")),
            SelectChoice("following", _l("This and the rest of the series")),
        ],
        validators=[Optional()],
    )
    version = HiddenField()

    # A session's times are typed as a day and two clock times.
    domain_field_aliases = {"starts_at": "day", "ends_at": "end_time"}


class CancelForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    scope = SelectField(
        _l("Apply to"),
        choices=[
            SelectChoice("this", _l("This occurrence only")),
            SelectChoice("following", _l("This and the rest of the series")),
        ],
        validators=[Optional()],
    )


class RegisterForm(BaseForm):
    organization_id = HiddenField(validators=[DataRequired()])
    count = IntegerField(
        _l("Members who will come"),
        validators=[InputRequired(), NumberRange(min=0, max=1000)],
    )


class AttendanceForm(BaseForm):
    walk_ins = IntegerField(
        _l("People from no invited organization"),
        validators=[Optional(), NumberRange(min=0, max=1000)],
    )
    feedback_score = StringField(
        _l("Average feedback score (1-5)"), validators=[Optional(), Length(max=5)]
    )
    override = BooleanField(_l("Over capacity on purpose"))
