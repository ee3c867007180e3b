"""export jobs: exports too large to write while the user waits

Revision ID: 0017_export_jobs
Revises: 0016_district_indexes
Create Date: 2026-12-01 03:40:00

- ``export_job``: who asked for which export with which filters, its state
  (queued, running, done, failed, expired), the file written and when it expires.
  The scheduler claims queued jobs, writes the file and notifies the requester.

Only a new table: no existing row changes, and the downgrade drops it alone
(printable with ``flask db downgrade --sql``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_export_jobs"
down_revision = "0016_district_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=100), nullable=True),
        sa.Column("download_name", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_export_job_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_job")),
    )
    op.create_index(
        "ix_export_job_state_created", "export_job", ["state", "created_at"]
    )
    op.create_index(
        "ix_export_job_user_created", "export_job", ["user_id", "created_at"]
    )


def downgrade():
    op.drop_index("ix_export_job_user_created", table_name="export_job")
    op.drop_index("ix_export_job_state_created", table_name="export_job")
    op.drop_table("export_job")
