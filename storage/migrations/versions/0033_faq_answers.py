"""answers that already exist (issue 18): faq_document, offered_answer, question.self_served_by

- faq_document: one row per answered question, as its answer may be offered again (the words shown,
  folded copies for the indexes, FAQ flag and wording, how many questions it served); written with
  each answer (storage/repositories/faq_search.py).
- SQLite: FTS5 external-content table `faq_fts` (unicode61, accents removed; question, answer and
  `scope`, the words naming who may be offered the row) kept in step by triggers. PostgreSQL: a
  generated tsvector column `faq_vector` ('simple'; question weight A, answer B) with a GIN index.
- offered_answer: which answers a question waiting on its offer was shown.
- question.self_served_by: the answered question whose answer closed it ("This answers it").
- Rows for the questions answered so far are built here.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.repositories.faq_search import index_all

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, question), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, answer), 'B')"
)


def upgrade() -> None:
    op.add_column("question", sa.Column("self_served_by", sa.Integer(), nullable=True))
    op.create_table(
        "faq_document",
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), nullable=True),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channel.id"), nullable=False),
        sa.Column("shown_question", sa.Text(), nullable=False),
        sa.Column("shown_answer", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("cjk", sa.Boolean(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("faq", sa.Boolean(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("question_id"),
    )
    op.create_index("ix_faq_document_announcement", "faq_document", ["announcement_id"])
    op.create_index(
        "ix_faq_document_faq",
        "faq_document",
        ["question_id"],
        sqlite_where=sa.text("faq"),
        postgresql_where=sa.text("faq"),
    )
    op.create_table(
        "offered_answer",
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("answered_by", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.PrimaryKeyConstraint("question_id", "answered_by"),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE faq_document ADD COLUMN faq_vector tsvector GENERATED ALWAYS AS ({_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX faq_vector_gin ON faq_document USING gin (faq_vector)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE faq_fts USING fts5(question, answer, scope, content = 'faq_document', "
            "content_rowid = 'question_id', tokenize = 'unicode61 remove_diacritics 2')"
        )
        new = (
            "INSERT INTO faq_fts(rowid, question, answer, scope) "
            "VALUES (new.question_id, new.question, new.answer, new.scope);"
        )
        old = (
            "INSERT INTO faq_fts(faq_fts, rowid, question, answer, scope) "
            "VALUES ('delete', old.question_id, old.question, old.answer, old.scope);"
        )
        op.execute(f"CREATE TRIGGER faq_fts_ai AFTER INSERT ON faq_document BEGIN {new} END")
        op.execute(f"CREATE TRIGGER faq_fts_ad AFTER DELETE ON faq_document BEGIN {old} END")
        # Only when the indexed words change: counting a use (`served`) leaves the index alone.
        op.execute(
            "CREATE TRIGGER faq_fts_au AFTER UPDATE OF question, answer, scope ON faq_document "
            f"BEGIN {old} {new} END"
        )
    index_all(op.get_bind(), now=datetime.now(UTC))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS faq_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS faq_fts")
    op.drop_table("offered_answer")
    op.drop_index("ix_faq_document_faq", table_name="faq_document")
    op.drop_index("ix_faq_document_announcement", table_name="faq_document")
    op.drop_table("faq_document")
    op.drop_column("question", "self_served_by")
