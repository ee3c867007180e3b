from datetime import date

import pytest

from incubator.organizations import records
from incubator.organizations.incubation import dimensions


@pytest.fixture
def assess(db):
    """Record an assessment with every dimension at ``score`` (or ``scores``)."""

    def do(org, actor, *, score=3, scores=None, on=None):
        values = scores or {d.key: score for d in dimensions()}
        found = records.record_assessment(
            org, actor=actor, assessed_on=on or date(2026, 3, 1), scores=values
        )
        db.session.commit()
        return found

    return do
