"""The Alembic migrations build exactly the schema the SQLModel tables describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from storage import migrate
from storage.engine import sync_url

ADAPTER_TABLES = ("slack_", "discord_")
# The full-text indexes over search_document (migration 0030), built in SQL, not SQLModel: SQLite's
# FTS5 tables (and their shadow tables), PostgreSQL's generated tsvector column and its indexes (the
# word pairs of migration 0039 included).
SEARCH_INDEXES = ("search_fts", "search_trigram", "search_vector")
# The same over faq_document (migration 0033, issue 18): SQLite's `faq_fts`, PostgreSQL's `faq_vector`.
FAQ_INDEXES = ("faq_fts", "faq_vector")


def _include(name: str | None, type_: str, _parent: object) -> bool:
    if name is not None and name.startswith(SEARCH_INDEXES + FAQ_INDEXES):
        return False
    return not (type_ == "table" and name is not None and name.startswith(ADAPTER_TABLES))


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    migrate.upgrade(database_url)  # already at head: a no-op that must not fail
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": _include})
            assert compare_metadata(context, SQLModel.metadata) == []
            assert context.get_current_revision() == migrate.current(database_url)
    finally:
        engine.dispose()
