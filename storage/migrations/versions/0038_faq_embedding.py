"""faq_embedding: an answered question's vector per embedding model (PARTNERBOT_SIMILARITY=embeddings)

Empty until an embedding matcher is configured: it fills the table as it meets questions without a
vector (adapters/similarity/embeddings.py); the full-text default never reads it.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faq_embedding",
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("faq_document.question_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("model", sa.Text(), primary_key=True),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("faq_embedding")
