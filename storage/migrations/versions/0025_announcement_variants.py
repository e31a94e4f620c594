"""translated announcements (issue 17): announcement_variant

- announcement_variant: an announcement's text in one language (`translate <id> <lang> …`), keyed by
  (announcement, language) with the tag as the roster stores it; `revision` counts its replacements.
  Each delivery reads the variant of its partner's language (fallback `de-at` → `de` → default text).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement_variant",
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("announcement_id", "language"),
    )


def downgrade() -> None:
    op.drop_table("announcement_variant")
