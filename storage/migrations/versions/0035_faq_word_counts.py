"""FAQ match speed (issue 18): faq_word, how many answered questions hold each significant word

The FAQ match leaves out words held by too many answered questions (bot/domain/faq.py); their counts
are kept with the documents (storage/repositories/faq_search.py) and built here for the existing ones.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.repositories.faq_search import count_all

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faq_word",
        sa.Column("word", sa.String(), nullable=False),
        sa.Column("docs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("word"),
    )
    count_all(op.get_bind())


def downgrade() -> None:
    op.drop_table("faq_word")
