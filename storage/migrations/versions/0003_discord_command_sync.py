"""discord command sync

One row per application-command scope (global, or one admin guild) with the digest of the command
definitions last pushed to Discord, so `partnerbot run` re-syncs only when the definitions change
(global command updates are rate limited). Read and written by `adapters/discord/sync.py`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discord_command_sync",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )


def downgrade() -> None:
    op.drop_table("discord_command_sync")
