"""score snapshots (issue 15): the roll-ups summed per partner and channel over completed days

- score_span: one snapshot of the completed UTC days [first_day, end_day) (building, ready or stale).
- score_span_event: per span and partner, engagement_day summed over the span.
- score_span_sent: per span and channel, delivery_day summed over the span.
Empty at first: the `score-snapshots` job builds today's spans (bot/jobs.py); until it has, the score
and gone-quiet reads add up the roll-ups as before.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "score_span",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("built_by", sa.String(length=64), nullable=False),
        sa.Column("lease_until", _TS, nullable=True),
        sa.Column("built_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("first_day", "end_day", name="uq_score_span_days"),
    )
    op.create_table(
        "score_span_event",
        sa.Column("span_id", sa.Integer(), primary_key=True),
        sa.Column("partner_id", sa.Integer(), primary_key=True),
        sa.Column("proactive", sa.Integer(), nullable=False),
        sa.Column("reactive", sa.Integer(), nullable=False),
        sa.Column("last_at", _TS, nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "score_span_sent",
        sa.Column("span_id", sa.Integer(), primary_key=True),
        sa.Column("channel_id", sa.Integer(), primary_key=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("score_span_sent")
    op.drop_table("score_span_event")
    op.drop_table("score_span")
