"""saved audiences and test sends (issue 16)

- saved_audience: a named audience (`audience save <name> …`): its filters and default topics.
- announcement.audience_name: the saved audience a `broadcast audience:<name>` targets, resolved when
  it is sent.
- notice.announcement_id: a test copy (`test <id>`) goes through the notice outbox and is rendered
  from the announcement, exactly as a delivery is.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "saved_audience",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # Plain ADD/DROP COLUMN (SQLite >= 3.35), not a batch copy: recreating `announcement` on SQLite
    # would drop a table other rows refer to while foreign keys are enforced.
    op.add_column("announcement", sa.Column("audience_name", sa.String(length=40), nullable=True))
    op.create_index(op.f("ix_announcement_audience_name"), "announcement", ["audience_name"])
    op.add_column("notice", sa.Column("announcement_id", sa.Integer(), nullable=True))
    op.create_index("ix_notice_message", "notice", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_notice_message", table_name="notice")
    op.drop_column("notice", "announcement_id")
    op.drop_index(op.f("ix_announcement_audience_name"), table_name="announcement")
    op.drop_column("announcement", "audience_name")
    op.drop_table("saved_audience")
