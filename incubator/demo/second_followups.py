"""sw_zhou's follow-ups in 西岭社区: a few open ones, two of them after one done
last month. Dated back with ``incubator.demo.clock``."""

from __future__ import annotations

from datetime import timedelta

from incubator.audit.models import AuditEntry
from incubator.demo import clock, second_data
from incubator.followups import services as followups
from incubator.followups.schemas import FollowUpCompletion, FollowUpPlan
from incubator.i18n import local_today


def seed_followups(orgs, worker) -> None:
    """sw_zhou's open follow-ups, the first two after one done last month."""
    today = local_today()
    by_name = {org.name: org for org in orgs}
    for name, kind, due_in, with_done in second_data.FOLLOWUPS:
        org, due_on = by_name[name], today + timedelta(days=due_in)
        first_due = due_on - timedelta(days=30) if with_done else due_on
        with clock.dated(first_due - timedelta(days=7), 9, (AuditEntry,)):
            followup = followups.schedule_followup(
                org,
                FollowUpPlan(organization_id=org.id, kind=kind, due_on=first_due),
                actor=worker,
            )
        if with_done:
            with clock.dated(first_due, 17, (AuditEntry,)):
                following = followups.complete_followup(
                    followup,
                    FollowUpCompletion(
                        outcome=second_data.OUTCOMES[kind], done_on=first_due
                    ),
                    actor=worker,
                )
            if following is not None:  # the next one, on the day planned
                following.due_on = due_on
