"""'Add translation' under a Discord preview: a language picked (privately), then a modal with its
title and text, prefilled when the announcement has that language already, so it also edits.

Discord modals hold at most five inputs and the broadcast modal has them all, so translations get
their own: language, title, text. A modal has to be the first answer to an interaction, within 3 s,
and cannot change while open; hence the language first, from a select whose choice opens the modal:
https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Final, cast

import discord

from adapters.discord import translate as tr
from adapters.discord.handlers import PartnerHandlers
from adapters.discord.views import handlers_of, static_view
from bot import commands as c
from bot import messages as m
from bot.commands import MAX_BODY, MAX_TITLE
from bot.domain import Announcement, AnnouncementStatus, ButtonStyle, Reply
from bot.domain.variants import Variant
from bot.grammar import MAX_LANGUAGE
from bot.i18n import language_name

log = logging.getLogger(__name__)
TRANSLATE_ACTION: Final = "announcement_translate"  # `pb:announcement_translate:<id>`, this adapter's own
OTHER: Final = "*"  # "Another language…": the modal with an empty language field
MAX_MODAL_TITLE: Final = 45


def translate_button(announcement_id: int) -> tr.ButtonSpec:
    return tr.button_spec(
        m.DISCORD_ADD_TRANSLATION_BUTTON, TRANSLATE_ACTION, str(announcement_id), ButtonStyle.DEFAULT
    )


def with_translate_button(parts: list[tr.Part], edit_action: str) -> list[tr.Part]:
    """A reply's messages with Add translation beside its Edit button (after Send: Edit / Recall)."""
    out = []
    for part in parts:
        buttons = [b for b in part.components if isinstance(b, tr.ButtonSpec)]
        edit = next((b for b in buttons if b.custom_id.startswith(f"pb:{edit_action}:")), None)
        if edit is not None and len(part.components) < tr.COMPONENTS_PER_MESSAGE:
            value = edit.custom_id.rsplit(":", 1)[1]
            part = replace(part, components=(*part.components, translate_button(int(value))))
        out.append(part)
    return out


def language_options(
    variants: Sequence[Variant], offered: Sequence[str], default_language: str
) -> tuple[tuple[str, str, bool], ...]:
    """The select's options: the announcement's languages first (to change), then the roster's
    others, then "Another language…"; 25 in all, as Discord allows."""
    options = []
    for variant in variants:
        words = m.DISCORD_TRANSLATION_MACHINE_OPTION if variant.machine else m.DISCORD_TRANSLATION_EDIT_OPTION
        options.append(
            (words.format(language=language_name(variant.language), tag=variant.language), variant.language)
        )
    there = {variant.language for variant in variants} | {default_language}
    options += [(f"{language_name(tag)} ({tag})", tag) for tag in dict.fromkeys(offered) if tag not in there]
    kept = [*options[: tr.CHOICES_LIMIT - 1], (m.DISCORD_TRANSLATION_OTHER_OPTION, OTHER)]
    return tuple((label[: tr.CHOICE_LIMIT], value, False) for label, value in kept)


class TranslationSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=tr.TRANSLATION_SELECT.pattern
):
    """The language picked: `pbt:<announcement id>:<preview message id>`."""

    def __init__(
        self, announcement_id: int, message_id: int, item: discord.ui.Select[Any] | None = None
    ) -> None:
        super().__init__(item or discord.ui.Select(custom_id=f"pbt:{announcement_id}:{message_id}"))
        self.announcement_id, self.message_id = announcement_id, message_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TranslationSelect:
        select = item if isinstance(item, discord.ui.Select) else None
        return cls(int(match["id"]), int(match["message"]), select)

    async def callback(self, interaction: discord.Interaction) -> None:
        data = cast(dict[str, Any], interaction.data or {})
        picked = next(iter(data.get("values") or []), OTHER)
        await _handlers(interaction).translation_form(
            interaction, self.announcement_id, self.message_id, str(picked)
        )


class TranslationModal(discord.ui.Modal):
    """Language, title and text of one translation; prefilled when the announcement has it."""

    def __init__(
        self,
        announcement_id: int,
        message_id: int,
        language: str,
        variant: Variant | None,
        *,
        sent: bool = False,
    ) -> None:
        heading = m.DISCORD_TRANSLATION_MODAL_TITLE.format(id=announcement_id)
        super().__init__(
            title=heading if len(heading) <= MAX_MODAL_TITLE else m.DISCORD_TRANSLATION_MODAL_SHORT_TITLE
        )
        self.announcement_id, self.message_id = announcement_id, message_id
        self.language: discord.ui.TextInput[TranslationModal] = discord.ui.TextInput(
            custom_id="language", default=language or None, max_length=MAX_LANGUAGE
        )
        self.heading: discord.ui.TextInput[TranslationModal] = discord.ui.TextInput(
            custom_id="title", default=variant.title[:MAX_TITLE] if variant else None, max_length=MAX_TITLE
        )
        self.body: discord.ui.TextInput[TranslationModal] = discord.ui.TextInput(
            custom_id="body",
            style=discord.TextStyle.paragraph,
            default=variant.body[:MAX_BODY] if variant else None,
            max_length=MAX_BODY,
        )
        self.add_item(
            discord.ui.Label(
                text=m.DISCORD_LANGUAGE_LABEL,
                description=m.DISCORD_LANGUAGE_DESCRIPTION,
                component=self.language,
            )
        )
        self.add_item(discord.ui.Label(text=m.DISCORD_TITLE_LABEL, component=self.heading))
        self.add_item(discord.ui.Label(text=m.DISCORD_TRANSLATION_BODY_LABEL, component=self.body))
        # Out already: `update-sent`, as a select (a modal's own choice component) defaulting to no.
        self.update: discord.ui.Select[TranslationModal] | None = None
        if sent:
            self.update = discord.ui.Select(
                custom_id="update_sent",
                options=[
                    discord.SelectOption(label=m.DISCORD_UPDATE_SENT_NO, value="no", default=True),
                    discord.SelectOption(label=m.DISCORD_UPDATE_SENT_YES, value="yes"),
                ],
                required=False,
            )
            self.add_item(discord.ui.Label(text=m.DISCORD_UPDATE_SENT_LABEL, component=self.update))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        update_sent = self.update is not None and "yes" in self.update.values
        command = c.Translate(
            self.announcement_id,
            self.language.value.strip(),
            self.heading.value.strip(),
            self.body.value.strip(),
            update_sent,
        )
        await _handlers(interaction).translation_submitted(interaction, command, self.message_id)


class TranslationHandlers(PartnerHandlers):
    """The admin's side of the three steps; DiscordHandlers (adapters/discord/admin.py) has them."""

    async def render_preview(self, reply: Reply) -> list[tr.Part]:
        raise NotImplementedError  # adapters/discord/admin.py

    async def translation_choice(self, interaction: discord.Interaction, value: str) -> None:
        """'Add translation': the language select, privately; or the core's reason not to."""
        found = await self._translatable(interaction, value)
        if found is None:
            return
        offered = (await self.bot.audience_options()).get("language", ())
        options = language_options(found.variants, offered, self.bot.settings.default_language)
        message = interaction.message.id if interaction.message else 0
        select = tr.SelectSpec(f"pbt:{found.id}:{message}", m.DISCORD_TRANSLATION_SELECT, options, 1, 1)
        await self.send_parts(
            interaction, [tr.Part(content=m.DISCORD_TRANSLATION_PICK, components=(select,))], ephemeral=True
        )

    async def translation_form(
        self, interaction: discord.Interaction, announcement_id: int, message_id: int, picked: str
    ) -> None:
        """The modal for the language picked, with its text when the announcement has one."""
        found = await self._translatable(interaction, str(announcement_id))
        if found is None:
            return
        language = "" if picked == OTHER else picked
        variant = next((v for v in found.variants if v.language == language), None)
        sent = found.status is not AnnouncementStatus.DRAFT
        modal = TranslationModal(found.id, message_id, language, variant, sent=sent)
        await interaction.response.send_modal(modal)

    async def translation_submitted(
        self, interaction: discord.Interaction, command: c.Translate, message_id: int
    ) -> None:
        """The translation saved (`translate`'s rules and answer, privately); a draft's preview it
        was added under is redrawn in place, its reach by language anew."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        inv = self.invocation(interaction)
        reply = await self.bot.run_admin(inv, command)
        await self.send_parts(interaction, tr.render_reply(reply), ephemeral=True)
        if reply.is_error or not message_id or interaction.channel is None:
            return
        preview = await self.bot.preview(inv, command.announcement_id)
        if preview is None or preview.is_error or preview.draft is None:
            return
        first, *_ = await self.render_preview(preview)
        try:
            target = cast(discord.abc.Messageable, interaction.channel)
            await target.get_partial_message(message_id).edit(  # type: ignore[attr-defined]
                content=first.content, embeds=list(first.embeds), view=static_view(first.components)
            )
        except discord.HTTPException:
            log.warning("the preview of #%s could not be redrawn", command.announcement_id, exc_info=True)

    async def _translatable(self, interaction: discord.Interaction, value: str) -> Announcement | None:
        """The announcement, if it can take a translation; else the reason is told privately."""
        if not (value.isascii() and value.isdigit() and len(value) < 19):
            await self.reply_now(interaction, Reply(text=m.BUTTON_EXPIRED, is_error=True))
            return None
        found = await self.bot.editable(self.invocation(interaction), int(value))
        if isinstance(found, Reply):
            await self.reply_now(interaction, found)
            return None
        return found


def _handlers(interaction: discord.Interaction) -> TranslationHandlers:
    return cast(TranslationHandlers, handlers_of(interaction))
