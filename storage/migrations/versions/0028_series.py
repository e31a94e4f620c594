"""recurring announcements (issue 19): series

- series: a recurring broadcast (`broadcast … every:"…"`): the template each occurrence is drafted
  from, its rule (the canonical `every:` text), zone (None: each channel's own) and last date, its
  state, and what became of the latest occurrence. Occurrences themselves are claimed in `job_run`
  (job `series-occurrence`, period `<series id>/<date>`), so a restart never skips or repeats one.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("audience_name", sa.String(length=40), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("ack_required", sa.Boolean(), nullable=False),
        sa.Column("ctas", sa.JSON(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_platform", sa.String(length=16), nullable=False),
        sa.Column("author_workspace", sa.String(length=64), nullable=False),
        sa.Column("author_user", sa.String(length=64), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("origin_workspace", sa.String(length=64), nullable=False),
        sa.Column("origin_channel", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("active_since", _TS, nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("edited_at", _TS, nullable=True),
        sa.Column("last_occurrence", sa.Date(), nullable=True),
        sa.Column("last_announcement_id", sa.Integer(), nullable=True),
        sa.Column("last_note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["last_announcement_id"], ["announcement.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_series_status"), "series", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_series_status"), table_name="series")
    op.drop_table("series")
