from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from incubator.activities.forms import _choices
from incubator.activities.models import TARGET_GROUP_LABELS
from incubator.errors import ValidationFailed
from incubator.forms import BaseForm
from incubator.ventures.models import CLOSING_GRADE_LABELS

# "需求契合度 25", "预算合理性，15", "材料费: 800.50"
_LINE = re.compile(r"^\s*(.+?)[\s,，:：、]+([0-9][0-9,]*(?:\.[0-9]+)?)\s*$")


def parse_lines(text: str, field: str) -> list[tuple[str, str]]:
    """One "name amount" pair per line; ``ValidationFailed`` names the bad line."""
    pairs = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValidationFailed(
                _l("Line %(n)d: write a name, then a number.", n=number), field=field
            )
        pairs.append((match.group(1).strip(), match.group(2).replace(",", "")))
    return pairs


class RoundForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    budget = StringField(
        _l("Total budget (yuan)"), validators=[DataRequired(), Length(max=20)]
    )
    opens_on = DateField(_l("Applications open"), validators=[InputRequired()])
    closes_on = DateField(_l("Applications close"), validators=[InputRequired()])
    runs_from = DateField(_l("Ventures run from"), validators=[InputRequired()])
    runs_until = DateField(_l("Ventures run until"), validators=[InputRequired()])
    criteria = TextAreaField(
        _l("Scoring criteria and weights (%)"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l(
            'One per line, e.g. "需求契合度 25"; the weights add up to 100.'
        ),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)]
    )
    version = HiddenField()


class VentureForm(BaseForm):
    title = StringField(
        _l("Project title"), validators=[DataRequired(), Length(max=100)]
    )
    target_group = SelectField(
        _l("Target group"),
        choices=_choices(TARGET_GROUP_LABELS, _l("Choose…")),
        validators=[DataRequired()],
    )
    need = TextAreaField(
        _l("Need addressed"), validators=[DataRequired(), Length(max=5000)]
    )
    planned_activities = TextAreaField(
        _l("Planned activities"), validators=[Optional(), Length(max=5000)]
    )
    expected_outputs = TextAreaField(
        _l("Expected outputs"), validators=[Optional(), Length(max=5000)]
    )
    requested_amount = StringField(
        _l("Requested amount (yuan)"), validators=[DataRequired(), Length(max=20)]
    )
    budget_lines = TextAreaField(
        _l("Budget lines"),
        validators=[Optional(), Length(max=3000)],
        description=_l(
            'One per line, e.g. "材料费 800"; they add up to the requested amount.'
        ),
    )
    sponsor_id = SelectField(
        _l("Sponsoring organization"),
        choices=[],
        validators=[Optional()],
        description=_l("Needed when the organization is neither filed nor registered."),
    )
    submission_key = HiddenField(validators=[Optional(), Length(max=64)])
    version = HiddenField()


class ReviewersForm(BaseForm):
    reviewer_ids = SelectMultipleField(
        _l("Reviewers"),
        coerce=int,
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class ScoreForm(BaseForm):
    """The scores are fields ``score-<criterion id>`` added by the page."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


class TransitionForm(BaseForm):
    to = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    approved_amount = StringField(
        _l("Approved amount (yuan)"), validators=[Optional(), Length(max=20)]
    )
    outputs_achieved = TextAreaField(
        _l("Outputs achieved against those expected"),
        validators=[Optional(), Length(max=5000)],
    )
    closing_grade = SelectField(
        _l("Closing grade"),
        choices=_choices(CLOSING_GRADE_LABELS, _l("Choose…")),
        validators=[Optional()],
    )
    lessons = TextAreaField(_l("Lessons"), validators=[Optional(), Length(max=5000)])


class MidtermForm(BaseForm):
    checked_on = DateField(_l("Checked on"), validators=[InputRequired()])
    note = TextAreaField(
        _l("Progress and findings"), validators=[DataRequired(), Length(max=5000)]
    )


class PlanActionForm(BaseForm):
    goal = StringField(_l("Goal"), validators=[DataRequired(), Length(max=200)])
    action = TextAreaField(_l("Action"), validators=[DataRequired(), Length(max=2000)])
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=50)])
    due_on = DateField(_l("Due"), validators=[InputRequired()])
    version = HiddenField()


class ActionDoneForm(BaseForm):
    done_note = TextAreaField(
        _l("What was done"), validators=[DataRequired(), Length(max=2000)]
    )


class ExpenditureForm(BaseForm):
    spent_on = DateField(_l("Date"), validators=[InputRequired()])
    amount = StringField(
        _l("Amount (yuan)"), validators=[DataRequired(), Length(max=20)]
    )
    purpose = StringField(_l("Purpose"), validators=[DataRequired(), Length(max=200)])
    receipt = FileField(_l("Receipt photo"))


class PlanTemplateForm(BaseForm):
    dimension = SelectField(_l("Capacity dimension"), choices=[])
    stage = SelectField(_l("Stage"), choices=[])
    goal = StringField(_l("Goal"), validators=[DataRequired(), Length(max=200)])
    action = TextAreaField(_l("Action"), validators=[DataRequired(), Length(max=2000)])
    due_days = IntegerField(
        _l("Due (days after approval)"), validators=[InputRequired()]
    )
    active = BooleanField(_l("In use"), default=True)
    version = HiddenField()
