"""question indexes for the dashboard's Questions page (issue 15)

- ix_question_created_at: questions asked in the page's window, counted from the index.
- ix_question_answered_at: the latest answered questions first (LIMIT 20 from the index, not a sort
  of every answered question), and those answered in the window counted.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_question_created_at", "question", ["created_at"])
    op.create_index("ix_question_answered_at", "question", ["answered_at"])


def downgrade() -> None:
    op.drop_index("ix_question_answered_at", table_name="question")
    op.drop_index("ix_question_created_at", table_name="question")
