"""A round's scoring criteria: the criterion a round is given, the criteria a new
round starts with, and the rule their names and weights follow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field

from incubator.errors import ValidationFailed


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    weight: int = Field(ge=1, le=100, description="Percent; a round's add up to 100")


# The criteria a new round starts with (weights in percent).
DEFAULT_CRITERIA = (
    ("需求契合度", 25),
    ("可行性", 25),
    ("团队能力", 20),
    ("预算合理性", 15),
    ("社区参与", 15),
)


def criteria_rows(criteria) -> list[tuple[str, int]]:
    """``[(name, weight)]`` with names unique (at most 50 characters, blank ones
    skipped) and weights (whole percent, at least 1) adding up to 100; 12 at
    most. A page checks its typed criteria with this before building the model,
    so it names the problem in these words rather than the model's field
    limits'."""
    rows, names = [], set()
    for name, weight in criteria or ():
        name = " ".join(str(name or "").split())
        if not name:
            continue
        if len(name) > 50:
            raise ValidationFailed(
                _l("A criterion's name has at most 50 characters."), field="criteria"
            )
        if name in names:
            raise ValidationFailed(
                _l("The criterion %(name)s is listed twice.", name=name),
                field="criteria",
            )
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise ValidationFailed(
                _l("Each weight is a whole percent of at least 1."), field="criteria"
            )
        names.add(name)
        rows.append((name, weight))
    if not rows:
        raise ValidationFailed(_l("Name at least one criterion."), field="criteria")
    if len(rows) > 12:
        raise ValidationFailed(_l("At most 12 criteria."), field="criteria")
    total = sum(w for _n, w in rows)
    if total != 100:
        raise ValidationFailed(
            _l(
                "The weights add up to %(total)d%%; they must add up to 100%%.",
                total=total,
            ),
            field="criteria",
        )
    return rows
