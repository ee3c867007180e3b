"""The typed input of each micro-venture use case: the API's request bodies, what
the pages build from their forms (``incubator.forms.form_input``) and what the
demo and tests construct. Each is validated once, here: a rule that needs no
database raises ``ValidationFailed`` from the model's validator with the message
and field the services gave before; the services check only what needs the
database (names taken, budgets, states, permissions).

The document names some bodies as they were named before the use cases were
(``title=``): /openapi.json does not change.

One module per use case: ``rounds`` and ``round_changes`` (scheduling and
changing a round, its ``criteria``), ``applications`` and ``venture_changes``
(applying and changing an application, its ``budgets``), ``life`` (moving,
closing, the midterm check), ``reviews``, ``plans`` (plan actions and
expenditures); ``common`` holds what they share. Import from here.
"""

from incubator.ventures.schemas.applications import (
    TEXT_LIMITS,
    VentureApplication,
    VentureFields,
)
from incubator.ventures.schemas.budgets import BudgetLineIn, budget_lines, line_items
from incubator.ventures.schemas.common import EARLIEST, LATEST, Money, text
from incubator.ventures.schemas.criteria import (
    DEFAULT_CRITERIA,
    CriterionIn,
    criteria_rows,
)
from incubator.ventures.schemas.life import (
    MidtermCheck,
    VentureClosing,
    VentureTransition,
)
from incubator.ventures.schemas.plans import (
    ACTION_TEXTS,
    ActionCompletion,
    ExpenditureEntry,
    PlanActionChange,
    PlanActionEntry,
)
from incubator.ventures.schemas.reviews import ReviewPanel, ReviewSubmission, ScoreIn
from incubator.ventures.schemas.round_changes import ROUND_NOT_NULL, RoundChange
from incubator.ventures.schemas.rounds import RoundSchedule, round_dates
from incubator.ventures.schemas.venture_changes import VENTURE_NOT_NULL, VentureChange

__all__ = [
    "ACTION_TEXTS",
    "DEFAULT_CRITERIA",
    "EARLIEST",
    "LATEST",
    "ROUND_NOT_NULL",
    "TEXT_LIMITS",
    "VENTURE_NOT_NULL",
    "ActionCompletion",
    "BudgetLineIn",
    "CriterionIn",
    "ExpenditureEntry",
    "MidtermCheck",
    "Money",
    "PlanActionChange",
    "PlanActionEntry",
    "ReviewPanel",
    "ReviewSubmission",
    "RoundChange",
    "RoundSchedule",
    "ScoreIn",
    "VentureApplication",
    "VentureChange",
    "VentureClosing",
    "VentureFields",
    "VentureTransition",
    "budget_lines",
    "criteria_rows",
    "line_items",
    "round_dates",
    "text",
]
