"""a bot that speaks the partner's language (issue 17): channel.language

- channel.language: `settings language <tag>` (BCP 47, lower case), or NULL: the partner's language
  applies, else the platform's locale, else PARTNERBOT_DEFAULT_LANGUAGE.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch rebuild): subscriptions and deliveries hold foreign keys on `channel`.
    op.add_column("channel", sa.Column("language", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column("channel", "language")  # SQLite 3.35+
