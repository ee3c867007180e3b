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
    ("ix_activity_review_held", "activity", ["review_state", "held_on"]),
    ("ix_activity_community_starts", "activity", ["community_id", "starts_at"]),
    ("ix_booking_state_starts", "booking", ["state", "starts_at"]),
    ("ix_sign_in_community_resident", "sign_in", ["community_id", "resident_id"]),
    # --- calendars ---
    ("ix_activity_held_starts", "activity", ["held_on", "starts_at"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
