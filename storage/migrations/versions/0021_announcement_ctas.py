"""calls to action under announcements (issue 16)

- announcement_cta: up to three link buttons per announcement (`cta:"Label|URL"`), numbered 1 to 3 in
  the order written. Clicks are engagement events (`link_clicked`, detail `cta:<number>`), so no
  table of their own.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement_cta",
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=75), nullable=False),
        sa.Column("url", sa.String(length=1900), nullable=False),
        sa.PrimaryKeyConstraint("announcement_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("announcement_cta")
