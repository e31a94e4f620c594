"""`/partner-admin faq mark|unmark|edit|list` (issue 18): answers reused for every partner. One
subcommand group, because /partner-admin holds 25 entries at most and was at 24: the group is the
25th and holds all four. The options become the typed commands; the core checks and audits them."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.admin import DiscordHandlers
from bot import commands as c
from bot import messages as m
from bot.grammar import MAX_FAQ_TEXT


def add_faq_commands(group: app_commands.Group, h: DiscordHandlers) -> None:
    faq = app_commands.Group(name="faq", description="Answers offered to every partner (FAQs)", parent=group)

    @faq.command(name="mark", description="Make an answered question an FAQ")
    async def mark(interaction: discord.Interaction, question: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.FaqMark(question))

    @faq.command(name="unmark", description="Stop offering an FAQ to every partner")
    async def unmark(interaction: discord.Interaction, question: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.FaqMark(question, on=False))

    @faq.command(name="edit", description="The FAQ's wording partners see (marks it as FAQ)")
    async def edit(
        interaction: discord.Interaction,
        question: app_commands.Range[int, 1],
        wording: app_commands.Range[str, 1, MAX_FAQ_TEXT] | None = None,
        answer: app_commands.Range[str, 1, MAX_FAQ_TEXT] | None = None,
    ) -> None:
        worded, answered = (wording or "").strip() or None, (answer or "").strip() or None
        if worded is None and answered is None:
            usage = m.USAGE.format(usage=m.ADMIN_USAGE["faq"])
            await h.admin(interaction, usage, detail=f"faq {question}")
            return
        await h.admin(interaction, c.FaqEdit(question, worded, answered))

    @faq.command(name="list", description="The FAQs and how many questions each answered")
    async def listing(interaction: discord.Interaction) -> None:
        await h.admin(interaction, c.Faqs())
