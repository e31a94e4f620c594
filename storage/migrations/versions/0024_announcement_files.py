"""files attached to announcements (issue 16)

- stored_file: one row per distinct content (SHA-256), with its size and sniffed media type; the
  bytes live in the FileStore (PARTNERBOT_FILES_DIR by default).
- announcement_file: an announcement's files in order, each under the name it was given.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(127), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "announcement_file",
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("stored_file.sha256"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
    )
    op.create_index("ix_announcement_file_sha256", "announcement_file", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_announcement_file_sha256", table_name="announcement_file")
    op.drop_table("announcement_file")
    op.drop_table("stored_file")
