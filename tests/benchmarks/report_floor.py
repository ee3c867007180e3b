"""The raw-SQL floor of the monthly report (issue 18): the same figures as
``GET /reports/monthly`` computed with the fewest statements of text SQL (no
ORM, no figure functions of the app): one statement for every additive figure
of every community (one grouped pass per table, glued with ``UNION ALL``) and
one for people served (distinct residents, per community and overall). The
bench states the report's time as a multiple of this one's.

``tests/reports/test_report_floor.py`` checks that both give the same
figures on the demo data."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from incubator.activities.models import Form, ServiceType, TargetGroup
from incubator.database import UTCDateTime

ZONE = "Asia/Shanghai"

# kind, community_id, key, n, m: one row per group of each table.
ADDITIVE = """
SELECT 'activities' AS kind, community_id, form || '|' || service_type || '|'
       || target_group AS key, count(*) AS n, coalesce(sum(person_times), 0) AS m
  FROM activity a
 WHERE review_state = 'approved' AND held_on >= :first AND held_on < :end {activity}
 GROUP BY community_id, form, service_type, target_group
UNION ALL
SELECT 'hours', community_id, '', 0, coalesce(sum(round(hours * 10)), 0)
  FROM service_record
 WHERE superseded = false AND served_on >= :first AND served_on < :end {service}
 GROUP BY community_id
UNION ALL
SELECT 'resources', r.community_id, '', 0,
       coalesce(sum(CAST(round(r.value * 100) AS INTEGER)), 0)
  FROM resource_link r LEFT OUTER JOIN activity a ON a.id = r.activity_id
 WHERE r.received_on >= :first AND r.received_on < :end
   AND (r.activity_id IS NULL OR a.review_state = 'approved') {resource}
 GROUP BY r.community_id
UNION ALL
SELECT 'new', community_id, '', count(*), 0
  FROM organization
 WHERE created_at >= :t0 AND created_at < :t1 {organization}
 GROUP BY community_id
UNION ALL
SELECT 'moves', community_id, '', count(*), 0
  FROM stage_change
 WHERE from_stage IS NOT NULL AND changed_at >= :t0 AND changed_at < :t1 {stage}
 GROUP BY community_id
UNION ALL
SELECT 'followups', community_id, '',
       count(CASE WHEN state = 'done' AND done_on >= :first AND done_on < :end
                  THEN 1 END),
       count(CASE WHEN due_on < :cutoff AND (state = 'open' OR
                  (state = 'done' AND done_on >= :cutoff)) THEN 1 END)
  FROM follow_up
 WHERE 1 = 1 {followup}
 GROUP BY community_id
UNION ALL
SELECT 'sessions', s.community_id, '', count(*),
       coalesce(sum(s.walk_ins), 0) + coalesce(sum((
           SELECT coalesce(sum(i.attendees), 0) FROM session_invite i
            WHERE i.session_id = s.id)), 0)
  FROM training_session s
 WHERE s.state = 'held' AND s.starts_at >= :t0 AND s.starts_at < :t1 {session}
 GROUP BY s.community_id
UNION ALL
SELECT 'space', community_id, '', count(*), coalesce(sum(coalesce(people, 0)), 0)
  FROM booking
 WHERE state = 'confirmed' AND held = true
   AND held_on >= :first AND held_on < :end {booking}
 GROUP BY community_id
UNION ALL
SELECT 'space', a.community_id, '', count(*), coalesce(sum(a.person_times), 0)
  FROM activity a
 WHERE a.review_state = 'approved' AND a.held_on >= :first AND a.held_on < :end
   AND a.room_id IS NOT NULL {centre}
   AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.activity_id = a.id
                    AND b.state = 'confirmed' AND b.held = true)
 GROUP BY a.community_id
"""

# Sign-ins of the month's approved activities, held sessions and used
# bookings: distinct residents per community, then overall (community NULL).
PEOPLE = """
WITH signed AS (
  SELECT s.community_id, s.resident_id FROM sign_in s
    JOIN activity a ON a.id = s.activity_id
   WHERE a.review_state = 'approved' AND a.held_on >= :first AND a.held_on < :end
     {signin} {activity}
  UNION ALL
  SELECT s.community_id, s.resident_id FROM sign_in s
    JOIN training_session t ON t.id = s.session_id
   WHERE t.state = 'held' AND t.starts_at >= :t0 AND t.starts_at < :t1
     {signin} {session}
  UNION ALL
  SELECT s.community_id, s.resident_id FROM sign_in s
    JOIN booking b ON b.id = s.booking_id
   WHERE b.state = 'confirmed' AND b.held = true
     AND b.held_on >= :first AND b.held_on < :end {signin} {booking}
)
SELECT community_id, count(DISTINCT resident_id) FROM signed GROUP BY community_id
UNION ALL
SELECT NULL, count(DISTINCT resident_id) FROM signed
"""

SCOPED = {
    "activity": "a.community_id",
    "service": "community_id",
    "resource": "r.community_id",
    "organization": "community_id",
    "stage": "community_id",
    "followup": "community_id",
    "session": "s.community_id",
    "booking": "community_id",
    "centre": "a.community_id",
}


def _moment(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _empty() -> dict:
    return {
        "activities": 0,
        "person_times": 0,
        "by_form": defaultdict(int),
        "by_service_type": defaultdict(int),
        "by_target_group": defaultdict(int),
        "hours": 0,
        "fen": 0,
        "new": 0,
        "moves": 0,
        "done": 0,
        "overdue": 0,
        "held": 0,
        "attendees": 0,
        "uses": 0,
        "space_people": 0,
        "people": 0,
    }


def _add(into: dict, kind: str, key: str, n: int, m: int) -> None:
    if kind == "activities":
        form, service, target = key.split("|")
        into["activities"] += n
        into["person_times"] += m
        into["by_form"][form] += n
        into["by_service_type"][service] += n
        into["by_target_group"][target] += n
    elif kind == "hours":
        into["hours"] += m
    elif kind == "resources":
        into["fen"] += m
    elif kind in ("new", "moves"):
        into[kind] += n
    elif kind == "followups":
        into["done"] += n
        into["overdue"] += m
    elif kind == "sessions":
        into["held"] += n
        into["attendees"] += m
    elif kind == "space":
        into["uses"] += n
        into["space_people"] += m


def _shape(c: dict) -> dict:
    """The figures in the shape of ``GET /reports/monthly`` (API.md)."""
    return {
        "activities": {
            "total": c["activities"],
            "by_form": {k.value: c["by_form"][k.value] for k in Form},
            "by_service_type": {
                k.value: c["by_service_type"][k.value] for k in ServiceType
            },
            "by_target_group": {
                k.value: c["by_target_group"][k.value] for k in TargetGroup
            },
        },
        "person_times": c["person_times"],
        "volunteer_hours": str((Decimal(c["hours"]) / 10).quantize(Decimal("0.1"))),
        "resources_value": f"{Decimal(c['fen']) / 100:.2f}",
        "organizations": {"new": c["new"], "stage_moves": c["moves"]},
        "followups": {"done": c["done"], "overdue": c["overdue"]},
        "sessions": {"held": c["held"], "attendees": c["attendees"]},
        "people_served": c["people"],
        "space": {"uses": c["uses"], "people": c["space_people"]},
    }


def monthly_floor(
    connection: Connection,
    first_day: date,
    last_day: date,
    community_ids: list[int] | None,
    *,
    today: date | None = None,
    zone: str = ZONE,
) -> dict:
    """The monthly report's figures of the days ``first_day`` to ``last_day``
    (both included, calendar days in ``zone``) for ``community_ids`` (None:
    every community), in two statements.

    Returns the report's figures (the keys of ``GET /reports/monthly`` but
    ``month``) plus ``by_community``: ``{community_id: figures}`` for each
    community with a figure. ``today`` (default: today in ``zone``) is the day
    overdue follow-ups are counted at when the month is not over."""
    tz = ZoneInfo(zone)
    end = last_day + timedelta(days=1)
    today = today or datetime.now(tz).date()
    params = {
        "first": first_day,
        "end": end,
        "t0": _moment(first_day, tz),
        "t1": _moment(end, tz),
        "cutoff": min(end, today),
    }
    binds = [bindparam("t0", type_=UTCDateTime), bindparam("t1", type_=UTCDateTime)]
    if community_ids is None:
        where = {name: "" for name in [*SCOPED, "signin"]}
    else:
        where = {name: f"AND {column} IN :ids" for name, column in SCOPED.items()}
        where["signin"] = "AND s.community_id IN :ids"
        params["ids"] = list(community_ids)
        binds.append(bindparam("ids", expanding=True))
    rows: dict[int, dict] = defaultdict(_empty)
    total = _empty()
    additive = text(ADDITIVE.format(**where)).bindparams(*binds)
    for kind, community_id, key, n, m in connection.execute(additive, params):
        _add(rows[community_id], kind, key, int(n or 0), int(m or 0))
        _add(total, kind, key, int(n or 0), int(m or 0))
    if community_ids is not None:
        where = {
            "signin": "AND s.community_id IN :ids",
            "activity": "AND a.community_id IN :ids",
            "session": "AND t.community_id IN :ids",
            "booking": "AND b.community_id IN :ids",
        }
    people = text(PEOPLE.format(**where)).bindparams(*binds)
    for community_id, n in connection.execute(people, params):
        (total if community_id is None else rows[community_id])["people"] = int(n)
    return {
        **_shape(total),
        "by_community": {i: _shape(c) for i, c in sorted(rows.items())},
    }
