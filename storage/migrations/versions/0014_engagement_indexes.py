"""engagement query indexes (issue 14, performance)

- delivery: ix_delivery_sent (channel_id, sent_at, announcement_id) WHERE sent_at IS NOT NULL, so the
  score, gone-quiet and export count the sent deliveries per channel from the index alone, in order.
- engagement_event: ix_engagement_event_partner_at (partner_id, at) becomes covering:
  (partner_id, at, proactive, kind), so the per-partner counts are one ordered index scan without
  reading the table or sorting; ix_engagement_event_at is dropped (SQLite chose it for the window and
  then read 2M rows from the table and sorted them: 8 s).
Downgrade restores the previous indexes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SENT = sa.text("sent_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_delivery_sent",
        "delivery",
        ["channel_id", "sent_at", "announcement_id"],
        postgresql_where=_SENT,
        sqlite_where=_SENT,
    )
    op.drop_index("ix_engagement_event_at", table_name="engagement_event")
    op.drop_index("ix_engagement_event_partner_at", table_name="engagement_event")
    op.create_index(
        "ix_engagement_event_partner_at", "engagement_event", ["partner_id", "at", "proactive", "kind"]
    )


def downgrade() -> None:
    op.drop_index("ix_engagement_event_partner_at", table_name="engagement_event")
    op.create_index("ix_engagement_event_partner_at", "engagement_event", ["partner_id", "at"])
    op.create_index("ix_engagement_event_at", "engagement_event", ["at"])
    op.drop_index("ix_delivery_sent", table_name="delivery")
