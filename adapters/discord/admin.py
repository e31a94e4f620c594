"""The admin side on Discord: `/partner-admin`, "Broadcast to partners" → modal → preview → Send, and
Edit (a modal) / Recall (asked again, privately) under a preview or a sent announcement.

The core decides who may do what (admin channel + admin user or admin role) and audits refusals;
the adapter asks it first (`admin_refusal`) wherever it would otherwise open admin UI or report a
problem with the input before the core sees a command.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import aiohttp
import discord

from adapters.discord import preview as pv
from adapters.discord import translate as tr
from adapters.discord.handlers import uploads
from adapters.discord.translation_form import (
    TRANSLATE_ACTION,
    TranslationHandlers,
    translate_button,
    with_translate_button,
)
from adapters.discord.views import BroadcastFields, BroadcastModal, EditModal, RejectModal, static_view
from bot import commands as c
from bot import messages as m
from bot.commands import MAX_BODY, MAX_COMMENT, MAX_TITLE
from bot.domain import (
    AnnouncementStatus,
    Attachment,
    Audience,
    ButtonStyle,
    Invocation,
    NewFile,
    Priority,
    Reply,
)
from bot.ports.files import FileMissing, FileUnreadable
from bot.presenter.approvals import APPROVE_ACTION, REJECT_ACTION
from bot.services.admin import CANCEL_ACTION, EDIT_ACTION, RECALL_ACTION, SEND_ACTION

log = logging.getLogger(__name__)


class DiscordHandlers(TranslationHandlers):
    """Everything Discord hands partnerbot: the partner side plus the admin flows."""

    async def admin(
        self,
        interaction: discord.Interaction,
        command: c.AdminCommand | str,
        *,
        detail: str = "",
        attachments: Sequence[discord.Attachment] = (),
    ) -> None:
        """A typed admin command, or (a `str`) a problem the adapter found in the input: shown to
        admins; anyone else gets the core's (audited) refusal for `detail`. `attachments` (a
        broadcast's) are downloaded as part of the work, after the interaction is acknowledged."""
        inv = self.invocation(interaction)
        if isinstance(command, str):
            work = self._problem(inv, command, detail)
        elif isinstance(command, c.Broadcast) and attachments:
            work = self._broadcast_with_files(inv, command, attachments)
        else:
            work = self.bot.run_admin(inv, command)
        render = (
            self.render_preview
            if isinstance(command, c.Broadcast)
            else self._render_edited
            if isinstance(command, c.Edit)
            else None
        )
        # A slow preview in the admin channel stays visible to the team; elsewhere it is a refusal.
        private = not self.admins.is_admin_channel(inv.channel)
        await self.answer(interaction, work, ephemeral=None, render=render, defer_ephemeral=private)

    async def _broadcast_with_files(
        self, inv: Invocation, command: c.Broadcast, attachments: Sequence[discord.Attachment]
    ) -> Reply:
        if refusal := await self.bot.admin_refusal(inv, "broadcast"):
            return refusal  # nothing is downloaded for someone who may not broadcast
        files = []
        for attachment in attachments:
            try:
                files.append(NewFile(attachment.filename, await attachment.read()))
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
                reason = (
                    f"HTTP {exc.status}" if isinstance(exc, discord.HTTPException) else type(exc).__name__
                )
                words = m.FILE_DOWNLOAD_FAILED.format(
                    name=attachment.filename, platform="Discord", reason=reason
                )
                return Reply(words, is_error=True)
        return await self.bot.run_admin(inv, replace(command, files=tuple(files)))

    async def _problem(self, inv: Invocation, problem: str, detail: str) -> Reply:
        return await self.bot.admin_refusal(inv, detail) or Reply(text=problem, is_error=True)

    # --- "Broadcast to partners" ----------------------------------------------------------

    async def broadcast_menu(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The message context menu: a modal prefilled with the message, for admins only."""
        if refusal := await self.bot.admin_refusal(self.invocation(interaction), "broadcast to partners"):
            await self.reply_now(interaction, refusal)
            return
        text = message.content or "\n".join(
            part for embed in message.embeds for part in (embed.title, embed.description) if part
        )
        title, body = tr.prefill(text, title_limit=MAX_TITLE, body_limit=MAX_BODY)
        examples = ", ".join(topic.slug for topic in (await self.bot.topics())[:4])
        modal = BroadcastModal(
            title=title,
            body=body,
            topic_examples=examples,
            title_limit=MAX_TITLE,
            body_limit=MAX_BODY,
            attachments=message.attachments,
        )
        await interaction.response.send_modal(modal)

    async def broadcast_submitted(self, interaction: discord.Interaction, fields: BroadcastFields) -> None:
        topics, problem = tr.parse_topics(fields.topics)
        audience = tr.parse_audience(fields.audience)
        title, body = fields.title.strip(), fields.body.strip()
        problem = (
            problem
            or audience.error
            or ("" if topics else m.BROADCAST_TOPIC_MISSING)
            or ("" if title else m.TITLE_EMPTY)
            or ("" if body else m.BODY_EMPTY)
        )
        command = tr.scheduled(
            c.Broadcast(topics, audience.audience, title, body, urgent=audience.urgent), fields.send_at
        )
        if problem or isinstance(command, str):
            await self.admin(interaction, problem or str(command), detail="broadcast")
            return
        await self.admin(interaction, command, attachments=fields.attachments)

    async def render_preview(self, reply: Reply) -> list[tr.Part]:
        """A broadcast's answer: the draft as partners will see it, its reach, Send/Cancel, selects."""
        draft = reply.draft
        if draft is None:
            return tr.render_reply(reply)  # a refusal or a problem, not a preview
        topics = [(topic.slug, topic.title) for topic in await self.bot.topics()]
        selects = [pv.topic_select(draft.announcement_id, topics, draft.topics)]
        known = await self._audience_values()
        if audience := pv.audience_select(draft.announcement_id, known, draft.audience):
            selects.append(audience)
        extra = (translate_button(draft.announcement_id),)  # adapters/discord/translation_form.py
        return pv.preview_parts(reply, draft, selects, await self._thumbnail(draft.files), extra=extra)

    async def _kept_files(self, files: Sequence[Attachment]) -> tuple[NewFile, ...] | None:
        """The draft's files read back for the draft that replaces it; None if one cannot be read."""
        if not files:
            return ()
        try:
            if self.files is None:
                raise FileMissing("no file store")
            return tuple([NewFile(f.name, await self.files.read(sha256=f.sha256)) for f in files])
        except (FileMissing, FileUnreadable, OSError):
            log.warning("a draft's files could not be read again for its new topics", exc_info=True)
            return None

    async def _thumbnail(self, files: Sequence[Attachment]) -> pv.Thumbnail | None:
        """The draft's first image, read to be uploaded with the preview: none when it has no image;
        a note instead when it is over Discord's limit per file or cannot be read."""
        found = pv.thumbnail_image(files)
        if found is None:
            return None
        name, image = found
        if image.size > self.options.max_file:
            return pv.Thumbnail(note=pv.too_large_note(image, self.options.max_file))
        try:
            if self.files is None:
                raise FileMissing("no file store")
            return pv.Thumbnail(name=name, data=await self.files.read(sha256=image.sha256))
        except (FileMissing, FileUnreadable, OSError):
            log.warning("the preview's thumbnail %s could not be read", image.sha256, exc_info=True)
            return pv.Thumbnail(note=m.THUMBNAIL_UNREADABLE.format(name=image.name))

    async def _audience_values(self) -> dict[str, set[str]]:
        """The values the core accepts (bot/vocabulary.py): configured ones and the roster's own."""
        return {key: set(values) for key, values in (await self.bot.audience_options()).items()}

    async def vocabulary_choices(self, key: str, current: str) -> list[tuple[str, str]]:
        """Autocomplete for a `tier`/`type`/`region`/`language` option: the accepted values."""
        wanted = current.strip().lower()
        values = (await self.bot.vocabulary()).accepted(key)
        return [(value, value) for value in values if wanted in value][: tr.CHOICES_LIMIT]

    async def audience_choices(self, current: str) -> list[tuple[str, str]]:
        """Autocomplete for a saved audience (`audience:` of broadcast, `audience show|delete`)."""
        wanted = current.strip().lower()
        found = [a.name for a in await self.bot.saved_audiences() if wanted in a.name]
        return [(name, name) for name in found][: tr.CHOICES_LIMIT]

    async def preview_select(
        self, interaction: discord.Interaction, kind: str, announcement_id: int, values: list[str]
    ) -> None:
        """New topics or audience for a draft: the core has no "edit draft", so a new draft replaces
        it (the old one is cancelled) and the preview is redrawn in place."""
        inv = self.invocation(interaction)
        await interaction.response.defer()  # type 6: the preview message is edited below
        old = await self.bot.draft(inv, announcement_id)
        if isinstance(old, Reply):  # not an admin here
            await self.send_parts(interaction, tr.render_reply(old), ephemeral=True)
            return
        if old is None or old.status is not AnnouncementStatus.DRAFT:
            status = old.status.value if old else "gone"
            text = m.DISCORD_NOT_A_DRAFT_ANY_MORE[status].format(id=announcement_id)
            await self.send_parts(
                interaction, tr.render_reply(Reply(text=text, is_error=True)), ephemeral=True
            )
            return
        kept = await self._kept_files(old.files)
        if kept is None:  # the files could not be read again: keep the draft as it is
            text = m.DISCORD_REDRAFT_FILES_UNREADABLE.format(id=announcement_id)
            await self.send_parts(
                interaction, tr.render_reply(Reply(text=text, is_error=True)), ephemeral=True
            )
            return
        topics = tuple(values) if kind == "topics" else old.topics
        audience = pv.audience_from_values(values) if kind == "audience" else old.audience
        # A draft to a saved audience keeps the reference unless other filters were picked.
        saved = old.audience_name if kind == "topics" else None
        urgent = old.priority is Priority.URGENT
        command = c.Broadcast(
            topics,
            Audience() if saved else audience,
            old.title,
            old.body,
            urgent=urgent,
            ack_required=old.ack_required,
            saved_audience=saved,
            ctas=old.ctas,  # a redraft keeps the calls to action, the translations and the files too
            variants=old.variants,
            files=kept,
        )
        command = tr.rescheduled(command, old.schedule)  # the draft keeps its time
        reply = await self.bot.run_admin(inv, command)
        if reply.draft is None or reply.draft.announcement_id == old.id:  # refused, or choice rejected
            await self.send_parts(interaction, tr.render_reply(reply), ephemeral=True)
            return
        await self.bot.run_admin(inv, c.Cancel(old.id))
        first, *rest = await self.render_preview(reply)
        content = f"{first.content}\n{m.DISCORD_REPLACES_DRAFT.format(old=old.id)}"
        await interaction.edit_original_response(
            content=content,
            embeds=list(first.embeds),
            view=static_view(first.components),
            attachments=uploads(first),  # the redrawn preview's thumbnail replaces the old one's
        )
        if rest:
            await self.send_parts(interaction, rest, ephemeral=False)

    async def core_button(self, interaction: discord.Interaction, action: str, value: str) -> None:
        """Send/Cancel under a preview, and the confirmed Recall: the message loses its components
        once the core accepts. Edit opens a modal; Recall first asks to confirm."""
        if action == EDIT_ACTION:
            await self.edit_form(interaction, value)
            return
        if action == TRANSLATE_ACTION:
            await self.translation_choice(interaction, value)
            return
        if action == RECALL_ACTION:
            await self._confirm_recall(interaction, value)
            return
        if action == REJECT_ACTION:
            await self._reject_form(interaction, value)
            return
        if action not in (SEND_ACTION, CANCEL_ACTION, tr.RECALL_CONFIRMED, APPROVE_ACTION):
            await super().core_button(interaction, action, value)
            return
        inv = self.invocation(interaction)
        await interaction.response.defer()  # type 6, then "edit original" edits the preview itself
        reply = await self.bot.button(inv, RECALL_ACTION if action == tr.RECALL_CONFIRMED else action, value)
        if not reply.is_error:
            await interaction.edit_original_response(view=None)
        parts = with_translate_button(tr.render_reply(reply), EDIT_ACTION)  # after Send: beside Edit
        await self.send_parts(interaction, parts, ephemeral=reply.is_error or reply.ephemeral)

    # --- Edit and Recall --------------------------------------------------------------------

    async def edit_form(self, interaction: discord.Interaction, value: str) -> None:
        """The Edit modal with the announcement's current text, or the core's reason not to open it
        (not an admin here, recalled…), privately. A modal must be the first answer, within 3 s."""
        if not value.isdigit():
            await self.reply_now(interaction, Reply(text=m.BUTTON_EXPIRED, is_error=True))
            return
        found = await self.bot.editable(self.invocation(interaction), int(value))
        if isinstance(found, Reply):
            await self.reply_now(interaction, found)
            return
        modal = EditModal(
            announcement_id=found.id,
            title=found.title,
            body=found.body,
            sent=found.status is not AnnouncementStatus.DRAFT,
            title_limit=MAX_TITLE,
            body_limit=MAX_BODY,
        )
        await interaction.response.send_modal(modal)

    async def edit_submitted(
        self, interaction: discord.Interaction, announcement_id: int, title: str, body: str
    ) -> None:
        """The Edit modal: a draft's preview is redrawn in place; anything else is announced in the
        channel (or, refused, told only to the admin)."""
        title, body = title.strip(), body.strip()
        problem = ("" if title else m.TITLE_EMPTY) or ("" if body else m.BODY_EMPTY)
        if problem:
            await self.admin(interaction, problem, detail=f"edit {announcement_id}")
            return
        command = c.Edit(announcement_id, title=title, body=body)
        if interaction.message is None:  # opened by `/partner-admin edit <id>`, not by a button
            await self.admin(interaction, command)
            return
        await interaction.response.defer()  # type 6: "edit original" is the message Edit was on
        reply = await self.bot.run_admin(self.invocation(interaction), command)
        if _is_preview(reply):
            first, *rest = await self.render_preview(reply)
            await interaction.edit_original_response(
                content=first.content, embeds=list(first.embeds), view=static_view(first.components)
            )
            if rest:
                await self.send_parts(interaction, rest, ephemeral=False)
            return
        await self.send_parts(interaction, tr.render_reply(reply), ephemeral=reply.ephemeral)

    async def _reject_form(self, interaction: discord.Interaction, value: str) -> None:
        """Request changes: a modal for the comment, or the core's (audited) refusal, privately."""
        if not value.isdigit():
            await self.reply_now(interaction, Reply(text=m.BUTTON_EXPIRED, is_error=True))
            return
        if refusal := await self.bot.admin_refusal(self.invocation(interaction), f"reject {value}"):
            await self.reply_now(interaction, refusal)
            return
        await interaction.response.send_modal(RejectModal(announcement_id=int(value), limit=MAX_COMMENT))

    async def reject_submitted(
        self, interaction: discord.Interaction, announcement_id: int, comment: str
    ) -> None:
        """The Request changes modal: the request loses its buttons once the core accepts, and the
        decision is said in the channel; a refusal only to the admin."""
        comment = comment.strip()
        if not comment:
            await self.admin(interaction, m.USAGE.format(usage=m.ADMIN_USAGE["reject"]), detail="reject")
            return
        await interaction.response.defer()  # type 6: "edit original" is the request the button was on
        reply = await self.bot.run_admin(self.invocation(interaction), c.Reject(announcement_id, comment))
        if not reply.is_error and interaction.message is not None:
            await interaction.edit_original_response(view=None)
        await self.send_parts(
            interaction, tr.render_reply(reply), ephemeral=reply.is_error or reply.ephemeral
        )

    async def _render_edited(self, reply: Reply) -> list[tr.Part]:
        """An edited draft answers with its new preview; anything else is plain text."""
        return await self.render_preview(reply) if _is_preview(reply) else tr.render_reply(reply)

    async def _confirm_recall(self, interaction: discord.Interaction, value: str) -> None:
        """Discord has no confirmation dialog: ask privately, with a button that recalls."""
        inv = self.invocation(interaction)
        if refusal := await self.bot.admin_refusal(inv, f"recall {value}"):
            await self.reply_now(interaction, refusal)
            return
        button = tr.button_spec(
            m.DISCORD_RECALL_CONFIRM_BUTTON.format(id=value), tr.RECALL_CONFIRMED, value, ButtonStyle.DANGER
        )
        confirm = tr.Part(content=m.DISCORD_RECALL_CONFIRM.format(id=value), components=(button,))
        await self.send_parts(interaction, [confirm], ephemeral=True)


def _is_preview(reply: Reply) -> bool:
    """A draft's preview that can be sent (one reaching nobody is a refusal, shown as text)."""
    return reply.draft is not None and not reply.is_error
