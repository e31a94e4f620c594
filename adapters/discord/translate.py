"""Pure translation between the core's values and Discord's shapes, both ways.

Out: a `Reply` or an `Outgoing` becomes `Part`s (content, embeds, component specs), each within
Discord's limits — long texts are split at paragraph, line or word boundaries across embeds and
messages, never cut short. In: interaction fields become an `Invocation` and typed commands.
Nothing here does I/O; `discord.Embed` is used only as a data structure.

Limits: https://discord.com/developers/docs/resources/message#create-message-jsonform-params and
https://discord.com/developers/docs/resources/message#embed-object-embed-limits
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import discord

from bot import messages as m
from bot.attachments import human_size
from bot.commands import Broadcast
from bot.domain import (
    AnnouncementPost,
    Attachment,
    Audience,
    ButtonStyle,
    ChannelRef,
    Invocation,
    MessageRef,
    Outgoing,
    Platform,
    RelayKind,
    RelayPost,
    Reply,
    Schedule,
    UserRef,
)
from bot.domain.cta import MAX_CTA_LABEL, MAX_CTA_URL, CallToAction, CtaRefused, parse_ctas
from bot.domain.sending import CtaButton
from bot.i18n import reader
from bot.lexer import UnclosedQuote, as_option, as_slug, comma_list, read_all
from bot.presenter.refusals import cta_refused, refusal_reply
from bot.when import parse_at

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
# Discord allows 2,048 characters of footer; our own cap keeps a full description (4,096) + title
# (256) + footer within 6,000. An over-long topic list loses its start, never the "#id" marker.
FOOTER_BUDGET = 1024
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
COMPONENTS_PER_MESSAGE = 25  # 5 action rows of 5 buttons
LABEL_LIMIT = 80
NONCE_LIMIT = 25
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100  # characters in an autocomplete choice's name and value

URGENT_COLOUR = 0xED4245
NORMAL_COLOUR = 0x5865F2

# Fixed custom_ids of the persistent announcement buttons (registered at start-up).
ASK_ID = "partnerbot:ask"
HELPFUL_ID = "partnerbot:helpful"
MUTE_ID = "partnerbot:mute"
ACK_ID = "partnerbot:ack"  # only under announcements that ask for acknowledgement
# A core button (topic toggle, preview Send/Cancel) carries its action and value in its custom_id.
CORE_BUTTON = re.compile(r"pb:(?P<action>[a-z_]{1,40}):(?P<value>[^:]{0,50})")
# The button under Recall's private "are you sure?" (Discord has no confirmation dialog).
RECALL_CONFIRMED = "announcement_recall_confirmed"
PREVIEW_SELECT = re.compile(r"pbx:(?P<kind>topics|audience):(?P<id>[0-9]{1,19})")
# "Add translation"'s language select: the announcement, and the preview to redraw (translation_form.py).
TRANSLATION_SELECT = re.compile(r"pbt:(?P<id>[0-9]{1,19}):(?P<message>[0-9]{1,19})")
# A call to action as a normal button (no PARTNERBOT_PUBLIC_URL): `cta:<announcement>:<number>`.
CTA_BUTTON = re.compile(r"cta:(?P<id>[0-9]{1,19}):(?P<n>[1-9])")
LINK_URL_LIMIT = 512  # a link button's url
CTA_OPTION_LIMIT = MAX_CTA_LABEL + 1 + MAX_CTA_URL  # `Label|URL` in a slash command's string option
AUDIENCE_KEYS = ("tier", "type", "region", "language")


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    label: str
    custom_id: str
    style: ButtonStyle = ButtonStyle.DEFAULT
    # A link button (style 5): it opens `url` and sends partnerbot nothing; it has no custom_id.
    url: str | None = None


@dataclass(frozen=True, slots=True)
class SelectSpec:
    custom_id: str
    placeholder: str
    options: tuple[tuple[str, str, bool], ...]  # label, value, selected
    min_values: int = 0
    max_values: int = 1


Component = ButtonSpec | SelectSpec


@dataclass(frozen=True, slots=True)
class Part:
    """One Discord message: what `send` gets. Components go on the part that carries them."""

    content: str = ""
    embeds: tuple[discord.Embed, ...] = field(default=(), compare=False)
    components: tuple[Component, ...] = ()
    # Files uploaded with this message (multipart `files[n]`); the Sender reads their bytes.
    files: tuple[Attachment, ...] = ()
    # Files uploaded with an interaction's answer (the preview's thumbnail): name and bytes, read.
    uploads: tuple[tuple[str, bytes], ...] = field(default=(), compare=False, repr=False)


# --- text -------------------------------------------------------------------------------------


def split_text(text: str, limit: int) -> list[str]:
    """Cut `text` into chunks of at most `limit` characters at the cleanest boundary available:
    a blank line, a line break, a sentence end, a space — a hard cut only inside a giant word.
    A code block cut in two is closed and reopened so both halves still render as code."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit - 4)  # room to close a code fence
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head.count("```") % 2:
            head, rest = head + "\n```", "```\n" + rest
        chunks.append(head)
    if rest:
        chunks.append(rest)
    return chunks


def _cut_point(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for separator in ("\n\n", "\n", ". ", " "):
        at = window.rfind(separator, limit // 2)
        if at > 0:
            return at + len(separator)
    return limit


def nonce(idempotency_key: str, part: int = 0) -> str:
    """A deterministic message nonce (≤ 25 characters) for one part of one delivery or relay.

    With `enforce_nonce`, Discord answers a repeat within a few minutes with the original message,
    https://discord.com/developers/docs/resources/message#create-message-jsonform-params
    """
    raw = f"pb-{idempotency_key}" + (f"-{part}" if part else "")
    if len(raw) <= NONCE_LIMIT:
        return raw
    return "pb-" + hashlib.blake2b(raw.encode(), digest_size=11).hexdigest()


# --- outgoing: announcements and relays -------------------------------------------------------

ANNOUNCEMENT_BUTTONS = (
    ButtonSpec(m.ASK_BUTTON, ASK_ID, ButtonStyle.PRIMARY),
    ButtonSpec(m.HELPFUL_BUTTON, HELPFUL_ID),
    ButtonSpec(m.MUTE_BUTTON, MUTE_ID),
)
ACK_BUTTON = ButtonSpec(m.ACK_BUTTON, ACK_ID, ButtonStyle.PRIMARY)
# Every persistent button a delivered announcement may carry: what the client registers at start-up.
PERSISTENT_BUTTONS = (ACK_BUTTON, *ANNOUNCEMENT_BUTTONS)


class DigestItemShape(Protocol):
    @property
    def announcement_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def ctas(self) -> tuple[CtaButton, ...]: ...
    @property
    def files(self) -> tuple[Attachment, ...]: ...


class DigestShape(Protocol):
    """A daily/weekly digest (the core's `DigestPost`), matched by shape so this module does not
    depend on when that type lands."""

    @property
    def period_label(self) -> str: ...
    @property
    def items(self) -> Sequence[DigestItemShape]: ...


def render_outgoing(out: Outgoing) -> list[Part]:
    content = out.content
    if isinstance(content, AnnouncementPost):
        return render_announcement(content)
    if isinstance(content, RelayPost):
        return render_relay(content)
    return render_digest(content)


def render_announcement(post: AnnouncementPost, *, buttons: bool = True) -> list[Part]:
    """Embeds with the title, the body (split across embeds, then messages) and a footer naming the
    topics, the urgency and the announcement (the marker `find_posted` looks for); buttons on the first.

    Nothing here depends on the delivery, so a fan-out renders each announcement once (cached; the
    Parts and their embeds are shared between copies, so never mutate them)."""
    # Cached per reader language too: the footer and the buttons are partnerbot's words.
    parts = list(_rendered_announcement(replace(post, delivery_id=0, ctas=()), buttons, reader()))
    if buttons and post.ctas:  # per copy: a redirect link names its delivery
        parts[0] = replace(parts[0], components=(*cta_buttons(post), *parts[0].components))
    return parts


def parse_cta_options(*written: str | None) -> tuple[CallToAction, ...] | str:
    """The slash command's `cta1`…`cta3` (`Label|URL` each), in order; or the refusal's words."""
    given = [text for text in written if text is not None]
    ctas = parse_ctas(given)
    if isinstance(ctas, CtaRefused):
        return refusal_reply(cta_refused(ctas, count=len(given))).text
    return ctas


def cta_buttons(post: AnnouncementPost) -> tuple[ButtonSpec, ...]:
    """The calls to action, first on the message. Discord's link buttons send no interaction, so a
    click is counted only when one goes through partnerbot's redirect (`link`, set with
    PARTNERBOT_PUBLIC_URL); otherwise a normal button answers with the link, privately, and counts.
    https://discord.com/developers/docs/components/reference#button"""
    return tuple(
        ButtonSpec(cta.label[:LABEL_LIMIT], "", ButtonStyle.DEFAULT, url=cta.link)
        if cta.link and len(cta.link) <= LINK_URL_LIMIT
        else ButtonSpec(
            cta.label[:LABEL_LIMIT], f"cta:{post.announcement_id}:{cta.number}", ButtonStyle.PRIMARY
        )
        for cta in post.ctas
    )


@functools.lru_cache(maxsize=64)
def _rendered_announcement(post: AnnouncementPost, buttons: bool, language: str) -> tuple[Part, ...]:
    colour = URGENT_COLOUR if post.urgent else NORMAL_COLOUR
    title = (m.URGENT_MARK if post.urgent else "") + post.title
    footer = announcement_footer(post)
    embeds = _item_embeds(title, post.body, colour)
    messages = _pack(embeds, reserve=len(footer))
    for embeds_of_message in messages:  # every message says what it belongs to
        embeds_of_message[-1].set_footer(text=footer)
    parts = [Part(embeds=tuple(embeds)) for embeds in messages]
    if buttons:
        ack = (ACK_BUTTON,) if post.ack_required else ()
        # Labels as plain text in the reader's language: the Sender caches a View per component set.
        labelled = tuple(replace(spec, label=str(spec.label)) for spec in (*ack, *ANNOUNCEMENT_BUTTONS))
        parts[0] = Part(embeds=parts[0].embeds, components=labelled)
    if post.test_note:  # a test copy (`test <id>`): the mark above the announcement, as content
        parts[0] = Part(content=post.test_note, embeds=parts[0].embeds, components=parts[0].components)
    return tuple(parts)


def render_digest(digest: DigestShape) -> list[Part]:
    """A heading embed, then each announcement with its full text and its own footer. No buttons:
    they act on one announcement, and a digest message carries several."""
    embeds = [discord.Embed(title=digest.period_label[:TITLE_LIMIT], colour=NORMAL_COLOUR)]
    for item in digest.items:
        body = f"{item.body}\n\n🔗 {cta_links(item.ctas)}" if item.ctas else item.body
        if item.files:
            listed = [m.DIGEST_FILE.format(name=f.name, size=human_size(f.size)) for f in item.files]
            body = "\n\n".join([body, "\n".join(listed)])
        item_embeds = _item_embeds(item.title, body, NORMAL_COLOUR)
        footer = m.DISCORD_DIGEST_FOOTER.format(topics=", ".join(item.topics), id=item.announcement_id)
        item_embeds[-1].set_footer(text=footer[:FOOTER_BUDGET])
        embeds.extend(item_embeds)
    return [Part(embeds=tuple(group)) for group in _pack(embeds)]


def cta_links(ctas: Sequence[CtaButton]) -> str:
    """A digest's calls to action as Markdown links (through the counted redirect when there is one)."""
    return " · ".join(f"[{_link_label(cta.label)}]({_link_target(cta.href)})" for cta in ctas)


def _link_label(label: str) -> str:
    return re.sub(r"([\\\[\]*_~`|])", r"\\\1", label)


def _link_target(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _item_embeds(title: str, body: str, colour: int) -> list[discord.Embed]:
    """One embed per description-sized chunk of `body`; the title on the first."""
    if len(title) > TITLE_LIMIT:  # never cut silently: the whole title opens the body instead
        title, body = split_text(title, TITLE_LIMIT - 1)[0] + "…", f"**{title}**\n\n{body}"
    chunks = split_text(body, DESCRIPTION_LIMIT) or [""]
    return [
        discord.Embed(title=title if index == 0 else None, description=chunk or None, colour=colour)
        for index, chunk in enumerate(chunks)
    ]


def _pack(embeds: Sequence[discord.Embed], *, reserve: int = 0) -> list[list[discord.Embed]]:
    """Group embeds into messages: at most 10 each, their text at most 6,000 characters together
    (`reserve` is kept free in every message for a footer added afterwards)."""
    messages: list[list[discord.Embed]] = [[]]
    used = reserve
    for embed in embeds:
        size = embed_size(embed)
        if messages[-1] and (len(messages[-1]) == EMBEDS_PER_MESSAGE or used + size > EMBED_TOTAL_LIMIT):
            messages.append([])
            used = reserve
        messages[-1].append(embed)
        used += size
    return messages


def embed_size(embed: discord.Embed) -> int:
    """What counts towards the 6,000 characters (title, description, footer; no fields or author here)."""
    return len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")


def announcement_footer(post: AnnouncementPost) -> str:
    footer = m.DISCORD_FOOTER.format(
        topics=", ".join(post.topics),
        priority=m.DISCORD_PRIORITY_URGENT if post.urgent else m.DISCORD_PRIORITY_NORMAL,
        id=post.announcement_id,
    )
    return footer if len(footer) <= FOOTER_BUDGET else "…" + footer[-(FOOTER_BUDGET - 1) :]


def render_relay(post: RelayPost) -> list[Part]:
    return [Part(content=chunk) for chunk in split_text(post.text, CONTENT_LIMIT)]


def thread_name(out: Outgoing) -> str:
    """The name of a thread the Sender opens from a message to post into it."""
    # Questions and notices (reports, reminders) only ever go to admin channels.
    if isinstance(out.content, RelayPost) and out.content.kind in (RelayKind.QUESTION, RelayKind.NOTICE):
        return m.DISCORD_ADMIN_THREAD
    return str(m.DISCORD_PARTNER_THREAD)  # in the reader's language


def same_message(payload: Mapping[str, Any], part: Part, expected_nonce: str, bot_id: int) -> bool:
    """Is this message (a REST payload) the bot's post of `part`? By nonce where Discord returns it,
    otherwise by what it shows (content, and embed titles, descriptions and footers)."""
    if str((payload.get("author") or {}).get("id")) != str(bot_id):
        return False
    if payload.get("nonce") is not None:
        return str(payload["nonce"]) == expected_nonce
    shown = [_embed_key(embed) for embed in payload.get("embeds") or []]
    wanted = [_embed_key(dict(embed.to_dict())) for embed in part.embeds]
    return (payload.get("content") or "") == part.content and shown == wanted


def _embed_key(embed: Mapping[str, Any]) -> tuple[object, object, object]:
    return embed.get("title"), embed.get("description"), (embed.get("footer") or {}).get("text")


# --- outgoing: replies ------------------------------------------------------------------------


def render_reply(reply: Reply) -> list[Part]:
    """A command's answer: text split into messages, its buttons on the last one (25 per message)."""
    lines = [reply.text, *(row.text for row in reply.rows)]
    chunks = split_text("\n".join(line for line in lines if line), CONTENT_LIMIT)
    buttons = [
        *(
            button_spec(r.button.label, r.button.action, r.button.value, r.button.style, named=True)
            for r in reply.rows
            if r.button
        ),
        *(button_spec(b.label, b.action, b.value, b.style) for b in reply.buttons),
    ]
    groups = [
        tuple(buttons[i : i + COMPONENTS_PER_MESSAGE]) for i in range(0, len(buttons), COMPONENTS_PER_MESSAGE)
    ]
    parts = [Part(content=chunk) for chunk in chunks] or [Part(content="…")]
    if groups:
        parts[-1] = Part(content=parts[-1].content, components=groups[0])
        parts.extend(Part(components=group) for group in groups[1:])
    return parts


def button_spec(
    label: str, action: str, value: str, style: ButtonStyle, *, named: bool = False
) -> ButtonSpec:
    """A core button. Row buttons (one per topic) show their value so they can be told apart."""
    text = f"{label} {value}" if named else label
    return ButtonSpec(text[:LABEL_LIMIT], f"pb:{action}:{value}", style)


# --- incoming ---------------------------------------------------------------------------------

_MENTION = "<@{id}>", "<@!{id}>"


def invocation(
    *,
    guild_id: int,
    channel_id: int,
    channel_name: str,
    user_id: int,
    display_name: str,
    role_ids: Iterable[int] = (),
    admin_roles: Iterable[str] = (),
    thread_id: int | None = None,
) -> Invocation:
    """Who did what where. A thread's messages belong to its parent channel; `thread` says which thread.
    `platform_admin` when the member holds one of the admin roles named in the settings."""
    channel = ChannelRef(Platform.DISCORD, str(guild_id), str(channel_id))
    return Invocation(
        channel=channel,
        user=UserRef(Platform.DISCORD, str(guild_id), str(user_id), display_name=display_name),
        channel_name=channel_name,
        thread=MessageRef(channel, str(thread_id)) if thread_id is not None else None,
        platform_admin=bool({str(r) for r in role_ids} & set(admin_roles)),
    )


def interaction_locale(locale: object, guild_locale: object) -> str:
    """The language an interaction says its user reads: its `locale` (the user's client language),
    else its `guild_locale` (a server's community language); "" when neither is set.
    https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object"""
    for value in (locale, guild_locale):
        tag = str(getattr(value, "value", value) or "")
        if tag and tag != "None":
            return tag
    return ""


def without_mention(content: str, bot_id: int) -> tuple[str, bool]:
    """The message text with the bot's @mention removed, and whether it mentioned the bot."""
    mentioned = False
    for form in _MENTION:
        token = form.format(id=bot_id)
        if token in content:
            mentioned, content = True, content.replace(token, " ")
    return " ".join(content.split()) if mentioned else content.strip(), mentioned


def complete_topics(
    current: str, topics: Sequence[tuple[str, str]], *, allow_all: bool = False, several: bool = True
) -> list[tuple[str, str]]:
    """Topic autocomplete. With `several`, the option holds a list: complete the word being typed and
    keep the ones before it. `topics` are (slug, title) pairs; returns (name, value) choices."""
    words = comma_list(current.replace(" ", ",").split(",")) if several else []
    typing = current.strip() if not several else "" if not current or current[-1] in " ," else words.pop()
    chosen = [w.lower() for w in words]
    typing = typing.lower()
    choices: list[tuple[str, str]] = []
    if allow_all and not chosen and "all".startswith(typing):
        choices.append(("all", "all"))
    for slug, title in topics:
        if slug in chosen or not (slug.startswith(typing) or typing in title.lower()):
            continue
        value = " ".join([*chosen, slug])
        name = value if chosen else f"{slug} — {title}"
        if len(value) <= CHOICE_LIMIT:
            choices.append((name[:CHOICE_LIMIT], value))
    return choices[:CHOICES_LIMIT]


@dataclass(frozen=True, slots=True)
class AudienceInput:
    audience: Audience = field(default_factory=Audience)
    urgent: bool = False
    error: str = ""


def parse_audience(text: str) -> AudienceInput:
    """The modal's free-text audience line: `tier:gold,platinum region:emea urgent`."""
    values: dict[str, list[str]] = {key: [] for key in AUDIENCE_KEYS}
    urgent = False
    try:
        tokens = read_all(text, 0)
    except UnclosedQuote as unclosed:
        return AudienceInput(error=m.UNCLOSED_QUOTE.format(quote=unclosed.quote))
    for token in tokens:
        option = as_option(text, token)
        if token.text.lower() == "urgent":
            urgent = True
        elif option is None or option[0] not in values:
            return AudienceInput(error=m.DISCORD_AUDIENCE_UNKNOWN_KEY.format(word=token.text[:40]))
        else:
            values[option[0]].extend(v.lower() for v in comma_list([option[1]]))
    return AudienceInput(audience=audience_of(values), urgent=urgent)


def audience_of(values: dict[str, list[str]]) -> Audience:
    return Audience.of(values)


def parse_topics(text: str) -> tuple[tuple[str, ...], str]:
    """Topic slugs from free text (commas or spaces), de-duplicated; or the first bad one's error."""
    slugs: list[str] = []
    for word in comma_list(text.replace(" ", ",").split(",")):
        slug = as_slug(word)
        if slug is None:
            return (), m.BAD_SLUG.format(slug=word[:40])
        if slug not in slugs:
            slugs.append(slug)
    return tuple(slugs), ""


def scheduled(command: Broadcast, text: str | None) -> Broadcast | str:
    """`command` with the time typed in a "Send at" field, or the error to show. The grammar's own
    reader (bot/when.py) reads it, so the forms accepted and the messages are those of `at:"…"`;
    an empty field leaves the broadcast to go out when Send is pressed."""
    if not (text or "").strip():
        return command
    at = parse_at(text or "")
    if isinstance(at, str):
        return at
    return replace(command, send_at=at.wall, send_zone=at.zone, send_local=at.local)


def rescheduled(command: Broadcast, schedule: Schedule | None) -> Broadcast:
    """`command` at a draft's stored time (kept when a preview select redrafts it)."""
    if schedule is None:
        return command
    return replace(command, send_at=schedule.wall, send_zone=schedule.zone, send_local=schedule.local)


def prefill(content: str, *, title_limit: int, body_limit: int) -> tuple[str, str]:
    """Title and body for the broadcast modal from a message: its first line, and the rest (or all)."""
    text = content.strip()
    first, _, rest = text.partition("\n")
    title = first.strip().lstrip("#").strip().strip("*_").strip()
    body = rest.strip() or text
    if len(title) > title_limit:
        title = split_text(title, title_limit - 1)[0] + "…"
    return title, (split_text(body, body_limit) or [""])[0]
