"""Discord events and interactions → one core call each, and the core's reply back to Discord.

Interactions must be answered within 3 s: `answer` gives the core that long, then defers (the token
then lasts 15 minutes) and follows up. `admin.py` extends this with the admin flows (commands, the
broadcast modal and its preview).
https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import discord
from discord.utils import MISSING

from adapters.discord import shown
from adapters.discord import translate as tr
from adapters.discord.sender import RecentPosts
from adapters.discord.views import AskModal, static_view
from bot import commands as c
from bot import messages as m
from bot.attachments import DISCORD_FILE
from bot.core import PartnerBot
from bot.domain import ChannelRef, Invocation, Platform, Refusal, RefusalCode, Reply
from bot.i18n import reading
from bot.ports import FileStore
from bot.services.partners import SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION
from bot.settings import Admins

log = logging.getLogger(__name__)
Render = Callable[[Reply], Awaitable[list[tr.Part]]]
_T = TypeVar("_T")
RECORD_WAIT = 60.0  # seconds: a worker's lease, after which its batch is recorded or taken over


@dataclass(frozen=True, slots=True)
class DiscordOptions:
    """How the adapter behaves: from `DiscordSettings` (`client.options_from`), or given by tests."""

    # The privileged message-content intent is granted in the developer portal: read thread text.
    message_content: bool = False
    # The permission (a discord.Permissions flag) needed to change a channel's subscriptions and
    # settings; None lets anyone. Checked here: `default_member_permissions` is only a hint.
    subscribe_permission: str | None = "manage_channels"
    send_timeout: float = 15.0  # per REST call; discord.py sets none of its own
    ready_timeout: float = 60.0
    guild_ready_timeout: float = 2.0
    # How long the core may take before an interaction is deferred: Discord wants an answer within 3 s
    # of sending it, and the event and the answer each spend some of that on the way. 1.5 s left too
    # little for a busy process: the suite on 2 loaded cores saw defers arrive after Discord's 3 s.
    ack_seconds: float = 1.0
    skip_identify_wait: bool = False  # tests: no 5 s pause before a re-IDENTIFY
    # Discord's limit per file (PARTNERBOT_DISCORD_MAX_FILE_MB): a larger image gets no thumbnail.
    max_file: int = DISCORD_FILE


class PartnerHandlers:
    def __init__(
        self, bot: PartnerBot, admins: Admins, options: DiscordOptions, *, files: FileStore | None = None
    ) -> None:
        self.bot = bot
        self.files = files  # where the preview's thumbnail is read from
        self.admins = admins
        self.options = options
        self.client: discord.Client | None = None
        self.recent = RecentPosts()  # shared with the Sender by the adapter
        self._admin_roles = admins.groups_on(Platform.DISCORD)

    @property
    def bot_id(self) -> int:
        user = self.client.user if self.client else None
        return user.id if user else 0

    async def once_recorded(self, message_id: int, attempt: Callable[[], Awaitable[_T]]) -> _T:
        """`attempt()`, tried again while it finds nothing for a message this process has just
        posted: the worker records message ids per batch, so a quick reaction or question can
        arrive before partnerbot knows the announcement is its own."""
        result = await attempt()
        delay, waited = 0.1, 0.0
        while not result and message_id in self.recent and waited < RECORD_WAIT:
            await asyncio.sleep(delay)
            waited, delay = waited + delay, min(delay * 2, 2.0)
            result = await attempt()
        return result

    # --- who and where -------------------------------------------------------------------

    def invocation(self, interaction: discord.Interaction) -> Invocation:
        channel_id, thread_id, name = _where(interaction.channel, interaction.channel_id or 0)
        inv = self._invocation(interaction.guild_id or 0, channel_id, thread_id, name, interaction.user)
        return replace(inv, locale=tr.interaction_locale(interaction.locale, interaction.guild_locale))

    def _invocation(
        self, guild_id: int, channel_id: int, thread_id: int | None, name: str, user: discord.abc.User
    ) -> Invocation:
        roles = [role.id for role in user.roles] if isinstance(user, discord.Member) else []
        return tr.invocation(
            guild_id=guild_id,
            channel_id=channel_id,
            channel_name=name,
            user_id=user.id,
            display_name=user.display_name,
            role_ids=roles,
            admin_roles=self._admin_roles,
            thread_id=thread_id,
        )

    def permission_refusal(self, interaction: discord.Interaction) -> Reply | None:
        needed = self.options.subscribe_permission
        if needed is None or getattr(interaction.permissions, needed, False):
            return None
        return Reply(
            text=m.DISCORD_NEEDS_PERMISSION.format(permission=needed.replace("_", " ").title()), is_error=True
        )

    # --- answering interactions ----------------------------------------------------------

    async def answer(
        self,
        interaction: discord.Interaction,
        work: Awaitable[Reply],
        *,
        ephemeral: bool | None,
        render: Render | None = None,
        defer_ephemeral: bool = True,
    ) -> None:
        """Answer with what `work` returns; `ephemeral=None` follows the reply's own choice, except
        when the answer is late: a deferred answer keeps the visibility chosen when deferring."""

        async def job() -> tuple[Reply, list[tr.Part]]:
            try:
                reply = await work
                return reply, await render(reply) if render else tr.render_reply(reply)
            except Exception:  # the core guards its own calls; this is the adapter's part failing
                log.exception("answering an interaction failed")
                failed = Reply(text=m.INTERNAL_ERROR, is_error=True)
                return failed, tr.render_reply(failed)

        task = asyncio.ensure_future(job())
        done, _ = await asyncio.wait({task}, timeout=self.options.ack_seconds)
        if not done:
            await interaction.response.defer(
                ephemeral=defer_ephemeral if ephemeral is None else ephemeral, thinking=True
            )
        reply, parts = await task
        await self.send_parts(
            interaction, parts, ephemeral=reply.ephemeral if ephemeral is None else ephemeral
        )

    async def reply_now(self, interaction: discord.Interaction, reply: Reply) -> None:
        await self.send_parts(interaction, tr.render_reply(reply), ephemeral=True)

    async def send_parts(
        self, interaction: discord.Interaction, parts: Sequence[tr.Part], *, ephemeral: bool
    ) -> None:
        mentions = discord.AllowedMentions.none()
        for part in parts:
            content = part.content or MISSING
            view = static_view(part.components) if part.components else MISSING
            files = uploads(part)  # multipart `files[n]` beside `payload_json`
            if not interaction.response.is_done():
                await interaction.response.send_message(
                    content,
                    embeds=list(part.embeds),
                    view=view,
                    ephemeral=ephemeral,
                    allowed_mentions=mentions,
                    files=files,
                )
            else:
                await interaction.followup.send(
                    content,
                    embeds=list(part.embeds),
                    view=view,
                    ephemeral=ephemeral,
                    allowed_mentions=mentions,
                    files=files,
                )

    # --- /partner ------------------------------------------------------------------------

    async def partner(
        self,
        interaction: discord.Interaction,
        *commands: c.PartnerCommand | str,
        changes_channel: bool = False,
    ) -> None:
        """A /partner subcommand: typed commands, or text for the grammar (topic lists), run in order
        and answered together. Answers are always ephemeral."""
        if changes_channel and (refusal := self.permission_refusal(interaction)):
            await self.reply_now(interaction, refusal)
            return
        inv = self.invocation(interaction)

        async def run() -> Reply:
            replies = [
                await (
                    self.bot.partner_command(inv, cmd)
                    if isinstance(cmd, str)
                    else self.bot.run_partner(inv, cmd)
                )
                for cmd in commands
            ]
            if len(replies) == 1:
                return replies[0]
            return Reply(text="\n".join(r.text for r in replies), is_error=any(r.is_error for r in replies))

        await self.answer(interaction, run(), ephemeral=True)

    async def topic_choices(
        self, current: str, *, allow_all: bool, several: bool
    ) -> list[discord.app_commands.Choice[str]]:
        topics = [(topic.slug, topic.title) for topic in await self.bot.topics()]
        return [
            discord.app_commands.Choice(name=name, value=value)
            for name, value in tr.complete_topics(current, topics, allow_all=allow_all, several=several)
        ]

    # --- components on delivered announcements ------------------------------------------

    async def announcement_button(self, interaction: discord.Interaction, custom_id: str) -> None:
        message = interaction.message
        if message is None:
            return
        if custom_id == tr.ASK_ID:
            # The modal must open within 3 s: the language is one read, like any command's.
            language = await self.bot.reader_language(self.invocation(interaction))
            with reading(language.tag):
                modal = AskModal(channel_id=message.channel.id, message_id=message.id)
            await interaction.response.send_modal(modal)
        elif custom_id == tr.HELPFUL_ID:
            await self.answer(interaction, self._helpful(interaction, message), ephemeral=True)
        elif custom_id == tr.ACK_ID:
            await self.answer(interaction, self._acknowledge(interaction, message), ephemeral=True)
        elif custom_id == tr.MUTE_ID:
            if refusal := self.permission_refusal(interaction):
                await self.reply_now(interaction, refusal)
                return
            await self.answer(interaction, self._mute(interaction, message), ephemeral=True)

    async def cta_button(self, interaction: discord.Interaction, announcement_id: int, number: int) -> None:
        """A call-to-action button: the click counted, the link answered to the partner alone."""
        message = interaction.message
        if message is None:
            return
        await self.answer(
            interaction, self._cta(interaction, message, announcement_id, number), ephemeral=True
        )

    async def _cta(
        self, interaction: discord.Interaction, message: discord.Message, announcement_id: int, number: int
    ) -> Reply:
        await self._until_recorded(message)
        return await self.bot.cta_pressed(
            platform=Platform.DISCORD,
            channel=str(message.channel.id),
            message=str(message.id),
            user=str(interaction.user.id),
            announcement_id=announcement_id,
            number=number,
        )

    async def _helpful(self, interaction: discord.Interaction, message: discord.Message) -> Reply:
        await self._until_recorded(message)
        return await self.bot.helpful(
            platform=Platform.DISCORD,
            channel=str(message.channel.id),
            message=str(message.id),
            user=str(interaction.user.id),
        )

    async def _acknowledge(self, interaction: discord.Interaction, message: discord.Message) -> Reply:
        inv = self.invocation(interaction)

        async def attempt() -> Reply | None:
            reply = await self.bot.acknowledge(
                inv, platform=Platform.DISCORD, channel=str(message.channel.id), message=str(message.id)
            )
            # Not found yet may only mean the worker has not recorded the message id: try again.
            return None if reply.refusal == Refusal(RefusalCode.NOT_AN_ANNOUNCEMENT) else reply

        found = await self.once_recorded(message.id, attempt)
        return found or Reply(text=m.ACK_NOT_AN_ANNOUNCEMENT, is_error=True)

    async def _mute(self, interaction: discord.Interaction, message: discord.Message) -> Reply:
        await self._until_recorded(message)
        return await self.bot.mute(
            self.invocation(interaction),
            platform=Platform.DISCORD,
            channel=str(message.channel.id),
            message=str(message.id),
        )

    async def _until_recorded(self, message: discord.Message) -> None:
        """Give the worker time to record a message this process has just posted (`once_recorded`);
        the core then answers the press, or says the message isn't an announcement."""
        await self.once_recorded(
            message.id,
            lambda: self.bot.delivered(
                platform=Platform.DISCORD, channel=str(message.channel.id), message=str(message.id)
            ),
        )

    async def ask_submitted(
        self, interaction: discord.Interaction, *, channel_id: int, message_id: int, text: str
    ) -> None:
        """The "Ask a question" modal: a question in the announcement's thread (opened on the answer)."""
        inv = self.invocation(interaction)

        async def ask() -> Reply:
            reply = await self.once_recorded(
                message_id, lambda: self.bot.thread_message(inv, thread=str(message_id), text=text)
            )
            return reply or Reply(text=m.NOT_AN_ANNOUNCEMENT, is_error=True)

        await self.answer(interaction, ask(), ephemeral=True)

    async def core_button(self, interaction: discord.Interaction, action: str, value: str) -> None:
        if action in (SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION) and (
            refusal := self.permission_refusal(interaction)
        ):
            await self.reply_now(interaction, refusal)
            return
        await self.answer(
            interaction,
            self.bot.button(self.invocation(interaction), action, value),
            ephemeral=True,
            render=partial(self.render_shown, interaction),
        )

    async def render_shown(self, interaction: discord.Interaction, reply: Reply) -> list[tr.Part]:
        """A reply, and for an announcement shown in full ("Show") its files read to be uploaded
        with the answer, within this interaction's limit per file, and its link buttons."""
        if not shown.needs_rendering(reply):
            return tr.render_reply(reply)
        # INTERACTION_CREATE's `attachment_size_limit` (discord.py's `filesize_limit`): this server's.
        per_file = interaction.filesize_limit or self.options.max_file
        return shown.shown_parts(reply, await shown.gather(reply, self.files, per_file=per_file))

    # --- gateway events ------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """@mentions anywhere; messages in threads (questions under announcements, admins' answers)."""
        if message.author.bot or message.guild is None:
            return
        text, mentioned = tr.without_mention(message.content, self.bot_id)
        channel = message.channel
        if isinstance(channel, discord.Thread):
            if not text:  # without the message-content intent, only @mentions carry text
                return
            inv = self._invocation(
                message.guild.id, channel.parent_id, channel.id, _name(channel), message.author
            )
            ask = partial(self.bot.thread_message, inv, thread=str(channel.id), text=text)
            # An admin thread is recorded as it opens; only partner threads can be ahead of the worker.
            admin_side = self.admins.is_admin_channel(inv.channel)
            reply = await (ask() if admin_side else self.once_recorded(channel.id, ask))
            if reply is None and mentioned:
                reply = await self.bot.mention(inv, text)
        elif mentioned:
            inv = self._invocation(message.guild.id, channel.id, None, _name(channel), message.author)
            reply = await self.bot.mention(inv, text)
        else:
            return
        if reply is not None:
            await self._reply_to(message, reply)

    async def _reply_to(self, message: discord.Message, reply: Reply) -> None:
        if reply.private:  # a message reply is public: point to the slash command, which is not
            words = tr.without_mention(message.content, self.bot_id)[0].split()
            command = words[0].lower() if words else "help"
            reply = Reply(text=m.PRIVATE_REPLY_ELSEWHERE.format(command=command), is_error=True)
        reference = message.to_reference(fail_if_not_exists=False)
        for index, part in enumerate(tr.render_reply(reply)):
            await message.channel.send(
                part.content or None,
                embeds=list(part.embeds),
                view=static_view(part.components) if part.components else MISSING,
                allowed_mentions=discord.AllowedMentions.none(),
                reference=reference if index == 0 else MISSING,
            )

    async def on_reaction(self, event: discord.RawReactionActionEvent, *, added: bool) -> None:
        if event.guild_id is None or event.user_id == self.bot_id:
            return
        if event.message_author_id is not None and event.message_author_id != self.bot_id:
            return  # not one of ours: spare the database
        await self.once_recorded(
            event.message_id,
            lambda: self.bot.reaction(
                platform=Platform.DISCORD,
                channel=str(event.channel_id),
                message=str(event.message_id),
                user=str(event.user_id),
                emoji=str(event.emoji),
                added=added,
            ),
        )

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        count = await self.bot.workspace_removed(
            Platform.DISCORD, str(guild.id), reason="removed from the server"
        )
        log.info("removed from Discord server %s: channels deactivated: %d", guild.id, count)

    async def on_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        ref = ChannelRef(Platform.DISCORD, str(channel.guild.id), str(channel.id))
        await self.bot.channel_removed(ref, reason="channel deleted")


def _where(channel: Any, fallback_id: int) -> tuple[int, int | None, str]:
    """(channel, thread, name): a thread's commands and messages belong to its parent channel."""
    if isinstance(channel, discord.Thread):
        return channel.parent_id, channel.id, _name(channel)
    return getattr(channel, "id", None) or fallback_id, None, _name(channel)


def _name(channel: Any) -> str:
    if isinstance(channel, discord.Thread) and channel.parent is not None:
        return channel.parent.name
    return str(getattr(channel, "name", "") or "")


def uploads(part: tr.Part) -> list[discord.File]:
    """The files an interaction's answer uploads (fresh streams: discord.py reads each once)."""
    return [discord.File(io.BytesIO(data), filename=name) for name, data in part.uploads]
