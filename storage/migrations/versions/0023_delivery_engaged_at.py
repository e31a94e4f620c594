"""delivery.engaged_at: when a partner first acted on the copy (dashboard Overview and Topics)

The Overview's and the Topics page's "engaged copies" were the distinct (announcement, channel) pairs
acted on in the window joined to the window's deliveries: at a million deliveries, most of a page's
time. The column is set by the first engaging action's transaction from now on, back-filled here from
the events, and added to the two covering indexes those pages read.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENGAGING = "'reaction_added', 'helpful', 'question_asked', 'acknowledged', 'link_clicked'"
_STATUS_SENT = ["status", "sent_at", "channel_id", "announcement_id", "tier", "region", "type", "language"]
_SENT_AT = ["sent_at", "announcement_id", "channel_id"]
_SENT = sa.text("sent_at IS NOT NULL")


def upgrade() -> None:
    op.add_column("delivery", sa.Column("engaged_at", storage.tables.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE delivery SET engaged_at = first_action.at\n"
        "FROM (SELECT announcement_id, channel_id, min(at) AS at FROM engagement_event\n"
        f"      WHERE announcement_id IS NOT NULL AND kind IN ({_ENGAGING})\n"
        "      GROUP BY announcement_id, channel_id) AS first_action\n"
        "WHERE delivery.announcement_id = first_action.announcement_id\n"
        "  AND delivery.channel_id = first_action.channel_id"
    )
    _indexes([*_STATUS_SENT, "engaged_at"], [*_SENT_AT, "engaged_at"])


def downgrade() -> None:
    _indexes(_STATUS_SENT, _SENT_AT)
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch rebuild of `delivery` fails on the
    # foreign keys that point at it.
    op.drop_column("delivery", "engaged_at")


def _indexes(status_sent: list[str], sent_at: list[str]) -> None:
    op.drop_index("ix_delivery_status_sent", table_name="delivery")
    op.drop_index("ix_delivery_sent_at", table_name="delivery")
    op.create_index("ix_delivery_status_sent", "delivery", status_sent)
    op.create_index("ix_delivery_sent_at", "delivery", sent_at, postgresql_where=_SENT, sqlite_where=_SENT)
