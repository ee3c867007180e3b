from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from incubator.forms import BaseForm
from incubator.normalize import DIGITS_MESSAGE
from incubator.volunteers.models import (
    AVAILABILITY_LABELS,
    GENDER_LABELS,
    MEMBER_ROLE_LABELS,
    STATUS_LABELS,
)


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _choices(labels):
    return lambda: [SelectChoice(k.value, label) for k, label in labels.items()]


class VolunteerForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=32)])
    gender = SelectField(
        _l("Gender"), choices=_choices(GENDER_LABELS), default="unknown"
    )
    birth_year = IntegerField(_l("Birth year"), validators=[InputRequired()])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=20)])
    id_number = StringField(
        _l("ID number (optional)"), validators=[Optional(), Length(max=18)]
    )
    compound_id = SelectField(_l("Compound"), coerce=_optional_int, choices=[])
    skills = StringField(
        _l("Skills"),
        validators=[Optional(), Length(max=300)],
        description=_l("Separate several with 、 or commas, e.g. 舞蹈、摄影"),
    )
    availability = SelectMultipleField(
        _l("Availability"), choices=_choices(AVAILABILITY_LABELS)
    )
    joined_on = DateField(_l("Joined on"), validators=[Optional()])
    status = SelectField(
        _l("Status"), choices=_choices(STATUS_LABELS), default="active"
    )
    left_on = DateField(_l("Left on"), validators=[Optional()])
    guardian_name = StringField(
        _l("Guardian's name"),
        validators=[Optional(), Length(max=32)],
        description=_l("Required under 14, with the date of the guardian's consent."),
    )
    guardian_consent_on = DateField(
        _l("Guardian's consent on"), validators=[Optional()]
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])
    organization_id = SelectField(
        _l("Joins organization"), coerce=_optional_int, choices=[]
    )
    # Shown only when the user's scope has several communities: the community
    # served by a volunteer of no organization and no compound.
    community_id = SelectField(
        _l("Community"), coerce=_optional_int, choices=[], validate_choice=False
    )
    role = SelectField(_l("As"), choices=_choices(MEMBER_ROLE_LABELS), default="member")
    version = IntegerField(validators=[Optional()])


class VolunteerSearchForm(BaseForm):
    """Name and phone tail are personal data: they are posted, kept in the session
    and never put in a URL."""

    q = StringField(_l("Name"), validators=[Optional(), Length(max=32)])
    phone_tail = StringField(
        _l("Last 4 digits of the phone"),
        # full-width digits are folded to ASCII before this (BaseForm)
        validators=[
            Optional(),
            Length(max=4),
            Regexp(r"^[0-9]+$", message=DIGITS_MESSAGE),
        ],
    )


class VolunteerFilterForm(BaseForm):
    class Meta:
        csrf = False

    skill = StringField(_l("Skill"), validators=[Optional(), Length(max=32)])
    compound = SelectField(_l("Compound"), choices=[], default="")
    organization = SelectField(_l("Organization"), choices=[], default="")
    status = SelectField(
        _l("Status"),
        default="active",
        choices=lambda: (
            [SelectChoice("", _l("All"))]
            + [SelectChoice(k.value, label) for k, label in STATUS_LABELS.items()]
        ),
    )


class MembershipForm(BaseForm):
    organization_id = SelectField(_l("Organization"), coerce=_optional_int, choices=[])
    role = SelectField(_l("As"), choices=_choices(MEMBER_ROLE_LABELS), default="member")
    joined_on = DateField(_l("Joined on"), validators=[Optional()])


class MembershipChangeForm(BaseForm):
    role = SelectField(_l("As"), choices=_choices(MEMBER_ROLE_LABELS))
    left_on = DateField(_l("Left on"), validators=[Optional()])


class ServiceHoursForm(BaseForm):
    organization_id = SelectField(_l("Organization"), coerce=_optional_int, choices=[])
    served_on = DateField(_l("Date"), validators=[InputRequired()])
    hours = DecimalField(
        _l("Hours"),
        places=1,
        validators=[InputRequired()],
        description=_l("Actual service time without travel, in steps of 0.5."),
    )
    service = StringField(_l("Service"), validators=[DataRequired(), Length(max=200)])


class CorrectionForm(BaseForm):
    served_on = DateField(_l("Date"), validators=[InputRequired()])
    hours = DecimalField(
        _l("Hours"),
        places=1,
        validators=[InputRequired()],
        description=_l("0 removes the entry from the totals."),
    )
    service = StringField(_l("Service"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class CertificateForm(BaseForm):
    issuer_name = SelectField(_l("Issued by"), choices=[])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


class ImportForm(BaseForm):
    file = FileField(_l("Roster file (.xlsx)"), validators=[FileRequired()])
    organization_id = SelectField(
        _l("The volunteers join"), coerce=_optional_int, choices=[]
    )
