"""scheduling, digests and quiet hours (issue 7)

- announcement.send_wall / send_zone: a scheduled announcement's wall-clock time and its zone
  (or "local": each channel's own); `send_at` already holds the earliest UTC instant;
- channel.quiet_hours: "HH:MM-HH:MM", "off", or NULL for the vendor default;
- digest: the digest outbox, one row per (channel, period), and delivery.digest_id linking each held
  delivery to the digest that carries it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("announcement") as batch:
        batch.add_column(sa.Column("send_wall", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("send_zone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("channel") as batch:
        batch.add_column(sa.Column("quiet_hours", sa.String(length=16), nullable=True))
    op.create_table(
        "digest",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ambiguous", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("not_before", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["channel_id"], ["channel.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "period_key", name="uq_digest_channel_period"),
    )
    with op.batch_alter_table("digest") as batch:
        batch.create_index("ix_digest_due", ["status", "not_before"], unique=False)
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("digest_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_delivery_digest_id", "digest", ["digest_id"], ["id"])
        batch.create_index(batch.f("ix_delivery_digest_id"), ["digest_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index(batch.f("ix_delivery_digest_id"))
        batch.drop_constraint("fk_delivery_digest_id", type_="foreignkey")
        batch.drop_column("digest_id")
    op.drop_table("digest")
    with op.batch_alter_table("channel") as batch:
        batch.drop_column("quiet_hours")
    with op.batch_alter_table("announcement") as batch:
        batch.drop_column("send_zone")
        batch.drop_column("send_wall")
