"""fatigue caps (issue 19): channel.weekly_cap, delivery.capped

- channel.weekly_cap: `settings cap <n>` (1..50 non-urgent announcements per rolling week), 0 for
  `settings cap off` (no cap even when the vendor sets one), NULL to follow PARTNERBOT_WEEKLY_CAP.
- delivery.capped: the row was over the channel's cap when it was written and was held for a digest
  (its next digest, or a "You also missed" one for an immediate channel) instead of posted alone.
  It stays true once the digest has carried it, so stats keep counting capped deliveries.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN: a batch rebuild of `delivery` fails on the foreign keys that
    # point at it (see 0023).
    op.add_column("channel", sa.Column("weekly_cap", sa.Integer(), nullable=True))
    op.add_column("delivery", sa.Column("capped", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("delivery", "capped")
    op.drop_column("channel", "weekly_cap")
