"""edit, recall and live progress of broadcasts (issue 6)

- announcement.revision / edited_at: `edit` bumps the revision;
- announcement.progress_notice_id / progress_text / progress_final: the admin-channel message that
  shows sent / pending / failed while a broadcast goes out, and its final summary;
- delivery_update: the outbox of in-place edits and deletions of delivered copies.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("announcement") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("edited_at", _TS, nullable=True))
        batch.add_column(sa.Column("progress_notice_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("progress_text", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("progress_final", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key("fk_announcement_progress_notice", "notice", ["progress_notice_id"], ["id"])
    op.create_table(
        "delivery_update",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ambiguous", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("not_before", _TS, nullable=False),
        sa.Column("lease_until", _TS, nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("sent_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["delivery.id"]),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", "kind", "revision", name="uq_delivery_update"),
    )
    op.create_index("ix_delivery_update_due", "delivery_update", ["status", "not_before"])
    op.create_index(op.f("ix_delivery_update_announcement_id"), "delivery_update", ["announcement_id"])


def downgrade() -> None:
    op.drop_table("delivery_update")
    with op.batch_alter_table("announcement") as batch:
        batch.drop_constraint("fk_announcement_progress_notice", type_="foreignkey")
        for column in ("progress_final", "progress_text", "progress_notice_id", "edited_at", "revision"):
            batch.drop_column(column)
