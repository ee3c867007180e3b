"""``flask --app wsgi demo district --scale S``: a district-scale data set (issue
18) inserted in bulk into an empty migrated database, for measuring pages at the
size of a district (about 2,000 organizations and 300,000 activity logs at 1.0).

The logins are stable for every scale, so ``make bench`` and its helpers can log
in without reading the output: ``BENCH_USERS`` maps each role the bench measures
to a username; every generated account has the password ``DISTRICT_PASSWORD``.
"""

from __future__ import annotations

DISTRICT_PASSWORD = "district2026"  # noqa: S105 - a published test data set's password

# The accounts the bench logs in as: the deployment's administrator, a social
# worker with a typical caseload (the first one: about 20 organizations at every
# scale), the leader of the first organization, and the viewer of the first street.
BENCH_USERS = {
    "admin": "admin",
    "social_worker": "sw_0001",
    "org_leader": "leader_0001",
    "street_viewer": "viewer_street_01",
}
# Also made: ``district_viewer`` (every community), ``admin_2``, ``sw_0002``...,
# ``leader_0002``... (one per organization), ``viewer_street_02``...
