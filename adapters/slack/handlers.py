"""Bolt listeners: each acknowledges first (Slack allows 3 s), then makes one core call and shows its
answer — ephemerally to the caller where Slack allows, publicly when the core says so.

Parsing lives in `translate`/`views` (pure); this module only sequences I/O around the core.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import edge, views
from adapters.slack import payloads as p
from adapters.slack import translate as tr
from adapters.slack import variant_fields as vf
from adapters.slack.directory import SlackDirectory
from adapters.slack.downloads import DownloadFailed, download_files, failed_words
from adapters.slack.replies import open_view, replace_public, respond_with, show, update_view
from adapters.slack.translate import Caller
from bot import messages as m
from bot.commands import Broadcast, ListTopics, Reject
from bot.core import PartnerBot
from bot.domain import ChannelRef, Invocation, Platform, Reply
from bot.domain.variants import Variant
from bot.i18n import reading

log = logging.getLogger(__name__)
JSON = dict[str, Any]
_P = ParamSpec("_P")
_R = TypeVar("_R")
# How long a scheduled broadcast's submission waits for the core's verdict on its time before the
# modal is closed regardless: Slack wants the ack within 3 s, and the request spends some on the way.
MODAL_VERDICT_SECONDS = 2.0
# Files on a message that cannot be downloaded: deleted, beyond a free plan's history, external.
UNUSABLE_FILES = frozenset({"tombstone", "hidden_by_limit", "external"})


def tracked(
    func: Callable[Concatenate[SlackHandlers, _P], Awaitable[_R]],
) -> Callable[Concatenate[SlackHandlers, _P], Awaitable[_R]]:
    """Remember the running listener so `drain()` can let it finish on shutdown.
    `functools.update_wrapper` keeps the signature bolt reads to inject `ack`, `body`, `client`…"""

    async def wrapper(self: SlackHandlers, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            return await func(self, *args, **kwargs)
        except Exception as error:
            ack = kwargs.get("ack")
            if not (isinstance(ack, AsyncAck) and ack.response is not None):
                raise  # not acknowledged yet: bolt's error handler (edge.on_bolt_error) does it
            # Acknowledged, then failed: bolt's runner would reset the ack when handing the error to
            # its error handler, and if that happens before it polls the ack, Slack never gets one
            # (a timeout for the user; a re-send in Socket Mode). So it is logged here, the same way.
            await edge.on_bolt_error(error, kwargs.get("body"), None)
            return None  # type: ignore[return-value]  # bolt ignores what a listener returns
        finally:
            if task is not None:
                self._inflight.discard(task)

    functools.update_wrapper(wrapper, func)
    return wrapper


class SlackHandlers:
    def __init__(
        self,
        bot: PartnerBot,
        directory: SlackDirectory,
        *,
        revocation: AsyncTokenRevocationListeners | None = None,
        forget_team: Callable[[str], None] = lambda team: None,
    ) -> None:
        self._bot = bot
        self._directory = directory
        self._revocation = revocation
        self._forget_team = forget_team
        self._inflight: set[asyncio.Task[Any]] = set()
        self._seen_events: OrderedDict[str, None] = OrderedDict()

    async def drain(self, timeout: float) -> None:
        """Wait (up to `timeout`) for listeners still working after their ack."""
        pending = {task for task in self._inflight if not task.done() and task is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    # --- slash commands --------------------------------------------------------------------------

    @tracked
    async def partner_command(
        self,
        ack: AsyncAck,
        body: JSON,
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        caller = tr.caller_from_command(body, _team(context))
        reply = await self._bot.partner_command(await self._invocation(caller, client), tr.command_text(body))
        await show(reply, caller, client, respond=respond)

    @tracked
    async def admin_command(
        self,
        ack: AsyncAck,
        body: JSON,
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        caller = tr.caller_from_command(body, _team(context))
        reply = await self._bot.admin_command(await self._invocation(caller, client), tr.command_text(body))
        await show(reply, caller, client, respond=respond)

    # --- events ----------------------------------------------------------------------------------

    @tracked
    async def app_mention(
        self, event: JSON, body: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if self._repeated(body):
            return
        caller = tr.caller_from_event(event, _team(context))
        inv = await self._invocation(caller, client, lookup_channel_name=True)
        reply = await self._bot.mention(
            inv, tr.mention_text(p.MessageEvent.read(event).text or "", context.bot_user_id)
        )
        await show(reply, caller, client, thread_ts=caller.thread_ts)

    @tracked
    async def message(
        self, event: JSON, body: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """A reply in a thread: a partner's question under an announcement, or an admin's answer."""
        read = p.MessageEvent.read(event)
        text = read.text or ""
        if (
            read.subtype not in (None, "thread_broadcast", "file_share")
            or read.bot_id
            or tr.mentions(text, context.bot_user_id)  # the app_mention listener answers those
            or self._repeated(body)
        ):
            return
        caller = tr.caller_from_event(event, _team(context))
        if caller.thread_ts is None or not caller.user:
            return
        inv = await self._invocation(caller, client, lookup_channel_name=True)
        reply = await self._bot.thread_message(inv, thread=caller.thread_ts, text=tr.unescape(text).strip())
        if reply is not None:
            await show(reply, caller, client, thread_ts=caller.thread_ts)

    @tracked
    async def reaction(self, event: JSON, body: JSON) -> None:
        read = p.ReactionEvent.read(event)
        if read.item.type != "message" or self._repeated(body):
            return
        await self._bot.reaction(
            platform=Platform.SLACK,
            channel=read.item.channel,
            message=read.item.ts,
            user=read.user,
            emoji=read.reaction,
            added=read.type == "reaction_added",
        )

    @tracked
    async def channel_gone(self, event: JSON, context: AsyncBoltContext) -> None:
        """channel/group archived, deleted, or left by the bot: deliveries there can never succeed."""
        read = p.ChannelGoneEvent.read(event)
        channel_id = read.channel.id if isinstance(read.channel, p.Named) else read.channel
        if channel_id:
            ref = ChannelRef(Platform.SLACK, p.clean(_team(context)), channel_id)
            await self._bot.channel_removed(ref, reason=read.type or "channel removed")

    @tracked
    async def app_uninstalled(self, body: JSON, context: AsyncBoltContext) -> None:
        team = p.Envelope.read(body).team_id or p.clean(context.team_id or "")
        if self._revocation is not None:
            await self._revocation.handle_app_uninstalled_events(context)
        await self._workspace_removed(team, "app uninstalled")

    @tracked
    async def tokens_revoked(self, event: JSON, body: JSON, context: AsyncBoltContext) -> None:
        revoked = p.TokensRevokedEvent.read(event).tokens  # before bolt's own listener reads it
        team = p.Envelope.read(body).team_id or p.clean(context.team_id or "")
        if self._revocation is not None:
            await self._revocation.handle_tokens_revoked_events(event, context)
        if revoked.bot:  # user tokens do not matter to partnerbot
            await self._workspace_removed(team, "bot token revoked")

    async def _workspace_removed(self, team: str, reason: str) -> None:
        self._forget_team(team)
        count = await self._bot.workspace_removed(Platform.SLACK, team, reason=reason)
        log.info("Slack workspace %s: %s; channels deactivated: %d", team, reason, count)

    # --- buttons ---------------------------------------------------------------------------------

    @tracked
    async def core_button(
        self,
        ack: AsyncAck,
        body: JSON,
        action: JSON,
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Buttons the core put on a reply: topic Subscribe/Unsubscribe, preview Send/Cancel, Recall
        (Slack has asked the admin to confirm it: see `translate._recall_confirm`)."""
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        inv = await self._invocation(caller, client)
        pressed = p.Action.read(action)
        action_id = pressed.action_id
        reply = await self._bot.button(inv, action_id, pressed.value or "")
        original = body.get("message")
        if action_id in tr.TOPIC_ACTIONS and not reply.is_error:
            listing = await self._bot.run_partner(inv, ListTopics())
            await respond_with(respond, tr.toggled_topics(reply, listing), replace=True)
        elif not reply.is_error and not reply.ephemeral and isinstance(original, Mapping):
            # Send/Cancel/Recall done: the preview shows the outcome, for everyone, and the outcome's
            # buttons (Edit/Recall after Send) instead of its own.
            await respond_with(respond, tr.settled_preview(original, reply), replace=True)
        else:
            await show(reply, caller, client, respond=respond)

    @tracked
    async def edit_button(
        self,
        ack: AsyncAck,
        body: JSON,
        action: JSON,
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Edit under a preview or a sent announcement: a modal with its current title and body, or
        the core's reason not to (not an admin here, recalled…), only to the one who pressed."""
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        inv = await self._invocation(caller, client)
        value = p.Action.read(action).value or ""
        if not (value.isascii() and value.isdigit() and len(value) < 19):
            await show(Reply(m.BUTTON_EXPIRED, is_error=True), caller, client, respond=respond)
            return
        found = await self._bot.editable(inv, int(value))
        if isinstance(found, Reply):
            await show(found, caller, client, respond=respond)
            return
        origin = views.Origin(caller.team, caller.channel, _message_ts(body), announcement_id=found.id)
        translations = await self._translation_blocks(found.variants)
        await open_view(client, body, views.edit_modal(found, origin=origin, translations=translations))

    @tracked
    async def reject_button(
        self, ack: AsyncAck, body: JSON, action: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Request changes under an approval request: a modal for the comment, or the core's reason
        not to (not an admin here), only to the one who pressed."""
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        value = p.Action.read(action).value or ""
        if not (value.isascii() and value.isdigit() and len(value) < 19):
            await show(Reply(m.BUTTON_EXPIRED, is_error=True), caller, client)
            return
        inv = await self._invocation(caller, client)
        if refusal := await self._bot.admin_refusal(inv, f"reject {value}"):
            await show(refusal, caller, client)
            return
        origin = views.Origin(caller.team, caller.channel, _message_ts(body), announcement_id=int(value))
        await open_view(client, body, views.reject_modal(origin=origin))

    @tracked
    async def ask_button(
        self, ack: AsyncAck, body: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        origin = views.Origin(caller.team, caller.channel, _message_ts(body))
        language = await self._bot.reader_language(tr.invocation(caller))
        with reading(language.tag):  # the modal in the channel's language
            modal = views.ask_modal(origin=origin)
        await open_view(client, body, modal)

    @tracked
    async def helpful_button(
        self, ack: AsyncAck, body: JSON, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        reply = await self._bot.helpful(
            platform=Platform.SLACK, channel=caller.channel, message=_message_ts(body), user=caller.user
        )
        await respond_with(respond, {"text": tr.mrkdwn(reply.text)})

    @tracked
    async def cta_button(self, ack: AsyncAck, body: JSON, action: JSON, context: AsyncBoltContext) -> None:
        """A call-to-action URL button: Slack has opened the URL already; ack and count the click.
        Nothing is said back — the partner is on their way to the page."""
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        found = tr.CTA_ACTION.match(p.Action.read(action).action_id)
        if found is None:  # not expected: only `cta:<id>:<n>` is routed here
            return
        announcement_id, number = int(found.group(1)), int(found.group(2))
        await self._bot.cta_pressed(
            platform=Platform.SLACK,
            channel=caller.channel,
            message=_message_ts(body),
            user=caller.user,
            announcement_id=announcement_id,
            number=number,
        )

    @tracked
    async def show_link_button(
        self, ack: AsyncAck, body: JSON, action: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """A call to action under "Show" (a private message, no delivered copy of its own): Slack has
        opened the URL; ack, and the core counts the click on the channel's copy, if it got one."""
        await ack()
        found = tr.SHOW_LINK_PRESS.match(p.Action.read(action).action_id)
        if found is None:  # not expected: only `news_show_link:<id>:<n>` is routed here
            return
        caller = tr.caller_from_interaction(body, _team(context))
        inv = await self._invocation(caller, client)
        await self._bot.show_link_pressed(inv, int(found.group(1)), int(found.group(2)))

    @tracked
    async def ack_button(
        self,
        ack: AsyncAck,
        body: JSON,
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Acknowledge under an urgent announcement: recorded once per delivery, answered privately."""
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        inv = await self._invocation(caller, client)
        reply = await self._bot.acknowledge(
            inv, platform=Platform.SLACK, channel=caller.channel, message=_message_ts(body)
        )
        await respond_with(respond, {"text": tr.mrkdwn(reply.text)})

    @tracked
    async def mute_button(
        self,
        ack: AsyncAck,
        body: JSON,
        action: JSON,
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        pressed = p.Action.read(action)
        topic = pressed.value or (pressed.selected_option or p.Option()).value
        reply = await self._bot.mute(
            await self._invocation(caller, client),
            platform=Platform.SLACK,
            channel=caller.channel,
            message=_message_ts(body),
            topic=topic,
        )
        await show(reply, caller, client, respond=respond)

    # --- the broadcast shortcut and the modals ---------------------------------------------------

    @tracked
    async def broadcast_shortcut(
        self,
        ack: AsyncAck,
        body: JSON,
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        caller = tr.caller_from_interaction(body, _team(context))
        inv = await self._invocation(caller, client)
        if refusal := await self._bot.admin_refusal(inv, "broadcast"):
            await show(refusal, caller, client, respond=respond)  # phrased and audited by the core
            return
        topics = await self._bot.topics()
        if not topics:
            await show(Reply(m.SLACK_NO_TOPICS_TO_BROADCAST, is_error=True), caller, client, respond=respond)
            return
        message = p.Interaction.read(body).message or p.PostedMessage()
        usable = [f for f in message.files if f.id and f.mode not in UNUSABLE_FILES]
        origin = views.Origin(
            caller.team, caller.channel, _message_ts(body), files=tuple(f.id for f in usable)
        )
        view = views.broadcast_modal(
            topics=topics,
            message_text=message.text or "",
            origin=origin,
            choices=views.audience_choices(await self._bot.audience_options()),
            files=[(f.name or f.id, f.size or 0) for f in usable],
            unavailable=[f.name or f.id or "?" for f in message.files if f not in usable],
            saved=[audience.name for audience in await self._bot.saved_audiences()],
            translations=await self._translation_blocks(),
        )
        await open_view(client, body, view)

    async def _translation_blocks(self, variants: Sequence[Variant] = ()) -> list[JSON]:
        """A modal's Translations section: the roster's languages offered first (bot/vocabulary.py)."""
        offered = (await self._bot.audience_options()).get("language", ())
        default = self._bot.settings.default_language
        return vf.translation_blocks(default_language=default, offered=offered, variants=variants)

    @tracked
    async def add_language(
        self, ack: AsyncAck, body: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """ "Add language" in a modal's Translations section: the view updated with the language's
        inputs, or with a note saying why not (a block_actions press can't show field errors)."""
        await ack()
        view = cast(JSON, body.get("view") or {})
        opened = p.View.read(view)
        asked = vf.language_asked(opened.state.values, opened.blocks)
        caller = replace(_modal_caller(body, view, _team(context)), thread_ts=None)
        inv = await self._invocation(caller, client)
        found = await self._bot.translation_language(inv, asked) if asked else ""
        refused = found.text.replace("*", "") if isinstance(found, Reply) else ""  # plain text: a note
        updated = vf.added(view, "" if isinstance(found, Reply) else found, refused)
        await update_view(client, opened, updated)

    @tracked
    async def broadcast_submitted(
        self, ack: AsyncAck, body: JSON, view: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MODAL_VERDICT_SECONDS
        read = p.View.read(view)
        values = read.state.values
        command = views.read_broadcast(values, vf.languages_of(read.blocks))
        if isinstance(command, dict):
            await ack(response_action="errors", errors=command)
            return
        send_at = views.read_send_at(values)
        caller = _modal_caller(body, view, _team(context))
        # The message's files, then those added in the modal (the same file once).
        files = tuple(dict.fromkeys([*_modal_origin(view, _team(context)).files, *views.read_files(values)]))
        work = asyncio.ensure_future(self._broadcast(command, send_at, caller, client, files))
        if send_at is not None:
            # A refused time (past, more than a year ahead) belongs next to the picker, which only
            # the ack can do: give the core what is left of Slack's 3 s before closing the modal.
            await asyncio.wait({work}, timeout=max(0.0, deadline - loop.time()))
        if work.done() and isinstance(errors := work.result(), dict):
            await ack(response_action="errors", errors=errors)
            return
        await ack()  # closes the modal; the preview appears in the admin channel
        outcome = await work
        if isinstance(outcome, dict):  # too late to show in the modal: the same words, as a message
            outcome = Reply("\n".join(outcome.values()), is_error=True)
        await show(outcome, caller, client)

    async def _broadcast(
        self,
        command: Broadcast,
        send_at: views.SendAt | None,
        caller: Caller,
        client: AsyncWebClient,
        files: tuple[str, ...] = (),
    ) -> Reply | dict[str, str]:
        """The core's answer to the submitted modal, or errors for its "Send at" field. The files of
        the message the shortcut ran on are downloaded here and go to the core with the command."""
        try:
            if files:
                try:
                    command = replace(command, files=tuple(await download_files(client, files)))
                except DownloadFailed as failed:
                    return Reply(failed_words(failed), is_error=True)
            if send_at is not None:
                zone = await self._directory.timezone(client, caller.user)
                scheduled = views.scheduled(command, send_at, zone)
                if isinstance(scheduled, dict):
                    return scheduled
                command = scheduled
            reply = await self._bot.run_admin(await self._invocation(caller, client), command)
        except Exception:  # the core guards its own call; this is the adapter's part failing
            log.exception("handling a broadcast submission failed")
            return Reply(m.INTERNAL_ERROR, is_error=True)
        # A refused time (bot/services/scheduling.py) goes next to the picker, in the core's words.
        if command.send_at is not None and reply.refusal is not None and reply.refusal.field == "at":
            return {views.SEND_AT_BLOCK: reply.text}
        return reply

    @tracked
    async def edit_submitted(
        self, ack: AsyncAck, body: JSON, view: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        read = p.View.read(view)
        origin = views.Origin.decode(read.private_metadata) or views.Origin(_team(context), "")
        languages, stored = vf.languages_of(read.blocks), vf.stored_languages(read.blocks)
        command = views.read_edit(read.state.values, origin.announcement_id, languages, stored)
        if isinstance(command, dict):
            await ack(response_action="errors", errors=command)
            return
        await ack()  # closes the modal; the outcome appears in the admin channel
        caller = replace(_modal_caller(body, view, _team(context)), thread_ts=None)
        reply = await self._bot.run_admin(await self._invocation(caller, client), command)
        # A draft's new preview replaces the one its Edit button was on; anything else is news.
        is_preview = reply.draft is not None and not reply.is_error  # one that can be sent
        if (
            is_preview
            and origin.message_ts
            and await replace_public(reply, caller, client, origin.message_ts)
        ):
            return
        await show(reply, caller, client)

    @tracked
    async def reject_submitted(
        self, ack: AsyncAck, body: JSON, view: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """The Request changes modal: the decision replaces the request it was pressed on (for all to
        see); a refusal (the author's own request, decided already) goes only to the admin."""
        comment = views.read_comment(p.View.read(view).state.values)
        if isinstance(comment, dict):
            await ack(response_action="errors", errors=comment)
            return
        await ack()
        origin = views.Origin.decode(p.View.read(view).private_metadata) or views.Origin(_team(context), "")
        caller = replace(_modal_caller(body, view, _team(context)), thread_ts=None)
        command = Reject(origin.announcement_id, comment)
        reply = await self._bot.run_admin(await self._invocation(caller, client), command)
        settled = not reply.is_error and bool(origin.message_ts)
        if settled and await replace_public(reply, caller, client, origin.message_ts):
            return
        await show(reply, caller, client)

    @tracked
    async def question_submitted(
        self, ack: AsyncAck, body: JSON, view: JSON, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        question = views.read_question(p.View.read(view).state.values)
        if isinstance(question, dict):
            await ack(response_action="errors", errors=question)
            return
        await ack()
        caller = _modal_caller(body, view, _team(context))
        thread = caller.thread_ts or ""
        inv = await self._invocation(caller, client)
        reply = await self._bot.thread_message(inv, thread=thread, text=question)
        await show(reply or Reply(m.NOT_AN_ANNOUNCEMENT, is_error=True), caller, client, thread_ts=thread)

    # --- helpers ---------------------------------------------------------------------------------

    async def _invocation(
        self, caller: Caller, client: AsyncWebClient, *, lookup_channel_name: bool = False
    ) -> Invocation:
        self._directory.saw(caller.team, caller.channel)
        channel = ChannelRef(Platform.SLACK, caller.team, caller.channel)
        admin = await self._directory.is_group_admin(client, channel, caller.user)
        name = await self._directory.display_name(client, caller.user, known=caller.user_name)
        if lookup_channel_name and not caller.channel_name:
            caller = replace(caller, channel_name=await self._directory.channel_name(client, caller.channel))
        return tr.invocation(caller, display_name=name, platform_admin=admin)

    def _repeated(self, body: JSON) -> bool:
        """Slack re-sends an event it thinks was not acknowledged; handle each event id once."""
        event_id = p.Envelope.read(body).event_id
        if not event_id:
            return False
        if event_id in self._seen_events:
            return True
        self._seen_events[event_id] = None
        if len(self._seen_events) > 2_000:
            self._seen_events.popitem(last=False)
        return False


def _team(context: AsyncBoltContext) -> str:
    """The installation's workspace: the one whose token reaches the channel (for Slack Connect
    channels it differs from an external user's own team)."""
    result = context.authorize_result
    return str((result.team_id if result is not None else None) or context.team_id or "")


def _message_ts(body: Mapping[str, Any]) -> str:
    return p.Interaction.read(body).message_timestamp


def _modal_origin(view: Mapping[str, Any], team: str) -> views.Origin:
    return views.Origin.decode(p.View.read(view).private_metadata) or views.Origin(team, "")


def _modal_caller(body: Mapping[str, Any], view: Mapping[str, Any], team: str) -> Caller:
    origin = _modal_origin(view, team)
    user = p.Interaction.read(body).user
    return Caller(
        team=origin.team or team,
        channel=origin.channel,
        user=user.id,
        user_name=user.name or user.username or "",
        thread_ts=origin.message_ts or None,
    )
