from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
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

from incubator.activities.models import (
    FORM_LABELS,
    RESOURCE_KIND_LABELS,
    SERVICE_TYPE_LABELS,
    TARGET_GROUP_LABELS,
)
from incubator.activities.schemas import MAX_PERSON_TIMES, MAX_SUMMARY
from incubator.forms import BaseForm


def _choices(labels, blank=None):
    def make():
        first = [SelectChoice("", blank)] if blank else []
        return first + [SelectChoice(k.value, label) for k, label in labels.items()]

    return make


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ActivityForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=100)])
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])
    overnight = BooleanField(_l("Runs past midnight"))
    compound_id = SelectField(_l("Compound"), coerce=_optional_int, choices=[])
    room_id = SelectField(_l("Room of the centre"), coerce=_optional_int, choices=[])
    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=100)],
        description=_l("A room of the centre, or where in the compound"),
    )
    form = SelectField(
        _l("Form"),
        choices=_choices(FORM_LABELS, _l("Choose…")),
        validators=[DataRequired()],
    )
    service_type = SelectField(
        _l("Service type"),
        choices=_choices(SERVICE_TYPE_LABELS, _l("Choose…")),
        validators=[DataRequired()],
    )
    target_group = SelectField(
        _l("Target group"),
        choices=_choices(TARGET_GROUP_LABELS, _l("Choose…")),
        validators=[DataRequired()],
    )
    person_times = IntegerField(
        _l("Person-times served"),
        validators=[
            InputRequired(),
            NumberRange(min=0),
            NumberRange(
                max=MAX_PERSON_TIMES,
                message=_l(
                    "Person-times are a whole number from 0 to %(n)d.",
                    n=MAX_PERSON_TIMES,
                ),
            ),
        ],
    )
    summary = TextAreaField(_l("What happened"), validators=[Length(max=MAX_SUMMARY)])
    photos = FileField(_l("Photos (up to 9)"))
    submission_key = HiddenField(validators=[Optional(), Length(max=64)])
    version = IntegerField(validators=[Optional()])

    domain_field_aliases = {"starts_at": "held_on", "ends_at": "end_time"}


class ReviewForm(BaseForm):
    reason = TextAreaField(
        _l("Reason (required to return)"), validators=[Length(max=2000)]
    )


class ActivityFilterForm(BaseForm):
    class Meta:
        csrf = False

    organization = SelectField(_l("Organization"), choices=[], default="")
    month = StringField(_l("Month"), validators=[Optional(), Length(max=7)])
    form = SelectField(
        _l("Form"), choices=_choices(FORM_LABELS, _l("All forms")), default=""
    )
    service_type = SelectField(
        _l("Service type"),
        choices=_choices(SERVICE_TYPE_LABELS, _l("All types")),
        default="",
    )
    target_group = SelectField(
        _l("Target group"),
        choices=_choices(TARGET_GROUP_LABELS, _l("All groups")),
        default="",
    )
    compound = SelectField(_l("Compound"), choices=[], default="")
    state = SelectField(
        _l("Review"),
        default="",
        choices=lambda: [
            SelectChoice("", _l("All")),
            SelectChoice("pending", _l("Waiting for review")),
            SelectChoice("approved", _l("Approved")),
            SelectChoice("returned", _l("Returned")),
        ],
    )


class ResourceForm(BaseForm):
    partner = StringField(_l("Partner"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=_choices(RESOURCE_KIND_LABELS))
    description = TextAreaField(
        _l("What was brought in"), validators=[Length(max=2000)]
    )
    value = StringField(_l("Value (yuan)"), validators=[DataRequired(), Length(max=20)])
    valuation_basis = StringField(
        _l("How it was valued"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. market rent of the hall, invoice, donor's statement"),
    )
    received_on = DateField(_l("Date"), validators=[InputRequired()])
    organization_id = SelectField(_l("Organization"), coerce=_optional_int, choices=[])
    # Shown only when the user's scope has several communities: the community
    # a line of the project as a whole (no organization) serves.
    community_id = SelectField(
        _l("Community"), coerce=_optional_int, choices=[], validate_choice=False
    )
    activity_id = IntegerField(validators=[Optional()])
    evidence = FileField(_l("Evidence (photo or PDF)"))
