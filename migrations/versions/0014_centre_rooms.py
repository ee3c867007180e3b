"""centre rooms: rooms' opening hours; activities and sessions held in a room

Revision ID: 0014_centre_rooms
Revises: 0013_large_text
Create Date: 2026-12-01 00:10:00

- ``room.opens_at`` / ``closes_at``: opening hours (wall-clock, Asia/Shanghai).
- ``activity.room_id``, ``training_session.room_id``: held in a centre room.

Only nullable columns: no existing row changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_centre_rooms"
down_revision = "0013_large_text"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opens_at", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("closes_at", sa.Time(), nullable=True))
    for table in ("activity", "training_session"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("room_id", sa.Integer(), nullable=True))
            batch_op.create_index(f"ix_{table}_room_id", ["room_id"], unique=False)
            batch_op.create_foreign_key(
                f"fk_{table}_room_id_room", "room", ["room_id"], ["id"]
            )


def downgrade():
    for table in ("training_session", "activity"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_room_id_room", type_="foreignkey")
            batch_op.drop_index(f"ix_{table}_room_id")
            batch_op.drop_column("room_id")
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.drop_column("closes_at")
        batch_op.drop_column("opens_at")
