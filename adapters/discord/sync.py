"""Application commands are pushed to Discord only when their definition changed.

Global command updates are rate limited (and take a while to reach every client), so each start
compares a digest of each scope's definitions with the one stored at the last sync (table
`discord_command_sync`, migration 0003) and syncs only what differs. `partnerbot discord
sync-commands` forces it. Scopes: the global `/partner` commands, and each admin guild's
`/partner-admin` commands and "Broadcast to partners" menu.
https://discord.com/developers/docs/interactions/application-commands#registering-a-command
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import discord
import sqlalchemy as sa
from discord import app_commands
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

COMMAND_SYNC = sa.Table(
    "discord_command_sync",
    sa.MetaData(),
    sa.Column("scope", sa.String(80), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
)


def digest(definitions: Iterable[dict[str, Any]]) -> str:
    ordered = sorted(definitions, key=lambda d: (d.get("type", 1), d.get("name", "")))
    return hashlib.sha256(json.dumps(ordered, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class CommandSyncStore:
    """The digests of what was last synced, per scope (`<application id>:global|guild:<id>`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def digests(self, prefix: str) -> dict[str, str]:
        query = sa.select(COMMAND_SYNC.c.scope, COMMAND_SYNC.c.digest).where(
            COMMAND_SYNC.c.scope.startswith(prefix, autoescape=True)
        )
        async with self._engine.connect() as connection:
            return {scope: value for scope, value in (await connection.execute(query)).all()}

    async def record(self, scope: str, value: str, *, now: datetime) -> None:
        async with self._engine.begin() as connection:
            changed = await connection.execute(
                sa.update(COMMAND_SYNC)
                .where(COMMAND_SYNC.c.scope == scope)
                .values(digest=value, synced_at=now)
            )
            if changed.rowcount == 0:
                await connection.execute(
                    sa.insert(COMMAND_SYNC).values(scope=scope, digest=value, synced_at=now)
                )

    async def forget(self, scope: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(sa.delete(COMMAND_SYNC).where(COMMAND_SYNC.c.scope == scope))


async def sync_commands(
    tree: app_commands.CommandTree[Any],
    store: CommandSyncStore,
    *,
    application_id: int,
    guild_ids: Iterable[int],
    force: bool,
    now: datetime,
) -> list[str]:
    """Sync every scope whose definitions changed (all of them with `force`); returns those synced.
    A guild that is no longer an admin guild gets its commands removed."""
    prefix = f"{application_id}:"
    known = await store.digests(prefix)
    scopes: dict[str, int | None] = {f"{prefix}global": None} | {f"{prefix}guild:{g}": g for g in guild_ids}
    synced: list[str] = []
    for scope, guild_id in scopes.items():
        guild = discord.Object(guild_id) if guild_id is not None else None
        value = digest(command.to_dict(tree) for command in tree.get_commands(guild=guild))
        if not force and known.get(scope) == value:
            continue
        await tree.sync(guild=guild)
        await store.record(scope, value, now=now)
        synced.append(scope)
    for scope in sorted(known.keys() - scopes.keys()):
        _, _, stale = scope.partition(":guild:")
        if stale.isdigit():
            try:
                await tree.sync(guild=discord.Object(int(stale)))  # no commands for it any more
            except discord.HTTPException as exc:  # e.g. the bot left that server: nothing to clear
                log.warning("could not clear commands of guild %s: %s", stale, exc)
        await store.forget(scope)
        synced.append(scope)
    return synced
