"""Application commands are pushed to Discord only when their definition changed.

Global command updates are rate limited (and take a while to reach every client), so each start
compares a digest of each scope's definitions with the one stored at the last sync (a
`bot.command_sync.CommandSyncStore`, kept in partnerbot's database) and syncs only what differs.
`partnerbot discord sync-commands` forces it. Scopes: the global `/partner` commands, and each admin guild's
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
from discord import app_commands

from bot.command_sync import CommandSyncStore

log = logging.getLogger(__name__)


def digest(definitions: Iterable[dict[str, Any]]) -> str:
    ordered = sorted(definitions, key=lambda d: (d.get("type", 1), d.get("name", "")))
    return hashlib.sha256(json.dumps(ordered, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def definitions(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None) -> list[Any]:
    """The payloads `tree.sync` sends for a scope, with their localisations when a translator is set:
    a changed translation is a changed definition, so it is synced."""
    commands = tree.get_commands(guild=guild)
    if tree.translator is None:
        return [command.to_dict(tree) for command in commands]
    return [await command.get_translated_payload(tree, tree.translator) for command in commands]


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
        value = digest(await definitions(tree, guild))
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
