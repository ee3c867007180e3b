"""bookings and sign-ins: room bookings and their use, residents and their
sign-ins

Revision ID: 0015_bookings_signins
Revises: 0014_centre_rooms
Create Date: 2026-12-01 00:12:00

- ``booking_series``, ``booking``: a room's bookings; on PostgreSQL the exclusion
  constraint ``booking_no_overlap`` refuses two confirmed bookings of one room
  that overlap, also when two requests race.
- ``resident``, ``sign_in``: residents served, known by a keyed hash of their
  mobile number, and their sign-ins to activities, sessions and bookings.

Only new tables: no existing row changes, and the downgrade drops them alone
(printable with ``flask db downgrade --sql``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_bookings_signins"
down_revision = "0014_centre_rooms"
branch_labels = None
depends_on = None


NO_OVERLAP_DDL = (
    "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist ("
    "int4range(room_id, room_id, '[]') WITH =, "
    "tstzrange(starts_at, ends_at) WITH &&"
    ") WHERE (state = 'confirmed')"
)


def upgrade():
    op.create_table(
        "booking_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("freq", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_booking_series_created_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_series")),
    )
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("detached", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("outside_unit", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("service_type", sa.String(length=32), nullable=False),
        sa.Column("expected_people", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=True),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("use_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("use_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_booking_ends_after_start")
        ),
        sa.CheckConstraint(
            "expected_people >= 0",
            name=op.f("ck_booking_expected_people_not_negative"),
        ),
        sa.CheckConstraint(
            "people IS NULL OR people >= 0",
            name=op.f("ck_booking_people_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_booking_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"], ["user.id"], name=op.f("fk_booking_booked_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_booking_community_id_community"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_booking_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_booking_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["room.id"], name=op.f("fk_booking_room_id_room")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["booking_series.id"],
            name=op.f("fk_booking_series_id_booking_series"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_booking_session_id_training_session"),
        ),
        sa.ForeignKeyConstraint(
            ["use_recorded_by_id"],
            ["user.id"],
            name=op.f("fk_booking_use_recorded_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
        sa.UniqueConstraint("activity_id", name=op.f("uq_booking_activity_id")),
        sa.UniqueConstraint("session_id", name=op.f("uq_booking_session_id")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_room_starts", ["room_id", "starts_at"])
        for column in (
            "booked_by_id",
            "community_id",
            "held_on",
            "organization_id",
            "series_id",
            "service_type",
            "state",
        ):
            batch_op.create_index(f"ix_booking_{column}", [column], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_OVERLAP_DDL)

    op.create_table(
        "resident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone_masked", sa.String(length=16), nullable=False),
        sa.Column("phone_encrypted", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
        sa.UniqueConstraint("key", name=op.f("uq_resident_key")),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resident_last_signed_at", ["last_signed_at"], unique=False
        )
    op.create_table(
        "sign_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN activity_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN session_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN booking_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_sign_in_one_record"),
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_sign_in_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_sign_in_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_sign_in_community_id_community"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_sign_in_recorded_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_sign_in_resident_id_resident"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_sign_in_session_id_training_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in")),
        sa.UniqueConstraint(
            "resident_id", "activity_id", name=op.f("uq_sign_in_resident_id_activity_id")
        ),
        sa.UniqueConstraint(
            "resident_id", "booking_id", name=op.f("uq_sign_in_resident_id_booking_id")
        ),
        sa.UniqueConstraint(
            "resident_id", "session_id", name=op.f("uq_sign_in_resident_id_session_id")
        ),
    )
    with op.batch_alter_table("sign_in", schema=None) as batch_op:
        for column in (
            "activity_id",
            "booking_id",
            "community_id",
            "resident_id",
            "session_id",
        ):
            batch_op.create_index(f"ix_sign_in_{column}", [column], unique=False)


def downgrade():
    op.drop_table("sign_in")
    op.drop_table("resident")
    op.drop_table("booking")
    op.drop_table("booking_series")
