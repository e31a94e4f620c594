"""Alembic environment: the SQLModel metadata is the target; SQLite gets batch mode for ALTERs."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.engine import _sqlite_pragmas

config = context.config


ADAPTER_TABLES = ("slack_", "discord_")
# The full-text indexes over search_document (migration 0030), built in SQL, not SQLModel: SQLite's
# FTS5 tables (and their shadow tables), PostgreSQL's generated tsvector column and its indexes.
SEARCH_INDEXES = ("search_fts", "search_trigram", "search_vector")


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    # Tables owned by the adapters (slack_sdk's installation/OAuth-state stores, Discord's command-sync
    # digest) are not SQLModel tables; autogenerate must not propose dropping them.
    if name is not None and name.startswith(SEARCH_INDEXES):
        return False
    return not (type_ == "table" and name is not None and name.startswith(ADAPTER_TABLES))


target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name == "sqlite":
        from sqlalchemy import event

        event.listen(engine, "connect", _sqlite_pragmas)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
