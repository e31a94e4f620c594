"""a roster admins can keep (issue 11)

- partner.removed_at: `partner remove` marks a partner removed (out of lists and targeting) and keeps
  its history; `invite` of its name brings it back.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.add_column(sa.Column("removed_at", _TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.drop_column("removed_at")
