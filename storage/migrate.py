"""Alembic, configured in code: `partnerbot db upgrade` and start-up both call `upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.engine import sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, *, secret_key: str = "") -> Config:
    config = Config()
    # Migration 0012 encrypts stored Slack tokens when the keys of PARTNERBOT_SECRET_KEY are given.
    config.attributes["secret_key"] = secret_key
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on a '%' in a URL-encoded password.
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", *, secret_key: str = "") -> None:
    """Bring the database at `url` to `revision` (synchronous; run it off the event loop).
    `secret_key`: PARTNERBOT_SECRET_KEY, with which migration 0012 encrypts stored Slack tokens."""
    command.upgrade(alembic_config(url, secret_key=secret_key), revision)


def downgrade(url: str, revision: str, *, secret_key: str = "") -> None:
    """Take the database at `url` back to `revision` (for tests of the migrations)."""
    command.downgrade(alembic_config(url, secret_key=secret_key), revision)


def current(url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
