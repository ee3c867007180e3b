"""district-scale indexes

Revision ID: 0016_district_indexes
Revises: 0015_bookings_signins
Create Date: 2026-12-01 03:40:00

A district holds about 300,000 activity logs (issue 18). Without these, every
activity list sorted all of them by start, and reports filtered through the
review-state index alone, which matched 97% of the rows.

Only new indexes: no row changes; the downgrade drops them (printable with
``flask db downgrade --sql``).
"""

from alembic import op

revision = "0016_district_indexes"
down_revision = "0015_bookings_signins"
branch_labels = None
depends_on = None

# (name, table, columns): each declared on its model too.
INDEXES = [
    ("ix_activity_starts_at", "activity", ["starts_at"]),
    ("ix_activity_community_starts", "activity", ["community_id", "starts_at"]),
    ("ix_booking_state_starts", "booking", ["state", "starts_at"]),
    ("ix_sign_in_community_resident", "sign_in", ["community_id", "resident_id"]),
    # --- lists ---
    # The review queue: pending logs, oldest first.
    ("ix_activity_review_created", "activity", ["review_state", "created_at"]),
    # --- end lists ---
    # --- figures ---
    # Covering indexes of the figures (reports, dashboards, indicator progress):
    # a period's counts read the index alone, by day for the whole district and
    # by community first for one community.
    (
        "ix_activity_figures",
        "activity",
        [
            "review_state",
            "held_on",
            "community_id",
            "form",
            "service_type",
            "target_group",
            "person_times",
            "compound_id",
            "room_id",
        ],
    ),
    (
        "ix_activity_community_figures",
        "activity",
        [
            "community_id",
            "review_state",
            "held_on",
            "form",
            "service_type",
            "target_group",
            "person_times",
            "compound_id",
            "room_id",
        ],
    ),
    (
        "ix_service_record_figures",
        "service_record",
        ["served_on", "community_id", "superseded", "hours"],
    ),
    (
        "ix_service_record_community_figures",
        "service_record",
        ["community_id", "served_on", "superseded", "hours"],
    ),
    (
        "ix_resource_link_figures",
        "resource_link",
        ["received_on", "community_id", "activity_id", "value"],
    ),
    (
        "ix_resource_link_community_figures",
        "resource_link",
        ["community_id", "received_on", "activity_id", "value"],
    ),
    (
        "ix_sign_in_activity_figures",
        "sign_in",
        ["activity_id", "community_id", "resident_id"],
    ),
    # --- end figures ---
    # --- calendars ---
    ("ix_activity_held_starts", "activity", ["held_on", "starts_at"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
