"""The local adapter's wiring: people in the in-process workspace talk to the core.

It enters the core through exactly the calls the Slack and Discord adapters use — a slash command,
an @mention, a button, a reaction, a thread reply — so the demo and the tests exercise the same paths.
"""

from __future__ import annotations

from adapters.local.sender import LocalSender
from adapters.local.translate import (
    ACK_ACTION,
    ASK_ACTION,
    CTA_ACTION,
    HELPFUL_ACTION,
    render_reply,
    reply_buttons,
)
from adapters.local.workspace import BOT, WORKSPACE, LocalWorkspace, Message
from bot import messages as m
from bot.commands import Reject
from bot.core import PartnerBot
from bot.domain import Button, Invocation, Platform, Reply, UserRef
from bot.domain.engagement import HELPFUL_EMOJI
from bot.presenter.approvals import REJECT_ACTION

ADMIN_COMMAND = "/partner-admin"
PARTNER_COMMAND = "/partner"
MENTION = f"@{BOT}"


class LocalAdapter:
    def __init__(self, bot: PartnerBot, workspace: LocalWorkspace | None = None) -> None:
        self.bot = bot
        self.workspace = workspace or LocalWorkspace()
        self.sender = LocalSender(self.workspace)

    def invocation(self, user: str, channel: str, *, thread: str | None = None) -> Invocation:
        ref = self.workspace.channel(channel)
        return Invocation(
            channel=ref,
            user=UserRef(Platform.LOCAL, WORKSPACE, user, display_name=user),
            channel_name=ref.channel,
            thread=None,
        )

    async def say(self, user: str, channel: str, text: str, *, thread: str | None = None) -> Reply | None:
        """`user` types `text` in `channel` (or in a thread under message `thread`)."""
        channel = channel.lstrip("#")
        self.workspace.add(channel, user, text, thread=thread)
        inv = self.invocation(user, channel)
        stripped = text.strip()
        reply: Reply | None
        if stripped.startswith(ADMIN_COMMAND):
            reply = await self.bot.admin_command(inv, stripped[len(ADMIN_COMMAND) :].strip())
        elif stripped.startswith(PARTNER_COMMAND):
            reply = await self.bot.partner_command(inv, stripped[len(PARTNER_COMMAND) :].strip())
        elif stripped.startswith(MENTION):
            reply = await self.bot.mention(inv, stripped[len(MENTION) :].strip())
        elif thread is not None:
            reply = await self.bot.thread_message(inv, thread=thread, text=text)
        else:
            reply = None  # ordinary chatter: the bot stays quiet
        if reply is not None:
            self._show(reply, user, channel, thread)
        return reply

    async def press(self, user: str, channel: str, action: str, value: str) -> Reply:
        """`user` presses a button the core offered (Send, Cancel, Subscribe…)."""
        reply = await self.bot.button(self.invocation(user, channel), action, value)
        self._show(reply, user, channel.lstrip("#"), None)
        return reply

    async def press_on(self, user: str, message: Message, button: Button, text: str = "") -> Reply | None:
        """`user` presses `button` under `message`: a core button (Send, Subscribe…) or one of the
        buttons under a delivered announcement, which do what they do on Slack and Discord — Ask
        (`text` is the question, asked in the announcement's thread), Helpful, Acknowledge, and a
        call to action (the click counted, its link shown), and Request changes under an approval
        request (`text` is the comment)."""
        if button.action == ASK_ACTION:
            if not text.strip():
                reply = Reply(text=m.LOCAL_ASK_NEEDS_TEXT.format(message=message.id), is_error=True)
                self._show(reply, user, message.channel, None)
                return reply
            return await self.say(user, message.channel, text, thread=message.id)
        if button.action == HELPFUL_ACTION:
            return await self.helpful(user, message)
        if button.action == ACK_ACTION:
            return await self.acknowledge(user, message)
        if button.action == CTA_ACTION:
            announcement_id, _, number = button.value.partition(":")
            return await self.cta(user, message, int(announcement_id), int(number))
        if button.action == REJECT_ACTION and text.strip() and button.value.isdigit():
            # Request changes, with the comment a form would ask for (without one: how to type it).
            command = Reject(int(button.value), text.strip())
            reply = await self.bot.run_admin(self.invocation(user, message.channel), command)
            self._show(reply, user, message.channel, None)
            return reply
        return await self.press(user, message.channel, button.action, button.value)

    async def react(self, user: str, message: Message, emoji: str, *, added: bool = True) -> bool:
        users = message.reactions.setdefault(emoji, set())
        (users.add if added else users.discard)(user)
        self.workspace.save()
        return await self.bot.reaction(
            platform=Platform.LOCAL,
            channel=message.channel,
            message=message.id,
            user=user,
            emoji=emoji,
            added=added,
        )

    async def helpful(self, user: str, message: Message) -> Reply:
        """`user` presses [Helpful] under a delivered announcement: shown among its reactions here,
        counted by the core; the answer only they see."""
        message.reactions.setdefault(HELPFUL_EMOJI, set()).add(user)
        self.workspace.save()
        reply = await self.bot.helpful(
            platform=Platform.LOCAL, channel=message.channel, message=message.id, user=user
        )
        self._show(reply, user, message.channel, None)
        return reply

    async def acknowledge(self, user: str, message: Message) -> Reply:
        """`user` presses [Acknowledge] under a delivered announcement; the answer only they see."""
        reply = await self.bot.acknowledge(
            self.invocation(user, message.channel),
            platform=Platform.LOCAL,
            channel=message.channel,
            message=message.id,
        )
        self._show(reply, user, message.channel, None)
        return reply

    async def cta(self, user: str, message: Message, announcement_id: int, number: int) -> Reply:
        """`user` presses a call-to-action button: the click counted, the link shown only to them."""
        reply = await self.bot.cta_pressed(
            platform=Platform.LOCAL,
            channel=message.channel,
            message=message.id,
            user=user,
            announcement_id=announcement_id,
            number=number,
        )
        self._show(reply, user, message.channel, None)
        return reply

    def _show(self, reply: Reply, user: str, channel: str, thread: str | None) -> None:
        self.workspace.add(
            channel,
            BOT,
            render_reply(reply),
            thread=thread,
            visible_to=None if not reply.ephemeral else user,
            buttons=reply_buttons(reply),
        )
