"""Independent checks of the demo centres' figures: raw SQL over the tables,
written apart from ``incubator.projects.metrics``."""

from __future__ import annotations

from sqlalchemy import bindparam, text

from incubator.database import UTCDateTime
from incubator.projects.metrics import moment

USED_BOOKINGS = """
SELECT count(*) FROM booking
WHERE community_id = :c AND state = 'confirmed' AND held = :yes
  AND held_on >= :start AND held_on < :end
"""
UNBOOKED_CENTRE_ACTIVITIES = """
SELECT count(*) FROM activity a
WHERE a.community_id = :c AND a.review_state = 'approved'
  AND a.room_id IS NOT NULL AND a.held_on >= :start AND a.held_on < :end
  AND NOT EXISTS (
    SELECT 1 FROM booking b
    WHERE b.activity_id = a.id AND b.state = 'confirmed' AND b.held = :yes)
"""
PEOPLE = """
SELECT count(DISTINCT s.resident_id) FROM sign_in s
LEFT JOIN activity a ON a.id = s.activity_id
LEFT JOIN training_session t ON t.id = s.session_id
LEFT JOIN booking b ON b.id = s.booking_id
WHERE s.community_id = :c AND (
  (a.review_state = 'approved' AND a.held_on >= :start AND a.held_on < :end)
  OR (t.state = 'held' AND t.starts_at >= :from_ AND t.starts_at < :until)
  OR (b.state = 'confirmed' AND b.held = :yes
      AND b.held_on >= :start AND b.held_on < :end))
"""
PERSON_TIMES = """
SELECT coalesce(sum(person_times), 0) FROM activity
WHERE community_id = :c AND review_state = 'approved'
  AND held_on >= :start AND held_on < :end
"""
OVERLAPS = """
SELECT count(*) FROM booking x JOIN booking y
  ON x.room_id = y.room_id AND x.id < y.id
  AND x.starts_at < y.ends_at AND y.starts_at < x.ends_at
WHERE x.state = 'confirmed' AND y.state = 'confirmed'
"""
TWICE = """
SELECT count(*) FROM (
  SELECT resident_id, activity_id, session_id, booking_id FROM sign_in
  GROUP BY resident_id, activity_id, session_id, booking_id
  HAVING count(*) > 1) AS twice
"""


def _run(db, sql: str, community_id: int, period) -> int:
    start, end = period
    stmt = text(sql)
    if ":from_" in sql:
        stmt = stmt.bindparams(
            bindparam("from_", type_=UTCDateTime()),
            bindparam("until", type_=UTCDateTime()),
        )
    values = {
        "c": community_id,
        "yes": True,
        "start": start,
        "end": end,
        "from_": moment(start),
        "until": moment(end),
    }
    used = {k: v for k, v in values.items() if f":{k}" in sql}
    return int(db.session.execute(stmt, used).scalar())


def raw_space_uses(db, community_id: int, period) -> int:
    return _run(db, USED_BOOKINGS, community_id, period) + _run(
        db, UNBOOKED_CENTRE_ACTIVITIES, community_id, period
    )


def raw_people_served(db, community_id: int, period) -> int:
    return _run(db, PEOPLE, community_id, period)


def raw_person_times(db, community_id: int, period) -> int:
    return _run(db, PERSON_TIMES, community_id, period)


def overlapping_confirmed_bookings(db) -> int:
    return int(db.session.execute(text(OVERLAPS)).scalar())


def residents_signed_twice_to_one_record(db) -> int:
    return int(db.session.execute(text(TWICE)).scalar())
