"""announcement_day: per announcement and UTC day, its copies sent and engaged (dashboard Topics)

Back-filled from the deliveries here; from now on storage/repositories/rollups.py keeps it in the
transactions that mark copies sent or engaged.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement_day",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), primary_key=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("engaged", sa.Integer(), nullable=False),
        sa.Column("last_engaged_at", storage.tables.UTCDateTime(), nullable=True),
        sqlite_with_rowid=False,  # clustered by (day, announcement): a window reads a range of days
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    sent_day = "(sent_at AT TIME ZONE 'UTC')::date" if postgres else "date(sent_at)"
    op.execute(
        "INSERT INTO announcement_day (day, announcement_id, sent, engaged, last_engaged_at)\n"
        f"SELECT {sent_day}, announcement_id, count(*), count(engaged_at), max(engaged_at)\n"
        f"FROM delivery WHERE sent_at IS NOT NULL GROUP BY {sent_day}, announcement_id"
    )


def downgrade() -> None:
    op.drop_table("announcement_day")
