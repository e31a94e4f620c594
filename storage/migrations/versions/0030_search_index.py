"""news search (issue 18): search_document and its full-text indexes

- search_document: one row per announcement that may be found (folded title and text with its
  variants, its audience as `|value|` lists, whether it holds CJK text); written by the repositories in
  the transactions that write announcements (storage/repositories/search.py).
- SQLite: FTS5 external-content tables `search_fts` (unicode61, accents removed) and `search_trigram`
  (trigram tokenizer, SQLite >= 3.34, CJK rows only), kept in step by triggers on search_document.
- PostgreSQL: a generated tsvector column `search_vector` ('simple' configuration, title weight A,
  text weight B) with a GIN index.
- Rows for the announcements that exist are built here.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.repositories.search import reindex_all

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS = {
    "search_fts": "tokenize = 'unicode61 remove_diacritics 2'",
    "search_trigram": "tokenize = 'trigram'",
}
# The trigram table holds only the rows with CJK text (where unicode61 cannot find words): its triggers
# test `cjk` on the row they index or remove, so insert and delete always agree.
_ONLY = {"search_fts": "1", "search_trigram": "{row}.cjk"}
_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'B')"
)


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcement.id"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tiers", sa.Text(), nullable=False),
        sa.Column("types", sa.Text(), nullable=False),
        sa.Column("regions", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("cjk", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("announcement_id"),
    )
    op.create_index(
        "ix_search_document_cjk",
        "search_document",
        ["announcement_id"],
        sqlite_where=sa.text("cjk"),
        postgresql_where=sa.text("cjk"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE search_document ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX search_vector_gin ON search_document USING gin (search_vector)")
    else:
        for table, options in _FTS.items():
            op.execute(
                f"CREATE VIRTUAL TABLE {table} USING fts5(title, body, content = 'search_document', "
                f"content_rowid = 'announcement_id', {options})"
            )
            _triggers(table)
    reindex_all(op.get_bind())


def _triggers(table: str) -> None:
    only_new, only_old = _ONLY[table].format(row="new"), _ONLY[table].format(row="old")
    insert_new = (
        f"INSERT INTO {table}(rowid, title, body) "
        f"SELECT new.announcement_id, new.title, new.body WHERE {only_new};"
    )
    delete_old = (
        f"INSERT INTO {table}({table}, rowid, title, body) "
        f"SELECT 'delete', old.announcement_id, old.title, old.body WHERE {only_old};"
    )
    op.execute(f"CREATE TRIGGER {table}_ai AFTER INSERT ON search_document BEGIN {insert_new} END")
    op.execute(f"CREATE TRIGGER {table}_ad AFTER DELETE ON search_document BEGIN {delete_old} END")
    op.execute(
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON search_document BEGIN {delete_old} {insert_new} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for table in _FTS:
            for trigger in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {table}")
    op.drop_index("ix_search_document_cjk", table_name="search_document")
    op.drop_table("search_document")
