"""acknowledgements of urgent announcements (issue 7 urgent notices)

- announcement.ack_required: `broadcast … urgent ack` asks partners to acknowledge it;
- ack: one row per acknowledged delivery (unique), with who pressed Acknowledge and when.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("announcement") as batch:
        # Existing announcements never asked for acknowledgement.
        batch.add_column(sa.Column("ack_required", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "ack",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("acked_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["delivery.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", name="uq_ack_delivery"),
    )


def downgrade() -> None:
    op.drop_table("ack")
    with op.batch_alter_table("announcement") as batch:
        batch.drop_column("ack_required")
