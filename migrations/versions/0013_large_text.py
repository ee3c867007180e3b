"""large_text: each user's 大字 (large text) display choice

Revision ID: 0013_large_text
Revises: 0012_imports
Create Date: 2026-11-30 20:00:00

``user.large_text`` keeps whether the pages are shown in 大字 mode (text of at
least 18 px, controls of at least 44 px) for that user, on every device.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_large_text"
down_revision = "0012_imports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "large_text", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    # a plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35 has it): a batch operation
    # would recreate ``user``, the parent of most tables (PITFALLS: a recreated
    # parent under foreign keys lost child rows), and cannot be printed with --sql
    op.drop_column("user", "large_text")
