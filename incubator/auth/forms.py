from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from incubator.auth.roles import ROLE_LABELS
from incubator.forms import BaseForm


def _role_choices():
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class LoginForm(BaseForm):
    # No length limits: a wrong username or password of any length is a failed
    # login like any other, counted by the throttle.
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device (14 days)"))
    next = HiddenField()


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired()]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=128)]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
    )


class UserCreateForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), choices=_role_choices)
    organization_ids = SelectMultipleField(
        _l("Organizations led (organization leaders only)"), coerce=int, choices=[]
    )
    community_ids = SelectMultipleField(
        _l("Community scope"),
        coerce=int,
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=8, max=128)]
    )


class UserEditForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), choices=_role_choices)
    organization_ids = SelectMultipleField(
        _l("Organizations led (organization leaders only)"), coerce=int, choices=[]
    )
    community_ids = SelectMultipleField(
        _l("Community scope"),
        coerce=int,
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    version = IntegerField(validators=[Optional()])


class PasswordResetForm(BaseForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=128)]
    )


class UserFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=64)])
    role = SelectField(
        _l("Role"),
        choices=lambda: [SelectChoice("", _l("All roles")), *_role_choices()],
        default="",
    )
    active = SelectField(
        _l("Status"),
        choices=lambda: [
            SelectChoice("", _l("All")),
            SelectChoice("1", _l("Active")),
            SelectChoice("0", _l("Deactivated")),
        ],
        default="",
    )
