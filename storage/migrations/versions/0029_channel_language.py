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
    with op.batch_alter_table("channel") as batch:
        batch.add_column(sa.Column("language", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel") as batch:
        batch.drop_column("language")
