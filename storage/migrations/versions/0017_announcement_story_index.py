"""announcement story index (issue 15, the dashboard's Announcements pages)

- engagement_event: ix_engagement_event_announcement (announcement_id, kind, channel_id) WHERE
  announcement_id IS NOT NULL, so the engaged channels of one announcement (its page) or of a page of
  announcements (the list) are counted from the index alone instead of scanning every event.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ON_AN_ANNOUNCEMENT = sa.text("announcement_id IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_engagement_event_announcement",
        "engagement_event",
        ["announcement_id", "kind", "channel_id"],
        postgresql_where=_ON_AN_ANNOUNCEMENT,
        sqlite_where=_ON_AN_ANNOUNCEMENT,
    )


def downgrade() -> None:
    op.drop_index("ix_engagement_event_announcement", table_name="engagement_event")
