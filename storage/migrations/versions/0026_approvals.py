"""approval before send (issue 19): approval, topic.require_approval

- approval: a request for another admin's approval of an announcement at one revision (`send` of a
  draft, or `edit` of one under approval, with the new text), its state and who decided, with the
  comment of "Request changes".
- topic.require_approval: `topic require-approval <slug>`; announcements about it need an approval.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN: a batch rebuild of `topic` fails on the foreign keys that
    # subscriptions and announcement topics hold on it (SQLite, foreign keys on).
    op.add_column(
        "topic", sa.Column("require_approval", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "approval",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("requested_platform", sa.String(length=16), nullable=False),
        sa.Column("requested_workspace", sa.String(length=64), nullable=False),
        sa.Column("requested_user", sa.String(length=64), nullable=False),
        sa.Column("requested_name", sa.String(length=200), nullable=False),
        sa.Column("requested_at", storage.tables.UTCDateTime(), nullable=False),
        sa.Column("decided_platform", sa.String(length=16), nullable=True),
        sa.Column("decided_user", sa.String(length=64), nullable=True),
        sa.Column("decided_name", sa.String(length=200), nullable=False),
        sa.Column("decided_at", storage.tables.UTCDateTime(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_approval_announcement_id", "approval", ["announcement_id"])


def downgrade() -> None:
    op.drop_index("ix_approval_announcement_id", table_name="approval")
    op.drop_table("approval")
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), for the same reason.
    op.drop_column("topic", "require_approval")
