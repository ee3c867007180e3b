"""西岭社区's first three months: a roster of volunteers with their memberships, a
few service-hour records, activities (mostly approved, the latest pending or
returned) and sw_zhou's follow-ups. Dated back with ``incubator.demo.clock``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from incubator.activities import services as activities
from incubator.activities.schemas import ActivityLog, ActivityReview, VolunteerHoursIn
from incubator.audit.models import AuditEntry
from incubator.auth.models import User
from incubator.community.models import Compound
from incubator.demo import clock, second_data
from incubator.demo.second_followups import seed_followups
from incubator.demo.volunteers import SURNAMES
from incubator.i18n import local_today, local_zone
from incubator.organizations.models import Organization
from incubator.volunteers import services as volunteers
from incubator.volunteers.hours import record_service
from incubator.volunteers.models import Volunteer
from incubator.volunteers.schemas import VolunteerRegistration

APPROVE = ActivityReview(decision="approve")
RETURN = ActivityReview(decision="return", reason="请补充签到表和活动照片。")


def seed_roster_and_activities(
    orgs: list[Organization], compounds: list[Compound], worker: User, admin: User, rng
) -> None:
    active = [org for org in orgs if org.stage != "dormant"]
    roster = _seed_roster(orgs, compounds, worker, rng)
    _seed_activities(active, roster, worker, admin, rng)
    seed_followups(orgs, worker)


def _seed_roster(orgs, compounds, worker, rng) -> dict[int, list[Volunteer]]:
    """``VOLUNTEERS`` residents, each in one organization (every fifth in two)."""
    today = local_today()
    roster: dict[int, list[Volunteer]] = {org.id: [] for org in orgs}
    phones = rng.sample(range(10_000_000, 99_999_999), second_data.VOLUNTEERS)
    for index in range(second_data.VOLUNTEERS):
        joined = today - timedelta(days=rng.randint(95, 400))
        home = orgs[index % len(orgs)]
        with clock.dated(joined, 9, (AuditEntry,)):
            volunteer = volunteers.create_volunteer(
                VolunteerRegistration(
                    role="backbone" if index < len(orgs) else "member",
                    name=rng.choice(SURNAMES) + rng.choice(second_data.GIVEN),
                    gender=rng.choice(["female", "female", "male"]),
                    birth_year=rng.randint(1950, 1995),
                    phone=f"177{phones[index]}",
                    compound_id=home.compound_id,
                    skills=rng.sample(second_data.SKILLS, rng.randint(0, 2)),
                    availability=["weekend"],
                    joined_on=joined,
                ),
                actor=worker,
                organization=home,
            )
            roster[home.id].append(volunteer)
            if index % 5 == 4:
                other = orgs[(index + 1) % len(orgs)]
                volunteers.add_membership(
                    volunteer, other, actor=worker, joined_on=joined
                )
                roster[other.id].append(volunteer)
    for org in orgs[:3]:  # hours served outside the logged activities
        for volunteer in roster[org.id][:2]:
            served = today - timedelta(days=rng.randint(5, 80))
            with clock.dated(served, 18, (AuditEntry,)):
                record_service(
                    volunteer,
                    org,
                    actor=worker,
                    served_on=served,
                    hours=str(rng.choice([1.5, 2, 3])),
                    service=second_data.SERVICES[org.kind],
                )
    return roster


def _seed_activities(orgs, roster, worker, admin, rng) -> None:
    """Two activities a month for each active organization over three months:
    approved, except that some of the last fortnight's wait or were returned."""
    today = local_today()
    forms = ["group"] * 4 + ["community"] * 10
    for days_back in range(88, 0, -15):
        for org in orgs:
            day = today - timedelta(days=days_back - rng.randint(0, 6))
            start = datetime.combine(
                day, time(rng.choice([9, 15, 19])), tzinfo=local_zone()
            )
            form = forms.pop() if forms else rng.choice(["training", "meeting"])
            helpers = rng.sample(roster[org.id], min(2, len(roster[org.id])))
            with clock.dated(day, 21, (AuditEntry,), not_after_now=True):
                activity = activities.log_activity(
                    org,
                    ActivityLog(
                        organization_id=org.id,
                        title=rng.choice(second_data.TITLES[org.kind]),
                        form=form,
                        service_type=second_data.SERVICE_TYPE[org.kind],
                        target_group="all_residents",
                        starts_at=start,
                        ends_at=start + timedelta(hours=2),
                        compound_id=org.compound_id,
                        place="",
                        person_times=rng.randint(10, 35),
                        summary="示例活动记录。",
                        volunteer_hours=[
                            VolunteerHoursIn(volunteer_id=v.id, hours="2")
                            for v in helpers
                        ],
                    ),
                    actor=worker,
                )
                if days_back > 15:
                    activities.review_activity(activity, APPROVE, actor=admin)
                elif org.id % 2:
                    activities.review_activity(activity, RETURN, actor=admin)
