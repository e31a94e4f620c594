"""Pure translation between Slack payloads and the core: who/where/what in, Block Kit out.

Nothing here performs I/O. Inbound: slash-command forms, Events API events and interaction payloads
become a `Caller` (and, with what only the network can tell — display name, user-group membership — an
`Invocation`). Outbound: core `Reply` and `Outgoing` values become `chat.postMessage`/`respond()` keyword
arguments. Limits follow https://docs.slack.dev/reference/block-kit/blocks (50 blocks, 3,000 characters
per section text, 150 per header); long text is split across sections, never cut.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from slackify_markdown import slackify_markdown  # type: ignore[import-untyped]  # ships no py.typed

from adapters.slack.payloads import Container, Interaction, MessageEvent, Named, SlashCommand, clean
from adapters.slack.shown import shown_blocks
from adapters.slack.thumbnails import preview_image_blocks
from bot import messages as m
from bot.attachments import human_size
from bot.domain import (
    AnnouncementPost,
    Button,
    ButtonStyle,
    ChannelRef,
    DigestPost,
    Invocation,
    MessageRef,
    Outgoing,
    Platform,
    RelayPost,
    Reply,
    Row,
    UserRef,
)
from bot.domain.sending import CtaButton
from bot.i18n import reader
from bot.presenter import FAQ_ASK_ACTION, FAQ_MARK_ACTION, FAQ_USED_ACTION, SHOW_ACTION, TEST_ACTION
from bot.presenter.approvals import APPROVE_ACTION
from bot.presenter.search import SHOW_LINK_ACTION
from bot.presenter.series import SERIES_END_ACTION, SERIES_START_ACTION
from bot.safety import neutralize_mentions
from bot.services.admin import CANCEL_ACTION, RECALL_ACTION, SEND_ACTION
from bot.services.partners import SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION

JSON = dict[str, Any]
Block = dict[str, Any]
Message = dict[str, Any]  # keyword arguments for chat.postMessage / chat.update / respond()

PARTNER_COMMAND: Final = "/partner"
ADMIN_COMMAND: Final = "/partner-admin"
BROADCAST_SHORTCUT: Final = "broadcast_from_message"
ASK_ACTION: Final = "partnerbot_ask"
HELPFUL_ACTION: Final = "partnerbot_helpful"
MUTE_ACTION: Final = "partnerbot_mute"
ACK_ACTION: Final = "partnerbot_ack"
TOPIC_ACTIONS: Final = (SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION)
CORE_ACTIONS: Final = (
    *TOPIC_ACTIONS,
    SEND_ACTION,
    CANCEL_ACTION,
    RECALL_ACTION,
    TEST_ACTION,
    SERIES_START_ACTION,
    SERIES_END_ACTION,
    APPROVE_ACTION,
    SHOW_ACTION,
    FAQ_USED_ACTION,  # the offer of answers that already exist (issue 18)
    FAQ_ASK_ACTION,
    FAQ_MARK_ACTION,
)
# Message metadata: https://docs.slack.dev/messaging/message-metadata
DELIVERY_EVENT: Final = "partnerbot_delivery"
RELAY_EVENT: Final = "partnerbot_relay"
DIGEST_EVENT: Final = "partnerbot_digest"
# chat.postMessage truncates `text` beyond 40,000 characters; a digest must never be cut silently.
MAX_TEXT: Final = 40_000
FEEDBACK_BLOCK: Final = "partnerbot_feedback"
# An announcement shared with its files (files.completeUploadExternal takes no metadata): its first
# block's block_id is this and the delivery's key (adapters/slack/uploads.py).
FILE_KEY_PREFIX: Final = "partnerbot_key:"
# The calls to action under an announcement: URL buttons, `cta:<announcement>:<number>`.
CTA_BLOCK: Final = "partnerbot_cta"
CTA_ACTION: Final = re.compile(r"^cta:([0-9]{1,18}):([1-9])$")
# A call to action under "Show" (adapters/slack/shown.py): `news_show_link:<announcement>:<number>`.
SHOW_LINK_PRESS: Final = re.compile(rf"^{SHOW_LINK_ACTION}:([0-9]{{1,18}}):([1-9])$")
MAX_BUTTON_URL: Final = 3_000

MAX_BLOCKS: Final = 50
MAX_SECTION: Final = 3_000
MAX_HEADER: Final = 150
MAX_BUTTON_LABEL: Final = 75
MAX_ACTION_ELEMENTS: Final = 25
MAX_OPTIONS: Final = 100
FENCE: Final = "```"
NOTE_ROOM: Final = 120  # kept free for the sentence that counts overflow rows left out


class MessageTooLong(ValueError):
    """The content cannot fit one Slack message even when split (more than 50 blocks)."""


# --- inbound -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    """Who did something where, as read from one payload. `team` is the installation's workspace
    (the one whose bot token reaches the channel), not necessarily the user's own organisation."""

    team: str
    channel: str
    user: str
    user_name: str = ""
    channel_name: str = ""
    thread_ts: str | None = None


def unescape(text: str) -> str:
    """Slack escapes `&`, `<` and `>` in text it sends: https://docs.slack.dev/messaging/formatting-message-text#escaping"""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_text(body: Mapping[str, Any]) -> str:
    return unescape(SlashCommand.read(body).text).strip()


def mention_text(text: str, bot_user_id: str | None) -> str:
    """The words after `@partnerbot`: the bot's own mention tokens removed, entities unescaped."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return unescape(text).strip()


def mentions(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}" in text


def caller_from_command(body: Mapping[str, Any], team: str) -> Caller:
    command = SlashCommand.read(body)
    return Caller(
        team=team,
        channel=command.channel_id,
        user=command.user_id,
        user_name=command.user_name,
        channel_name=command.channel_name,
    )


def caller_from_event(event: Mapping[str, Any], team: str) -> Caller:
    """`app_mention` / `message` events; a message in a thread carries the thread's parent `ts`."""
    read = MessageEvent.read(event)
    thread = read.thread_ts
    return Caller(
        team=team,
        channel=read.channel,
        user=read.user or "",
        thread_ts=thread if thread and thread != read.ts else None,
    )


def caller_from_interaction(body: Mapping[str, Any], team: str) -> Caller:
    """block_actions and message shortcuts: https://docs.slack.dev/reference/interaction-payloads/"""
    read = Interaction.read(body)
    channel = read.channel or Named()
    container = read.container or Container()
    return Caller(
        team=team,
        channel=channel.id or container.channel_id or "",
        user=read.user.id,
        user_name=read.user.name or read.user.username or "",
        channel_name=channel.name or "",
    )


def invocation(caller: Caller, *, display_name: str = "", platform_admin: bool = False) -> Invocation:
    """The core's view of `caller`; every id and name normalised (`payloads.clean`) on the way."""
    team, channel_id, user = clean(caller.team), clean(caller.channel), clean(caller.user)
    channel = ChannelRef(Platform.SLACK, team, channel_id)
    return Invocation(
        channel=channel,
        user=UserRef(Platform.SLACK, team, user, clean(display_name or caller.user_name)),
        channel_name=clean(caller.channel_name),
        thread=MessageRef(channel, clean(caller.thread_ts)) if caller.thread_ts else None,
        platform_admin=platform_admin,
    )


def delivery_key(message: Mapping[str, Any], event_type: str) -> str | None:
    """The idempotency key partnerbot put in a message's metadata, if it is one of ours (an
    announcement shared with its files carries it in its first block's `block_id` instead)."""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != event_type:
        if event_type == DELIVERY_EVENT and message.get("files"):
            first = (message.get("blocks") or [{}])[0]
            block_id = str(first.get("block_id") or "")
            return block_id.removeprefix(FILE_KEY_PREFIX) if block_id.startswith(FILE_KEY_PREFIX) else None
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key is not None else None


# --- text ----------------------------------------------------------------------------------------


_CODE: Final = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
_BOLD: Final = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_LINK: Final = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_ITEM: Final = re.compile(r"(?<=\n)- ")


def mrkdwn(text: str) -> str:
    """The core's neutral markup (bot/messages.py: `**bold**`, `_italic_`, `` `code` ``, `> quote`,
    `- ` items, `[label](url)`) as Slack mrkdwn, made safe to post: no mention can ping and `&`, `<`,
    `>` are escaped — except a `>` that starts a line, which is the quote marker in both.

    Line by line on purpose: core replies are line-oriented, and a Markdown parser (the one
    announcement bodies go through, `markdown_to_mrkdwn`) would reflow them — dropping indentation,
    adding blank lines around quotes and lists, turning pasted `<…>` into links.
    https://docs.slack.dev/messaging/formatting-message-text
    """
    text = str(text)  # a partner-facing bot.messages text, in the reader's language
    safe = neutralize_mentions(text).replace("&", "&amp;").replace("<", "&lt;")
    escaped = "\n".join(
        line[:1] + line[1:].replace(">", "&gt;") if line.startswith(">") else line.replace(">", "&gt;")
        for line in safe.split("\n")
    )
    pieces = _CODE.split(escaped)
    for index in range(0, len(pieces), 2):  # code spans and blocks are shown as written
        piece = _BOLD.sub(r"*\1*", pieces[index])
        piece = _LINK.sub(lambda link: f"<{link.group(2)}|{link.group(1)}>", piece)
        piece = _ITEM.sub("• ", piece)
        pieces[index] = "• " + piece[2:] if index == 0 and piece.startswith("- ") else piece
    return "".join(pieces)


@functools.lru_cache(maxsize=64)
def markdown_to_mrkdwn(markdown: str) -> str:
    """An announcement body (neutral Markdown) in Slack mrkdwn, converted by a Markdown parser.

    Cached: a fan-out renders one body thousands of times, and slackify_markdown builds a new
    markdown-it parser per call (most of a delivery's CPU before this cache)."""
    return str(slackify_markdown(neutralize_mentions(markdown))).strip("\n")


def split_mrkdwn(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters at paragraph, line or word boundaries
    (never inside `<…>` or `&…;`), closing and reopening a code fence the cut goes through."""
    chunks: list[str] = []
    rest = text.strip("\n")
    fence_open = False
    while rest:
        prefix = FENCE + "\n" if fence_open else ""
        if len(prefix) + len(rest) <= limit:
            chunks.append(prefix + rest)
            break
        room = limit - len(prefix) - len(FENCE) - 1  # keep room to close a fence
        end, start = _cut(rest, room)
        head, rest = prefix + rest[:end].rstrip("\n"), rest[start:].lstrip("\n")
        fence_open = head.count(FENCE) % 2 == 1
        chunks.append(head + ("\n" + FENCE if fence_open else ""))
    return [chunk for chunk in chunks if chunk.strip()]


def _cut(text: str, room: int) -> tuple[int, int]:
    """Where to end this piece and where the next starts."""
    window = text[: room + 1]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at >= room // 3 and _back_off(text, at) == at:
            return at, at + len(separator)
    at = _back_off(text, room)
    return at, at


def _back_off(text: str, at: int) -> int:
    """Move a cut left so it does not split a `<link|label>` or an `&amp;` entity."""
    head = text[:at]
    opened = head.rfind("<")
    if opened > head.rfind(">") and opened > 0:
        return opened
    amp = head.rfind("&", max(0, at - 6))
    if amp > head.rfind(";") and amp > 0:
        return amp
    return at


# --- replies -------------------------------------------------------------------------------------


def _plain(text: str, limit: int) -> JSON:
    # str(): a partner-facing bot.messages text in the reader's language (bot/i18n.py `reading`).
    return {"type": "plain_text", "text": str(text)[:limit] or " ", "emoji": True}


def _section(text: str, **extra: Any) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def _button(button: Button) -> JSON:
    element: JSON = {
        "type": "button",
        "action_id": button.action,
        "value": button.value,
        "text": _plain(button.label, MAX_BUTTON_LABEL),
    }
    if button.style is not ButtonStyle.DEFAULT:
        element["style"] = button.style.value
    if button.action == RECALL_ACTION:  # deletes what partners got: Slack asks "are you sure?" first
        element["confirm"] = _recall_confirm(button.value)
    return element


def _recall_confirm(announcement_id: str) -> JSON:
    """https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object"""
    return {
        "title": _plain(m.SLACK_RECALL_CONFIRM_TITLE.format(id=announcement_id), 100),
        "text": _plain(m.SLACK_RECALL_CONFIRM_TEXT, 300),
        "confirm": _plain(m.SLACK_RECALL_CONFIRM_YES, 30),
        "deny": _plain(m.SLACK_RECALL_CONFIRM_NO, 30),
        "style": "danger",
    }


def _actions(buttons: Sequence[Button]) -> list[Block]:
    return [
        {"type": "actions", "elements": [_button(b) for b in buttons[i : i + MAX_ACTION_ELEMENTS]]}
        for i in range(0, len(buttons), MAX_ACTION_ELEMENTS)
    ]


def _row_blocks(row: Row) -> list[Block]:
    pieces = split_mrkdwn(mrkdwn(row.text)) or [" "]
    first = _section(pieces[0], **({"accessory": _button(row.button)} if row.button else {}))
    return [first, *(_section(piece) for piece in pieces[1:])]


def reply_message(reply: Reply, *, permalink: str = "") -> Message:
    """A core reply as Block Kit: its text in sections, one section per row (with the row's button
    as accessory), then its buttons. Rows that do not fit the 50-block limit follow whole, several to
    a section and without their buttons; any that still do not fit are counted, never dropped silently.
    A shown announcement's link buttons, images and files follow its text (adapters/slack/shown.py;
    `permalink`: the channel's copy, where its files are)."""
    text = mrkdwn(reply.text)
    head = [_section(piece) for piece in split_mrkdwn(text)]
    head += preview_image_blocks(reply.draft) if reply.draft else []
    head += shown_blocks(reply, permalink, mrkdwn)
    tail = _actions(reply.buttons)
    blocks = list(head)
    room = MAX_BLOCKS - len(head) - len(tail)
    for index, row in enumerate(reply.rows):
        row_blocks = _row_blocks(row)
        overflow = reply.rows[index:]
        if len(row_blocks) > room - (1 if len(overflow) > 1 else 0):
            blocks += [_section(piece) for piece in _overflow_sections(overflow, room)]
            break
        blocks += row_blocks
        room -= len(row_blocks)
    blocks += tail
    if len(blocks) > MAX_BLOCKS:
        raise MessageTooLong(f"reply needs {len(blocks)} blocks; Slack allows {MAX_BLOCKS}")
    return {"text": text, "blocks": blocks}


def _overflow_sections(rows: Sequence[Row], room: int) -> list[str]:
    """The whole text of `rows`, packed into at most `room` sections under a heading that counts them;
    the last section says how many rows are left out when even that is not enough."""
    sections = [mrkdwn(m.SLACK_MORE_ROWS(len(rows)))]
    for shown, row in enumerate(rows):
        packed = list(sections)
        for piece in split_mrkdwn(mrkdwn(row.text)) or [" "]:
            if len(packed[-1]) + 1 + len(piece) <= MAX_SECTION:
                packed[-1] += "\n" + piece
            else:
                packed.append(piece)
        left = len(rows) - shown - 1
        note_fits = len(packed) < room or len(packed[-1]) + NOTE_ROOM <= MAX_SECTION
        if len(packed) > room or (left and not note_fits):
            note = mrkdwn(m.SLACK_ROWS_LEFT_OUT(len(rows) - shown))
            if len(sections[-1]) + 1 + len(note) <= MAX_SECTION:
                sections[-1] += "\n" + note
            else:
                sections.append(note)
            return sections[:room]
        sections = packed
    return sections


def toggled_topics(result: Reply, listing: Reply) -> Message:
    """After a Subscribe/Unsubscribe button: what changed, then the refreshed topic list."""
    return reply_message(Reply(text=f"{result.text}\n\n{listing.text}", rows=listing.rows))


def settled_preview(original: Mapping[str, Any], result: Reply) -> Message:
    """The admin preview after Send/Cancel/Recall: the same content, its old buttons replaced by the
    outcome and the outcome's own buttons (after Send: Edit and Recall)."""
    blocks = original.get("blocks")
    kept = [
        b
        for b in (blocks if isinstance(blocks, list) else [])
        if isinstance(b, Mapping) and b.get("type") != "actions"
    ]
    outcome = [_section(piece) for piece in split_mrkdwn(mrkdwn(result.text))]
    actions = _actions(result.buttons)
    room = MAX_BLOCKS - len(actions)
    divider = [{"type": "divider"}] if len(kept) + len(outcome) < room else []
    settled = [*[*kept, *divider, *outcome][:room], *actions]
    return {"text": f"{original.get('text', '')}\n\n{mrkdwn(result.text)}", "blocks": settled}


# --- what the Sender posts -----------------------------------------------------------------------


def announcement_message(post: AnnouncementPost, *, key: str) -> Message:
    """A delivered announcement: title, body (Markdown → mrkdwn), topics/urgency, feedback buttons,
    and metadata carrying the delivery's idempotency key (found again by `find_posted`)."""
    # Keyed by the reader's language too: the topics line and the marks are partnerbot's words.
    shared, fallback = _announcement_content(
        post.title, post.body, post.topics, post.urgent, post.ack_required, reader()
    )
    feedback = {"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": _feedback_elements(post)}
    blocks: list[Block] = [*shared, *cta_blocks(post), feedback]
    if post.test_note:  # a test copy (`test <id>`): the mark above the announcement
        blocks.insert(
            0, {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(post.test_note)}]}
        )
        fallback = f"{mrkdwn(post.test_note)} {fallback}"
    if len(blocks) > MAX_BLOCKS:
        raise MessageTooLong(f"announcement needs {len(blocks)} blocks; Slack allows {MAX_BLOCKS}")
    payload = {"key": key, "announcement_id": post.announcement_id, "delivery_id": post.delivery_id}
    return {
        "text": fallback,
        "blocks": blocks,
        "metadata": {"event_type": DELIVERY_EVENT, "event_payload": payload},
    }


@functools.lru_cache(maxsize=64)
def _announcement_content(
    title: str, body: str, topics: tuple[str, ...], urgent: bool, ack_required: bool, language: str
) -> tuple[tuple[Block, ...], str]:
    """The blocks every copy of an announcement shares, and its fallback text. Cached: a fan-out
    renders them once, not once per channel (the blocks are shared, so never mutate them)."""
    title = neutralize_mentions(title)
    blocks: list[Block] = [
        {"type": "header", "text": _plain(title, MAX_HEADER)}
        if len(title) <= MAX_HEADER
        else _section(f"*{mrkdwn(title)}*"),
    ]
    blocks += [_section(piece) for piece in split_mrkdwn(markdown_to_mrkdwn(body))]
    listed = ", ".join(f"`{topic}`" for topic in topics)
    context = [{"type": "mrkdwn", "text": mrkdwn(m.SLACK_TOPICS_LABEL.format(topics=listed))}]
    if urgent:
        context.insert(0, {"type": "mrkdwn", "text": mrkdwn(m.SLACK_URGENT_LABEL)})
    if ack_required:
        context.insert(1, {"type": "mrkdwn", "text": f"*{m.ACK_MARK}*"})
    blocks.append({"type": "context", "elements": context})
    fallback = m.SLACK_FALLBACK.format(
        urgent=m.SLACK_FALLBACK_URGENT if urgent else "", title=mrkdwn(title), topics=", ".join(topics)
    )
    return tuple(blocks), fallback


def cta_blocks(post: AnnouncementPost) -> list[Block]:
    """The calls to action as URL buttons. Slack opens the URL and still sends a `block_actions`
    payload, which the app acks and counts (adapters/slack/handlers.py `cta_button`); so these carry
    the URL itself, never partnerbot's redirect, or a click would count twice.
    https://docs.slack.dev/reference/block-kit/block-elements/button-element"""
    if not post.ctas:
        return []
    elements = [
        {
            "type": "button",
            "action_id": f"cta:{post.announcement_id}:{cta.number}",
            "text": _plain(cta.label, MAX_BUTTON_LABEL),
            "url": cta.url[:MAX_BUTTON_URL],
            "value": str(post.delivery_id),
            **({"style": "primary"} if cta.number == 1 else {}),
        }
        for cta in post.ctas
    ]
    return [{"type": "actions", "block_id": CTA_BLOCK, "elements": elements}]


def cta_links(ctas: Sequence[CtaButton]) -> str:
    """A digest's calls to action as mrkdwn links (through the counted redirect when there is one)."""
    return " · ".join(f"<{_escape(cta.href)}|{_escape(neutralize_mentions(cta.label))}>" for cta in ctas)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _feedback_elements(post: AnnouncementPost) -> list[JSON]:
    """The feedback buttons of one copy: the announcement's shared elements, with this delivery's id
    in the buttons that carry it (copies of those two; the rest are shared, so never mutate them)."""
    shared, per_delivery = _feedback_template(post.announcement_id, post.topics, post.ack_required, reader())
    value = str(post.delivery_id)
    return [{**element, "value": value} if per_delivery[i] else element for i, element in enumerate(shared)]


@functools.lru_cache(maxsize=64)
def _feedback_template(
    announcement_id: int, topics: tuple[str, ...], ack_required: bool, language: str
) -> tuple[tuple[JSON, ...], tuple[bool, ...]]:
    """The feedback elements every copy of an announcement shares in `language`, and which of them
    take the delivery's id as their value. Cached like `_announcement_content`: building and
    translating the buttons once per copy was a tenth of a Slack fan-out's rendering."""
    delivery = ""  # filled in per copy
    elements = [
        _button(Button(m.ASK_BUTTON, ASK_ACTION, str(announcement_id), ButtonStyle.PRIMARY)),
        _button(Button(m.HELPFUL_BUTTON, HELPFUL_ACTION, delivery)),
    ]
    per_delivery = [False, True]
    if ack_required:  # first, where the eye lands: this is what the vendor needs from them
        elements.insert(0, _button(Button(m.ACK_BUTTON, ACK_ACTION, delivery, ButtonStyle.PRIMARY)))
        per_delivery.insert(0, True)
    if len(topics) == 1:
        elements.append(_button(Button(m.MUTE_BUTTON, MUTE_ACTION, topics[0])))
        per_delivery.append(False)
    elif topics:
        # Several topics: "Mute this topic" becomes a choice of which one.
        options = [{"text": _plain(topic, MAX_BUTTON_LABEL), "value": topic} for topic in topics]
        elements.append(
            {
                "type": "static_select",
                "action_id": MUTE_ACTION,
                "placeholder": _plain(m.SLACK_MUTE_PLACEHOLDER, 150),
                "options": options[:MAX_OPTIONS],
            }
        )
        per_delivery.append(False)
    return tuple(elements), tuple(per_delivery)


def relay_message(post: RelayPost, *, key: str) -> Message:
    """A question relayed to admins or an answer relayed back: plain mrkdwn text, never a ping."""
    payload = {"key": key, "relay_id": post.relay_id, "kind": post.kind.value}
    return {"text": mrkdwn(post.text), "metadata": {"event_type": RELAY_EVENT, "event_payload": payload}}


def digest_message(post: DigestPost, *, key: str) -> Message:
    """A daily/weekly digest: every held announcement with its full text.

    Block Kit while it fits in 50 blocks; beyond that one mrkdwn text (up to 40,000 characters);
    beyond that it is refused (MessageTooLong) rather than truncated.
    """
    header = m.DIGEST_HEADER.format(label=post.period_label, announcements=m.ANNOUNCEMENTS(len(post.items)))
    blocks: list[Block] = [_section(mrkdwn(header))]
    lines = [mrkdwn(header)]
    for item in post.items:
        title = f"*{mrkdwn(neutralize_mentions(item.title))}*"
        topics = mrkdwn(m.SLACK_TOPICS_LABEL.format(topics=", ".join(f"`{topic}`" for topic in item.topics)))
        body = markdown_to_mrkdwn(item.body)
        blocks += [{"type": "divider"}, _section(title), {"type": "context", "elements": [
            {"type": "mrkdwn", "text": topics}]}]  # fmt: skip
        blocks += [_section(piece) for piece in split_mrkdwn(body)]
        lines += ["", f"{title} · {topics}", body]
        if item.ctas:
            links = "🔗 " + cta_links(item.ctas)
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": links}]})
            lines.append(links)
        if item.files:
            listed = mrkdwn(
                " · ".join(m.DIGEST_FILE.format(name=f.name, size=human_size(f.size)) for f in item.files)
            )
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": listed[:MAX_SECTION]}]})
            lines.append(listed)
    payload = {"key": key, "digest_id": post.digest_id}
    message: Message = {
        "text": mrkdwn(header),
        "metadata": {"event_type": DIGEST_EVENT, "event_payload": payload},
    }
    if len(blocks) <= MAX_BLOCKS:
        return {**message, "blocks": blocks}
    text = "\n".join(lines)
    if len(text) > MAX_TEXT:
        raise MessageTooLong(f"digest needs {len(text)} characters; Slack keeps {MAX_TEXT}")
    return {**message, "text": text}


def with_file_key(message: Message, key: str) -> Message:
    """The message for files.completeUploadExternal: its key in the first block's block_id."""
    blocks = list(message.get("blocks") or [text_block(str(message.get("text") or ""))])
    if key:
        blocks[0] = {**blocks[0], "block_id": FILE_KEY_PREFIX + key}  # a copy: blocks are shared
    return {**message, "blocks": blocks}


def text_block(text: str) -> Block:
    return _section(text[:MAX_SECTION] or " ")


def outgoing_message(out: Outgoing, *, key: str) -> Message:
    if isinstance(out.content, AnnouncementPost):
        message = announcement_message(out.content, key=key)
    elif isinstance(out.content, DigestPost):
        message = digest_message(out.content, key=key)
    else:
        message = relay_message(out.content, key=key)
    if out.thread is not None:
        message["thread_ts"] = out.thread.message
    return message


def event_type_of(out: Outgoing) -> str:
    if isinstance(out.content, AnnouncementPost):
        return DELIVERY_EVENT
    return DIGEST_EVENT if isinstance(out.content, DigestPost) else RELAY_EVENT
