"""normalize: organizations unique by a normalized name key (NFKC + casefold)

Revision ID: 0010_normalize
Revises: 0009_api
Create Date: 2026-11-30 09:40:00

Adds ``organization.name_key`` (``incubator.normalize.name_key`` of the name),
fills it for existing rows and makes (community_id, name_key) unique, so
``ＡＢＣ合唱团`` and ``abc合唱团`` are the same name on SQLite and PostgreSQL.

Existing rows whose names already collide under the key keep their names; the
later ones (higher id) get the key ``<key>#<id>`` and a warning in the log, so the
upgrade never fails on a populated database. Saving a new name for such an
organization then checks the real key.
"""

import logging
import unicodedata

import sqlalchemy as sa
from alembic import context, op

revision = "0010_normalize"
down_revision = "0009_api"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")


def _key(name: str) -> str:
    # The same rule as incubator.normalize.name_key, frozen here so the migration
    # does not change if the application's rule does.
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def upgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))

    org = sa.table(
        "organization",
        sa.column("id", sa.Integer),
        sa.column("community_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
    )
    if context.is_offline_mode():
        # No rows to read when only printing SQL: an approximation of the key.
        op.execute(org.update().values(name_key=sa.func.lower(org.c.name)))
    else:
        _fill_keys(op.get_bind(), org)

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.alter_column(
            "name_key", existing_type=sa.String(length=200), nullable=False
        )
        batch_op.create_index(
            "uq_organization_community_id_name_key",
            ["community_id", "name_key"],
            unique=True,
        )


def _fill_keys(bind, org) -> None:
    rows = bind.execute(
        sa.select(org.c.id, org.c.community_id, org.c.name).order_by(org.c.id)
    ).all()
    taken: set[tuple[int, str]] = set()
    for row_id, community_id, name in rows:
        key = _key(name)[:200]
        if (community_id, key) in taken:
            logger.warning(
                "Organization %s has the same normalized name as an earlier one in "
                "community %s; its key is suffixed with its id. Rename it.",
                row_id,
                community_id,
            )
            key = f"{key[:188]}#{row_id}"
        taken.add((community_id, key))
        bind.execute(sa.update(org).where(org.c.id == row_id).values(name_key=key))


def downgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index("uq_organization_community_id_name_key")
    # Not in batch mode: SQLite (3.35+) drops an unindexed column in place, so
    # this also prints as plain SQL (flask db downgrade --sql).
    op.drop_column("organization", "name_key")
