"""`/partner-admin approve` and `/partner-admin reject`: decide on what awaits approval (the rest of
`/partner-admin` is in adapters/discord/commands.py). The options become the typed command directly;
the core decides who may (another admin than the author) and audits it (bot/services/approvals.py)."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.admin import DiscordHandlers
from bot import commands as c
from bot import messages as m
from bot.commands import MAX_COMMENT


def add_approval_commands(group: app_commands.Group, h: DiscordHandlers) -> None:
    @group.command(name="approve", description="Approve another admin's announcement awaiting approval")
    async def approve(interaction: discord.Interaction, announcement: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.Approve(announcement))

    @group.command(name="reject", description="Request changes to an announcement awaiting approval")
    @app_commands.describe(comment="What should change: the author reads it")
    async def reject(
        interaction: discord.Interaction,
        announcement: app_commands.Range[int, 1],
        comment: app_commands.Range[str, 1, MAX_COMMENT],
    ) -> None:
        if not comment.strip():
            usage = m.USAGE.format(usage=m.ADMIN_USAGE["reject"])
            await h.admin(interaction, usage, detail=f"reject {announcement}")
            return
        await h.admin(interaction, c.Reject(announcement, comment.strip()))
