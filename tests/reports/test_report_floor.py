"""The monthly report's raw-SQL floor (``tests/benchmarks/report_floor.py``,
what ``make bench`` measures the report against) counts the same figures as
the report itself, on the demo's two communities, for every month of its year."""

from datetime import timedelta

from sqlalchemy import select

from incubator.community.models import Community
from incubator.extensions import db as _db
from incubator.i18n import local_today
from incubator.periods import month_key, month_range, months_before
from incubator.reports.monthly import monthly_report
from tests.benchmarks.report_floor import monthly_floor


def _months():
    first = local_today().replace(day=1)
    return [month_key(months_before(first, n)) for n in range(13)]


def test_the_floor_counts_what_the_report_counts(app, db, demo_today):
    communities = db.session.scalars(select(Community).order_by(Community.id)).all()
    assert len(communities) == 2
    scopes = [None, [communities[0].id], [communities[1].id]]
    counted = 0
    for month in _months():
        first, end = month_range(month)
        for ids in scopes:
            scope = None if ids is None else frozenset(ids)
            report = monthly_report((first, end), month, scope, breakdown=communities)
            floor = monthly_floor(
                _db.session.connection(),
                first,
                end - timedelta(days=1),
                ids,
                today=local_today(),
            )
            rows = floor.pop("by_community")
            assert {**floor, "month": month} == {
                k: v for k, v in report.items() if k != "by_community"
            }, (month, ids)
            for row in report["by_community"]:
                expected = {
                    k: v for k, v in row.items() if k not in ("community_id", "name")
                }
                if row["community_id"] in rows:
                    assert rows[row["community_id"]] == expected, (month, row["name"])
                else:  # a community with no figure: every figure zero
                    assert expected["activities"]["total"] == 0
                    assert expected["people_served"] == 0
            counted += report["activities"]["total"] + report["people_served"]
    # the demo has activities and sign-ins in its year: the comparison counted
    assert counted > 100
