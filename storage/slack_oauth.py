"""Slack OAuth distribution in partnerbot's database: slack_sdk's installation and OAuth state stores
over our engine (tables from migration 0002). The Slack adapter receives them through slack_sdk's
own interfaces (`AsyncInstallationStore`, `AsyncOAuthStateStore`) and never sees the engine."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine


def slack_installation_store(engine: AsyncEngine, *, client_id: str) -> AsyncSQLAlchemyInstallationStore:
    """Each workspace's installation (its bot token) for the app `client_id`."""
    return AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine)


def slack_state_store(engine: AsyncEngine, *, expiration_seconds: int) -> AsyncSQLAlchemyOAuthStateStore:
    """The OAuth `state` values handed out by /slack/install, valid for `expiration_seconds`."""
    return AsyncSQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=engine)
