"""overview_day, overview_failure, channel_reach, announcement_reach: the dashboard Overview's counts

Per UTC day, topic and segment at send time, the sent copies (and engaged ones) and the failed ones;
per channel and announcement, when its latest copy went out. Back-filled from the deliveries here by
storage/repositories/overview_rollup.py's `rebuild_sync`, which from now on keeps them in the
transactions that change the copies.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables
from storage.repositories import overview_rollup

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _segment() -> list[sa.Column[str]]:
    return [
        sa.Column("tier", sa.String(length=40), primary_key=True),
        sa.Column("type", sa.String(length=40), primary_key=True),
        sa.Column("region", sa.String(length=40), primary_key=True),
        sa.Column("language", sa.String(length=20), primary_key=True),
    ]


def upgrade() -> None:
    # Every table clustered by its key on SQLite (WITHOUT ROWID): a window reads a range of days, a
    # view one topic's channels.
    op.create_table(
        "overview_day",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("topic_id", sa.Integer(), primary_key=True),
        *_segment(),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("engaged", sa.Integer(), nullable=False),
        sa.Column("last_engaged_at", storage.tables.UTCDateTime(), nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "overview_failure",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("topic_id", sa.Integer(), primary_key=True),
        *_segment(),
        sa.Column("last_error", sa.String(length=300), primary_key=True),
        sa.Column("failed", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "channel_reach",
        sa.Column("topic_id", sa.Integer(), primary_key=True),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channel.id"), primary_key=True),
        *_segment(),
        sa.Column("last_sent_at", storage.tables.UTCDateTime(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "announcement_reach",
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), primary_key=True),
        *_segment(),
        sa.Column("last_sent_at", storage.tables.UTCDateTime(), nullable=False),
        sqlite_with_rowid=False,
    )
    overview_rollup.rebuild_sync(op.get_bind())


def downgrade() -> None:
    for table in ("announcement_reach", "channel_reach", "overview_failure", "overview_day"):
        op.drop_table(table)
