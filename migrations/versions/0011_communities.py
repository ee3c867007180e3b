"""communities: several communities per deployment, rooms, user scopes, and the
community every counted record belongs to

Revision ID: 0011_communities
Revises: 0010_normalize
Create Date: 2026-11-30 16:30:00

Adds the street, display order and archiving of communities, archiving of
compounds, the centre's rooms, each user's scope (``user_community``, copied on
``user.community_scope``; none means every community), the agency of a project, and ``community_id`` on every
record the figures count (activities, service hours, ledger lines, stage
changes, ventures, sessions, follow-ups, volunteers).

An existing database has one community: every record joins it (through its
organization where it has one), so every figure stays the same. A database
that holds records but no community yet (sessions made before any project)
gets one community named 社区 for them.
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0011_communities"
down_revision = "0010_normalize"
branch_labels = None
depends_on = None

# Tables that gain community_id, and how an existing row finds it.
VIA_ORGANIZATION = (
    "activity",
    "service_record",
    "stage_change",
    "venture",
    "follow_up",
)
SCOPED = VIA_ORGANIZATION + ("resource_link", "training_session", "volunteer")


def upgrade():
    with op.batch_alter_table("community") as batch_op:
        batch_op.add_column(
            sa.Column("street", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("position", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("compound") as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("project") as batch_op:
        batch_op.add_column(
            sa.Column(
                "agency", sa.String(length=200), server_default="", nullable=False
            )
        )

    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("equipment", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "needs_approval", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_room_community_id_community"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
    )
    op.create_index(op.f("ix_room_community_id"), "room", ["community_id"])
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column(
                "community_scope",
                sa.String(length=500),
                server_default="",
                nullable=False,
            )
        )

    op.create_table(
        "user_community",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_user_community_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_community_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "community_id", name=op.f("pk_user_community")
        ),
    )

    for table in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))

    _fill()

    for table in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                "community_id", existing_type=sa.Integer(), nullable=False
            )
            batch_op.create_index(op.f(f"ix_{table}_community_id"), ["community_id"])
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_community_id_community"),
                "community",
                ["community_id"],
                ["id"],
            )


def _fill():
    for table in VIA_ORGANIZATION:
        op.execute(
            f"UPDATE {table} SET community_id = (SELECT organization.community_id "
            f"FROM organization WHERE organization.id = {table}.organization_id)"
        )
    op.execute(
        "UPDATE resource_link SET community_id = (SELECT organization.community_id "
        "FROM organization WHERE organization.id = resource_link.organization_id) "
        "WHERE organization_id IS NOT NULL"
    )
    op.execute(
        "UPDATE resource_link SET community_id = (SELECT activity.community_id "
        "FROM activity WHERE activity.id = resource_link.activity_id) "
        "WHERE community_id IS NULL AND activity_id IS NOT NULL"
    )
    op.execute(
        "UPDATE volunteer SET community_id = (SELECT compound.community_id "
        "FROM compound WHERE compound.id = volunteer.compound_id) "
        "WHERE compound_id IS NOT NULL"
    )
    op.execute(
        "UPDATE volunteer SET community_id = (SELECT MIN(organization.community_id) "
        "FROM membership JOIN organization ON organization.id = membership.organization_id "
        "WHERE membership.volunteer_id = volunteer.id) WHERE community_id IS NULL"
    )
    if context.is_offline_mode():
        op.execute(
            "UPDATE community SET created_at = CURRENT_TIMESTAMP WHERE created_at IS NULL"
        )
        for table in SCOPED:
            op.execute(
                f"UPDATE {table} SET community_id = (SELECT MIN(id) FROM community) "
                "WHERE community_id IS NULL"
            )
        return
    bind = op.get_bind()
    left = sum(
        bind.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE community_id IS NULL")
        ).scalar_one()
        for table in SCOPED
    )
    first = bind.execute(sa.text("SELECT MIN(id) FROM community")).scalar()
    if left and first is None:
        bind.execute(
            sa.text(
                "INSERT INTO community (name, district, city) VALUES ('社区', '', '')"
            )
        )
        first = bind.execute(sa.text("SELECT MIN(id) FROM community")).scalar()
    if first is not None:
        for table in SCOPED:
            bind.execute(
                sa.text(
                    f"UPDATE {table} SET community_id = :c WHERE community_id IS NULL"
                ),
                {"c": first},
            )


def downgrade():
    for table in reversed(SCOPED):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(
                op.f(f"fk_{table}_community_id_community"), type_="foreignkey"
            )
            batch_op.drop_index(op.f(f"ix_{table}_community_id"))
            batch_op.drop_column("community_id")
    op.drop_table("user_community")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("community_scope")
    op.drop_index(op.f("ix_room_community_id"), table_name="room")
    op.drop_table("room")
    with op.batch_alter_table("project") as batch_op:
        batch_op.drop_column("agency")
    with op.batch_alter_table("compound") as batch_op:
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("community") as batch_op:
        batch_op.drop_column("created_at")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("position")
        batch_op.drop_column("street")
