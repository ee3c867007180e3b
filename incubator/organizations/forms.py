from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from incubator.forms import BaseForm, Within
from incubator.organizations.models import (
    CONTACT_KIND_LABELS,
    FILING_STATUS_LABELS,
    ORG_KIND_LABELS,
)
from incubator.organizations.schemas import MAX_MEMBERS

# What the service answered before the input model took the count's upper limit
# (which refuses it in its own words): the same message on the page.
TOO_MANY = Within(
    high=MAX_MEMBERS,
    message=_l(
        "The member count must be a whole number from 0 to %(n)d.", n=MAX_MEMBERS
    ),
)


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def kind_choices(blank=None):
    first = [SelectChoice("", blank)] if blank else []
    return first + [
        SelectChoice(k.value, label) for k, label in ORG_KIND_LABELS.items()
    ]


class OrganizationForm(BaseForm):
    name = StringField(
        _l("Name of the organization"), validators=[DataRequired(), Length(max=100)]
    )
    kind = SelectField(_l("Kind"), choices=lambda: kind_choices())
    # Offered on a new organization when the user's scope has several communities.
    community_id = SelectField(_l("Community"), coerce=_optional_int, choices=[])
    compound_id = SelectField(_l("Compound"), coerce=_optional_int, choices=[])
    filing_status = SelectField(
        _l("Filing status"),
        choices=lambda: [
            SelectChoice(k.value, label) for k, label in FILING_STATUS_LABELS.items()
        ],
    )
    founded_on = DateField(_l("Founded on"), validators=[Optional()])
    member_count = IntegerField(
        _l("Members"),
        default=0,
        validators=[Optional(), NumberRange(min=0), TOO_MANY],
    )
    leader_user_id = SelectField(_l("Leader account"), coerce=_optional_int, choices=[])
    social_worker_id = SelectField(
        _l("Owning social worker"), coerce=_optional_int, choices=[]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    version = IntegerField(validators=[Optional()])


class OrganizationLeaderForm(BaseForm):
    """What an organization's own leader may edit."""

    member_count = IntegerField(
        _l("Members"),
        validators=[InputRequired(), NumberRange(min=0), TOO_MANY],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    version = IntegerField(validators=[Optional()])


class OrganizationFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    stage = SelectField(_l("Stage"), choices=[], default="")
    kind = SelectField(
        _l("Kind"), choices=lambda: kind_choices(_l("All kinds")), default=""
    )
    compound = SelectField(_l("Compound"), choices=[], default="")
    social_worker = SelectField(_l("Social worker"), choices=[], default="")
    sort = SelectField(
        _l("Sort by"),
        default="name",
        choices=lambda: [
            SelectChoice("name", _l("Name of the organization")),
            SelectChoice("stage", _l("Stage")),
            SelectChoice("-stage_since", _l("Longest in stage")),
            SelectChoice("-created", _l("Newest first")),
            SelectChoice("founded", _l("Founding date")),
            SelectChoice("-members", _l("Most members")),
        ],
    )
    archived = SelectField(
        _l("Archive"),
        default="",
        choices=lambda: [
            SelectChoice("", _l("Current organizations")),
            SelectChoice("1", _l("Archived organizations")),
        ],
    )


class StageChangeForm(BaseForm):
    to = SelectField(_l("New stage"), choices=[])
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000)],
        description=_l("Required when moving back to an earlier stage."),
    )


class CaseNoteForm(BaseForm):
    noted_on = DateField(_l("Date"), validators=[InputRequired()])
    contact_kind = SelectField(
        _l("Contact"),
        choices=lambda: [
            SelectChoice(k.value, label) for k, label in CONTACT_KIND_LABELS.items()
        ],
    )
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=5000)])


def assessment_form_class(dims):
    """A form with a score (1-5) and a note for each active dimension."""

    class AssessmentForm(BaseForm):
        assessed_on = DateField(_l("Assessed on"), validators=[InputRequired()])
        notes = TextAreaField(_l("Overall notes"), validators=[Length(max=5000)])

    score_choices = [SelectChoice("", "—")] + [
        SelectChoice(str(n), str(n)) for n in range(1, 6)
    ]
    for dim in dims:
        setattr(
            AssessmentForm,
            f"score_{dim.key}",
            SelectField(
                dim.label,
                choices=score_choices,
                validators=[DataRequired(message=_l("Please give a score."))],
            ),
        )
        setattr(
            AssessmentForm,
            f"note_{dim.key}",
            StringField(_l("Note"), validators=[Optional(), Length(max=500)]),
        )
    return AssessmentForm
