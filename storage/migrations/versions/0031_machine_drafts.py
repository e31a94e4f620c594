"""machine-drafted translations (issue 17): announcement_variant.machine

- announcement_variant.machine: `translate <id> <lang> draft` wrote it with the machine translator;
  it is shown for review and never sent until `translate <id> <lang> accept` (or the admin's own text).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN (no batch rebuild, which fails on tables that foreign keys point at).
    op.add_column(
        "announcement_variant",
        sa.Column("machine", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("announcement_variant", "machine")  # SQLite 3.35+
