"""imports: pending Excel imports of organizations and users

Revision ID: 0012_imports
Revises: 0011_communities
Create Date: 2026-11-30 17:00:00

``import_batch`` holds an uploaded file's checked rows until the admin confirms
or discards it (or it expires after a day), like ``roster_import`` does for the
volunteer roster; ``kind`` says what it imports (organizations, users).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_imports"
down_revision = "0011_communities"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("valid_rows", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_import_batch_created_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_batch_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_import_batch_kind"), ["kind"], unique=False
        )


def downgrade():
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_kind"))
        batch_op.drop_index(batch_op.f("ix_import_batch_created_by_id"))
    op.drop_table("import_batch")
