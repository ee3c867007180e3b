"""Many activity logs and service-hour records, inserted in bulk (as the district
generator does: through the models' tables, not one service call each), for the
export tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from incubator.activities.models import Activity, ActivityVolunteer
from incubator.volunteers.models import ServiceRecord


@pytest.fixture
def bulk(db, team, make_org):
    """``bulk.activities(org, n)`` adds ``n`` approved logs of ``org`` (each with
    the team's two volunteers, 1.5 h each, and a service record for each);
    ``bulk.other`` is a second organization with another leader."""
    state = {"n": 0}

    class Bulk:
        other = make_org("合唱团")

        @staticmethod
        def activities(org, n: int) -> None:
            rows = []
            base = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
            first = state["n"]
            for i in range(first, first + n):
                start = base + timedelta(hours=3 * i)
                rows.append(
                    {
                        "organization_id": org.id,
                        "community_id": org.community_id,
                        "title": f"=活动{i}" if i % 7 == 0 else f"活动{i}",
                        "form": "group",
                        "service_type": "self_org_service",
                        "target_group": "elders",
                        "starts_at": start,
                        "ends_at": start + timedelta(hours=1),
                        "held_on": (start + timedelta(hours=8)).date(),
                        "place": "活动室",
                        "person_times": i % 40,
                        "summary": f"第{i}次活动，大家都来了。" * 3,
                        "review_state": "approved",
                        "return_reason": "",
                        "version": 1,
                        "created_at": start,
                    }
                )
            state["n"] += n
            db.session.execute(insert(Activity), rows)
            ids = [
                row.id
                for row in db.session.execute(
                    Activity.__table__.select()
                    .with_only_columns(Activity.id)
                    .where(Activity.organization_id == org.id)
                    .order_by(Activity.id.desc())
                    .limit(n)
                )
            ]
            helpers = team["helpers"]
            db.session.execute(
                insert(ActivityVolunteer),
                [
                    {"activity_id": aid, "volunteer_id": v.id, "hours": Decimal("1.5")}
                    for aid in ids
                    for v in helpers
                ],
            )
            db.session.execute(
                insert(ServiceRecord),
                [
                    {
                        "volunteer_id": v.id,
                        "organization_id": org.id,
                        "community_id": org.community_id,
                        "service": f"服务{aid}",
                        "served_on": date(2025, 1, 1) + timedelta(days=aid % 300),
                        "hours": Decimal("1.5"),
                        "recorded_by_id": team["sw"].id,
                        "activity_id": aid,
                        "correction_reason": "",
                        "superseded": False,
                    }
                    for aid in ids
                    for v in helpers
                ],
            )
            db.session.commit()

    return Bulk


@pytest.fixture(autouse=True)
def _own_upload_folder(app, tmp_path):
    """Each test its own folder of export files (the tests' default is shared)."""
    from incubator import storage

    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    app.extensions[storage.EXTENSION_KEY] = storage.make_store(app.config)
