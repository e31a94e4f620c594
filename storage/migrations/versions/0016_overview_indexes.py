"""dashboard overview indexes (issue 15)

- delivery: ix_delivery_status_sent (status, sent_at, channel_id, announcement_id, tier, region, type,
  language), so the overview counts the window's sent deliveries, their channels and announcements,
  in any segment, from the index alone.
- engagement_event: ix_engagement_event_kind_at (kind, at, proactive, partner_id, announcement_id,
  channel_id, topic_id), so the overview's actions per day/week and its engaged copies read only the
  window, from the index alone (the per-partner index leads with the partner). Kind first, so SQLite,
  which has no statistics to skip-scan with, keeps the per-partner index for gone-quiet.
Downgrade drops them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_delivery_status_sent",
        "delivery",
        ["status", "sent_at", "channel_id", "announcement_id", "tier", "region", "type", "language"],
    )
    op.create_index(
        "ix_engagement_event_kind_at",
        "engagement_event",
        ["kind", "at", "proactive", "partner_id", "announcement_id", "channel_id", "topic_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_engagement_event_kind_at", table_name="engagement_event")
    op.drop_index("ix_delivery_status_sent", table_name="delivery")
