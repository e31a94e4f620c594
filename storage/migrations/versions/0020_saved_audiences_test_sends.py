"""saved audiences and test sends (issue 16)

- saved_audience: a named audience (`audience save <name> …`): its filters and default topics.
- announcement.audience_name: the saved audience a `broadcast audience:<name>` targets, resolved when
  it is sent.
- notice.announcement_id: a test copy (`test <id>`) goes through the notice outbox and is rendered
  from the announcement, exactly as a delivery is.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0020"
down_revision: str | None = "0019"
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
    with op.batch_alter_table("announcement") as batch:
        batch.add_column(sa.Column("audience_name", sa.String(length=40), nullable=True))
        batch.create_index(batch.f("ix_announcement_audience_name"), ["audience_name"])
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("announcement_id", sa.Integer(), nullable=True))
    op.create_index("ix_notice_message", "notice", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_notice_message", table_name="notice")
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("announcement_id")
    with op.batch_alter_table("announcement") as batch:
        batch.drop_index(batch.f("ix_announcement_audience_name"))
        batch.drop_column("audience_name")
    op.drop_table("saved_audience")
