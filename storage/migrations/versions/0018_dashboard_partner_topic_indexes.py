"""dashboard Partners and Topics indexes (issue 15)

- engagement_event: ix_engagement_event_topic (topic_id, at, kind) WHERE topic_id IS NOT NULL, so the
  Topics page rebuilds subscribers over time from the subscribe/unsubscribe/mute events of the window
  without scanning every event (330 ms → 7 ms at 2,000,000 events).
- engagement_event: ix_engagement_event_announcement_at (at, announcement_id, channel_id, kind) WHERE
  announcement_id IS NOT NULL: the copies engaged with within a window, from the index alone.
- delivery: ix_delivery_sent_at (sent_at, announcement_id, channel_id) WHERE sent_at IS NOT NULL: the
  deliveries sent within a window, from the index alone (the Topics page; the partner table's scores).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOPIC = sa.text("topic_id IS NOT NULL")
_ANNOUNCEMENT = sa.text("announcement_id IS NOT NULL")
_SENT = sa.text("sent_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_engagement_event_topic",
        "engagement_event",
        ["topic_id", "at", "kind"],
        postgresql_where=_TOPIC,
        sqlite_where=_TOPIC,
    )
    op.create_index(
        "ix_engagement_event_announcement_at",
        "engagement_event",
        ["at", "announcement_id", "channel_id", "kind"],
        postgresql_where=_ANNOUNCEMENT,
        sqlite_where=_ANNOUNCEMENT,
    )
    op.create_index(
        "ix_delivery_sent_at",
        "delivery",
        ["sent_at", "announcement_id", "channel_id"],
        postgresql_where=_SENT,
        sqlite_where=_SENT,
    )


def downgrade() -> None:
    op.drop_index("ix_delivery_sent_at", table_name="delivery")
    op.drop_index("ix_engagement_event_announcement_at", table_name="engagement_event")
    op.drop_index("ix_engagement_event_topic", table_name="engagement_event")
