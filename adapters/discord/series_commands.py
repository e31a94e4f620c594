"""`/partner-admin series list|start|pause|resume|end|edit|calendar`: recurring
series and the calendar (the rest of `/partner-admin` is in adapters/discord/commands.py). A series
is made with the text form (`@partnerbot broadcast … every:"…"` in the admin channel); the options
here become the typed commands directly and the core checks them (bot/services/series.py)."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.admin import DiscordHandlers
from bot import commands as c
from bot import messages as m
from bot.commands import MAX_BODY, MAX_CALENDAR_WEEKS, MAX_TITLE

SeriesId = app_commands.Range[int, 1]


def add_series_commands(group: app_commands.Group, h: DiscordHandlers) -> None:
    """Add `series …` (the calendar among them) to the `/partner-admin` group."""
    series = app_commands.Group(name="series", description="Recurring announcements", parent=group)

    @series.command(name="list", description="Every recurring series with its next occurrence")
    async def series_list(interaction: discord.Interaction) -> None:
        await h.admin(interaction, c.SeriesList())

    @series.command(name="start", description="Start a draft series")
    async def series_start(interaction: discord.Interaction, series_id: SeriesId) -> None:
        await h.admin(interaction, c.SeriesAction("start", series_id))

    @series.command(name="pause", description="Hold a series: occurrences while paused are skipped")
    async def series_pause(interaction: discord.Interaction, series_id: SeriesId) -> None:
        await h.admin(interaction, c.SeriesAction("pause", series_id))

    @series.command(name="resume", description="Start a paused series again")
    async def series_resume(interaction: discord.Interaction, series_id: SeriesId) -> None:
        await h.admin(interaction, c.SeriesAction("resume", series_id))

    @series.command(name="end", description="End a series for good (or discard a draft one)")
    async def series_end(interaction: discord.Interaction, series_id: SeriesId) -> None:
        await h.admin(interaction, c.SeriesAction("end", series_id))

    @series.command(name="edit", description="New text for the occurrences not drafted yet")
    async def series_edit(
        interaction: discord.Interaction,
        series_id: SeriesId,
        title: app_commands.Range[str, 1, MAX_TITLE] | None = None,
        body: app_commands.Range[str, 1, MAX_BODY] | None = None,
    ) -> None:
        detail = f"series edit {series_id}"
        if title is not None and not title.strip():
            await h.admin(interaction, m.TITLE_EMPTY, detail=detail)
            return
        if not (title or "").strip() and not (body or "").strip():
            await h.admin(interaction, m.SERIES_EDIT_NOTHING, detail=detail)
            return
        edit = c.SeriesEdit(
            series_id, title=title.strip() if title else None, body=(body or "").strip() or None
        )
        await h.admin(interaction, edit)

    # Under `series`, not beside it: `/partner-admin` is at Discord's limit of 25 subcommands.
    @series.command(name="calendar", description="What is scheduled and recurring per day, gaps included")
    async def calendar(
        interaction: discord.Interaction,
        weeks: app_commands.Range[int, 1, MAX_CALENDAR_WEEKS] = c.DEFAULT_CALENDAR_WEEKS,
    ) -> None:
        await h.admin(interaction, c.Calendar(weeks))
