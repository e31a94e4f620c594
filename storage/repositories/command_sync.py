"""The digests of the Discord application commands last synced (`discord_command_sync`, migration 0003).

See `bot.command_sync.CommandSyncStore`; adapters/discord/sync.py decides what to sync.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from storage.repositories.base import Repository

COMMAND_SYNC = sa.Table(
    "discord_command_sync",
    sa.MetaData(),
    sa.Column("scope", sa.String(80), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
)


class CommandSyncRepository(Repository):
    """The digests of what was last synced, per scope (`<application id>:global|guild:<id>`)."""

    async def digests(self, prefix: str) -> dict[str, str]:
        query = select(COMMAND_SYNC.c.scope, COMMAND_SYNC.c.digest).where(
            COMMAND_SYNC.c.scope.startswith(prefix, autoescape=True)
        )
        async with self._sessions() as session:
            return {scope: value for scope, value in (await session.exec(query)).all()}

    async def record(self, scope: str, value: str, *, now: datetime) -> None:
        async with self._sessions.begin() as session:
            changed = await session.exec(
                sa.update(COMMAND_SYNC)
                .where(COMMAND_SYNC.c.scope == scope)
                .values(digest=value, synced_at=now)
            )
            if changed.rowcount == 0:
                await session.exec(sa.insert(COMMAND_SYNC).values(scope=scope, digest=value, synced_at=now))

    async def forget(self, scope: str) -> None:
        async with self._sessions.begin() as session:
            await session.exec(sa.delete(COMMAND_SYNC).where(COMMAND_SYNC.c.scope == scope))
