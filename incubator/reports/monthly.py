"""The monthly report (``GET /reports/monthly``, its page and its Excel export):
a month's figures from the shared counting functions (``projects.metrics``)."""

from __future__ import annotations

from incubator.projects import metrics
from incubator.projects.metrics import Period


def monthly_report(period: Period, month: str) -> dict:
    """The figures of ``GET /reports/monthly`` (API.md)."""
    return {
        "month": month,
        "activities": {
            "total": metrics.activities(period),
            "by_form": metrics.by_form(period),
            "by_service_type": metrics.by_service_type(period),
            "by_target_group": metrics.by_target_group(period),
        },
        "person_times": metrics.person_times(period),
        "volunteer_hours": str(metrics.volunteer_hours(period)),
        "resources_value": f"{metrics.resources_value(period):.2f}",
        "organizations": {
            "new": metrics.organizations_new(period),
            "stage_moves": metrics.stage_moves(period),
        },
        "followups": {
            "done": metrics.followups_done(period),
            "overdue": metrics.followups_overdue(period),
        },
        "sessions": {
            "held": metrics.capacity_sessions(period),
            "attendees": metrics.session_attendees(period),
        },
    }
