"""What projects answer for lower features (``incubator.signals``): the agency
serving a community. Connected once, when this module is imported."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from incubator import signals
from incubator.extensions import db
from incubator.projects.models import Project
from incubator.projects.services import METRIC_LABELS


@signals.agency_of_community.connect
def _agency(community_id: int, *, on: date) -> str:
    """The agency named on ``community_id``'s project running ``on`` (else its
    latest project started before), ``""`` when none names one."""
    name = db.session.scalar(
        select(Project.agency)
        .where(
            Project.community_id == community_id,
            Project.starts_on <= on,
            Project.agency != "",
        )
        .order_by(Project.starts_on.desc(), Project.id.desc())
        .limit(1)
    )
    return name or ""


@signals.audit_value_labels.connect
def _metric_labels(sender) -> dict[tuple[str, str], dict]:
    """The audit log names an indicator's metric by its label."""
    return {("Indicator", "metric"): METRIC_LABELS}
