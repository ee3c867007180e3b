"""西岭社区's organizations: each registered before its first stage move, then
moved along its path through the stage rules, dated back with
``incubator.demo.clock``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from incubator.audit.models import AuditEntry
from incubator.demo import clock
from incubator.extensions import db
from incubator.i18n import local_today
from incubator.organizations import records
from incubator.organizations import services as org_services
from incubator.organizations import stages as stage_moves
from incubator.organizations.incubation import dimensions
from incubator.organizations.models import Organization, StageChange
from incubator.organizations.schemas import OrganizationRegistration


def seed_organization(spec, worker, accounts, compounds, rng) -> Organization:
    """One organization, registered before its first stage move, then moved along
    its path, each forward move after an assessment made that day."""
    name, kind, compound, filing, founded, members, leader, path = spec
    today = local_today()
    first_day = today - timedelta(days=max([d for _s, d in path] + [20]) + 10)
    with clock.dated(first_day, 9, (AuditEntry,), not_after_now=True) as moment:
        org = org_services.create_organization(
            OrganizationRegistration(
                name=name,
                kind=kind,
                compound_id=compounds[compound].id,
                filing_status=filing,
                founded_on=founded,
                member_count=members,
                social_worker_id=worker.id,
                leader_user_id=accounts[leader].id if leader else None,
                description=f"{compounds[compound].name}居民自发成立的{name}。",
            ),
            actor=worker,
        )
        org.created_at = org.stage_since = moment
        db.session.flush()
        db.session.execute(
            update(StageChange)
            .where(StageChange.organization_id == org.id)
            .values(changed_at=moment)
        )
    keys = [d.key for d in dimensions()]
    for step, (stage, days_ago) in enumerate(path):
        day = today - timedelta(days=days_ago)
        with clock.dated(day, 10, (AuditEntry,), not_after_now=True) as moment:
            if stage != "dormant":
                scores = {key: min(5, 2 + step + rng.randint(0, 1)) for key in keys}
                assessment = records.record_assessment(
                    org,
                    actor=worker,
                    assessed_on=day,
                    scores=scores,
                    notes="阶段评估。",
                )
                assessment.created_at = moment
            change = stage_moves.change_stage(
                org,
                stage,
                actor=worker,
                reason="负责人搬离，活动暂停。"
                if stage == "dormant"
                else "示例数据：按孵化进展调整阶段。",
            )
            moved = org.stage_since = moment + timedelta(minutes=30)
            db.session.execute(  # history rows are only ever re-dated in bulk
                update(StageChange)
                .where(StageChange.id == change.id)
                .values(changed_at=moved)
            )
    db.session.flush()
    return org
