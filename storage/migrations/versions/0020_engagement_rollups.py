"""daily and weekly roll-ups of engagement events and sent deliveries (issue 14's score at scale)

- engagement_day: per partner and UTC day, the counted events (proactive, reactive; a removed reaction
  is not counted) and the latest one's time and kind.
- engagement_week: the same per week starting Monday, with the day of the latest event.
- delivery_day, delivery_week: per channel and UTC day / week, the deliveries sent.
All four are back-filled from the rows here; from now on storage/repositories/rollups.py keeps them in the
transaction that writes each event or marks each delivery sent.

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


def upgrade() -> None:
    op.create_table(
        "engagement_day",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), primary_key=True),
        sa.Column("proactive", sa.Integer(), nullable=False),
        sa.Column("reactive", sa.Integer(), nullable=False),
        sa.Column("last_at", storage.tables.UTCDateTime(), nullable=False),
        sa.Column("last_kind", sa.String(length=32), nullable=False),
        sqlite_with_rowid=False,  # clustered by (day, partner): a window reads ranges of days (weeks too)
    )
    op.create_table(
        "delivery_day",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channel.id"), primary_key=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "engagement_week",
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), primary_key=True),
        sa.Column("proactive", sa.Integer(), nullable=False),
        sa.Column("reactive", sa.Integer(), nullable=False),
        sa.Column("last_at", storage.tables.UTCDateTime(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "delivery_week",
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channel.id"), primary_key=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    monday = "date_trunc('week', day)::date" if postgres else "date(day, 'weekday 0', '-6 days')"
    event_day = "(at AT TIME ZONE 'UTC')::date" if postgres else "date(at)"
    sent_day = "(sent_at AT TIME ZONE 'UTC')::date" if postgres else "date(sent_at)"
    op.execute(
        "INSERT INTO engagement_day (partner_id, day, proactive, reactive, last_at, last_kind)\n"
        "SELECT d.partner_id, d.day, d.proactive, d.reactive, d.last_at,\n"
        "  (SELECT e.kind FROM engagement_event e WHERE e.partner_id = d.partner_id AND e.at = d.last_at\n"
        "   AND e.kind <> 'reaction_removed' ORDER BY e.id DESC LIMIT 1)\n"
        f"FROM (SELECT partner_id, {event_day} AS day,\n"
        "  sum(CASE WHEN proactive THEN 1 ELSE 0 END) AS proactive,\n"
        "  sum(CASE WHEN proactive THEN 0 ELSE 1 END) AS reactive, max(at) AS last_at\n"
        "  FROM engagement_event WHERE partner_id IS NOT NULL AND kind <> 'reaction_removed'\n"
        f"  GROUP BY partner_id, {event_day}) d"
    )
    op.execute(
        "INSERT INTO delivery_day (channel_id, day, sent)\n"
        f"SELECT channel_id, {sent_day}, count(*) FROM delivery WHERE sent_at IS NOT NULL\n"
        f"GROUP BY channel_id, {sent_day}"
    )
    op.execute(
        "INSERT INTO engagement_week (partner_id, week, proactive, reactive, last_at, last_day)\n"
        f"SELECT partner_id, {monday}, sum(proactive), sum(reactive), max(last_at), max(day)\n"
        f"FROM engagement_day GROUP BY partner_id, {monday}"
    )
    op.execute(
        "INSERT INTO delivery_week (channel_id, week, sent)\n"
        f"SELECT channel_id, {monday}, sum(sent) FROM delivery_day GROUP BY channel_id, {monday}"
    )


def downgrade() -> None:
    op.drop_table("delivery_week")
    op.drop_table("engagement_week")
    op.drop_table("delivery_day")
    op.drop_table("engagement_day")
