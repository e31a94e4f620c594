"""Discord components: the persistent announcement buttons, core buttons, preview selects and modals.

Components only route: every callback hands the interaction to the `Handlers` the client carries,
so nothing here knows the core. Persistence across restarts follows discord.py's rules: the
announcement buttons are a `View(timeout=None)` with a fixed `custom_id` on every item, registered
with `client.add_view` at start-up; core buttons and preview selects carry their state in their
`custom_id` and are `DynamicItem`s registered with `client.add_dynamic_items`.
https://discordpy.readthedocs.io/en/stable/interactions/api.html#discord.ui.View
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import discord

from adapters.discord import translate as tr
from bot import messages as m
from bot.domain import ButtonStyle
from bot.services.feedback import MAX_QUESTION
from bot.when import at_example

_STYLES = {
    ButtonStyle.DEFAULT: discord.ButtonStyle.secondary,
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}


@dataclass(frozen=True, slots=True)
class BroadcastFields:
    title: str
    body: str
    topics: str
    audience: str
    send_at: str = ""  # as typed: the text of `at:"…"`
    # The files on the message the context menu was used on (downloaded when the draft is made).
    attachments: tuple[discord.Attachment, ...] = ()


class Handlers(Protocol):
    """What the components call; implemented by `adapters.discord.admin.DiscordHandlers`."""

    async def announcement_button(self, interaction: discord.Interaction, custom_id: str) -> None: ...

    async def ask_submitted(
        self, interaction: discord.Interaction, *, channel_id: int, message_id: int, text: str
    ) -> None: ...

    async def core_button(self, interaction: discord.Interaction, action: str, value: str) -> None: ...

    async def cta_button(
        self, interaction: discord.Interaction, announcement_id: int, number: int
    ) -> None: ...

    async def preview_select(
        self, interaction: discord.Interaction, kind: str, announcement_id: int, values: list[str]
    ) -> None: ...

    async def broadcast_submitted(
        self, interaction: discord.Interaction, fields: BroadcastFields
    ) -> None: ...

    async def edit_submitted(
        self, interaction: discord.Interaction, announcement_id: int, title: str, body: str
    ) -> None: ...

    async def reject_submitted(
        self, interaction: discord.Interaction, announcement_id: int, comment: str
    ) -> None: ...


def handlers_of(interaction: discord.Interaction) -> Handlers:
    found = getattr(interaction.client, "handlers", None)
    if found is None:
        raise RuntimeError("the Discord client carries no partnerbot handlers")
    return cast(Handlers, found)


# --- rendering component specs ----------------------------------------------------------------


def static_view(components: Sequence[tr.Component]) -> discord.ui.View:
    """A View that only describes components. It is stopped at once so discord.py never stores it:
    presses are dispatched by the persistent view and the dynamic items instead."""
    view = discord.ui.View(timeout=None)
    for spec in components:
        if isinstance(spec, tr.ButtonSpec) and spec.url:
            view.add_item(
                discord.ui.Button(label=str(spec.label), url=spec.url, style=discord.ButtonStyle.link)
            )
        elif isinstance(spec, tr.ButtonSpec):
            view.add_item(
                discord.ui.Button(label=str(spec.label), custom_id=spec.custom_id, style=_STYLES[spec.style])
            )
        else:
            view.add_item(
                discord.ui.Select(
                    custom_id=spec.custom_id,
                    placeholder=spec.placeholder[:150],
                    min_values=spec.min_values,
                    max_values=max(spec.max_values, 1),
                    options=[discord.SelectOption(label=lb, value=v, default=d) for lb, v, d in spec.options],
                )
            )
    view.stop()
    return view


# --- the buttons under every delivered announcement -------------------------------------------


class AnnouncementView(discord.ui.View):
    """(Acknowledge /) Ask a question / Helpful / Mute this topic, with fixed custom_ids so they
    outlive restarts."""

    def __init__(self) -> None:
        super().__init__(timeout=None)
        for spec in tr.PERSISTENT_BUTTONS:
            self.add_item(_AnnouncementButton(spec))


class _AnnouncementButton(discord.ui.Button[AnnouncementView]):
    def __init__(self, spec: tr.ButtonSpec) -> None:
        # str(): the label in the reader's language (bot/i18n.py `reading`, set around each send).
        super().__init__(label=str(spec.label), custom_id=spec.custom_id, style=_STYLES[spec.style])

    async def callback(self, interaction: discord.Interaction) -> None:
        await handlers_of(interaction).announcement_button(interaction, self.custom_id or "")


class AskModal(discord.ui.Modal):
    """The question a partner asks about one announcement; it lands in that announcement's thread."""

    def __init__(self, *, channel_id: int, message_id: int) -> None:
        # Built inside `reading(<the channel's language>)`: str() fixes the words in that language.
        super().__init__(title=str(m.DISCORD_ASK_MODAL_TITLE), timeout=900)
        self.channel_id, self.message_id = channel_id, message_id
        self.question: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            custom_id="question",
            style=discord.TextStyle.paragraph,
            placeholder=str(m.DISCORD_ASK_PLACEHOLDER),
            max_length=MAX_QUESTION,
        )
        self.add_item(discord.ui.Label(text=str(m.DISCORD_ASK_LABEL), component=self.question))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await handlers_of(interaction).ask_submitted(
            interaction, channel_id=self.channel_id, message_id=self.message_id, text=self.question.value
        )


# --- core buttons and preview selects: state in the custom_id ----------------------------------


class CoreButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=tr.CORE_BUTTON.pattern):
    """A button the core offered (topic toggles, preview Send/Cancel): `pb:<action>:<value>`."""

    def __init__(self, action: str, value: str, item: discord.ui.Button[Any] | None = None) -> None:
        super().__init__(item or discord.ui.Button(label=action, custom_id=f"pb:{action}:{value}"))
        self.action, self.value = action, value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CoreButton:
        return cls(match["action"], match["value"], item if isinstance(item, discord.ui.Button) else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        await handlers_of(interaction).core_button(interaction, self.action, self.value)


class CtaButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=tr.CTA_BUTTON.pattern):
    """A call to action as a normal button, `cta:<announcement>:<number>` (no public URL for the
    redirect): the press is counted and answered with the link, privately."""

    def __init__(self, announcement_id: int, number: int, item: discord.ui.Button[Any] | None = None) -> None:
        super().__init__(item or discord.ui.Button(label="…", custom_id=f"cta:{announcement_id}:{number}"))
        self.announcement_id, self.number = announcement_id, number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CtaButton:
        button = item if isinstance(item, discord.ui.Button) else None
        return cls(int(match["id"]), int(match["n"]), button)

    async def callback(self, interaction: discord.Interaction) -> None:
        await handlers_of(interaction).cta_button(interaction, self.announcement_id, self.number)


class PreviewSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=tr.PREVIEW_SELECT.pattern):
    """The topics / audience pickers under a broadcast preview: `pbx:<kind>:<announcement id>`."""

    def __init__(self, kind: str, announcement_id: int, item: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(item or discord.ui.Select(custom_id=f"pbx:{kind}:{announcement_id}"))
        self.kind, self.announcement_id = kind, announcement_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PreviewSelect:
        select = item if isinstance(item, discord.ui.Select) else None
        return cls(match["kind"], int(match["id"]), select)

    async def callback(self, interaction: discord.Interaction) -> None:
        data = cast(dict[str, Any], interaction.data or {})
        values = [str(v) for v in data.get("values") or []]
        await handlers_of(interaction).preview_select(interaction, self.kind, self.announcement_id, values)


# --- the admin's "Broadcast to partners" modal ---------------------------------------------------


class BroadcastModal(discord.ui.Modal):
    """Prefilled from the message the context menu was used on; submitting it creates a draft."""

    def __init__(
        self,
        *,
        title: str,
        body: str,
        topic_examples: str,
        title_limit: int,
        body_limit: int,
        attachments: Sequence[discord.Attachment] = (),
    ) -> None:
        super().__init__(title=m.DISCORD_BROADCAST_MODAL_TITLE, timeout=900)
        # A modal holds five inputs and no file list: the preview lists the files instead.
        self.attachments = tuple(attachments)
        self.heading: discord.ui.TextInput[BroadcastModal] = discord.ui.TextInput(
            custom_id="title", default=title or None, max_length=title_limit
        )
        self.body: discord.ui.TextInput[BroadcastModal] = discord.ui.TextInput(
            custom_id="body", style=discord.TextStyle.paragraph, default=body or None, max_length=body_limit
        )
        self.topics: discord.ui.TextInput[BroadcastModal] = discord.ui.TextInput(
            custom_id="topics",
            placeholder=m.DISCORD_TOPICS_PLACEHOLDER.format(examples=topic_examples)[:100]
            if topic_examples
            else None,
            max_length=400,
        )
        self.audience: discord.ui.TextInput[BroadcastModal] = discord.ui.TextInput(
            custom_id="audience", placeholder=m.DISCORD_AUDIENCE_PLACEHOLDER, required=False, max_length=400
        )
        self.send_at: discord.ui.TextInput[BroadcastModal] = discord.ui.TextInput(
            custom_id="send_at",
            placeholder=m.DISCORD_SEND_AT_PLACEHOLDER.format(day=at_example(None).strip('"')),
            required=False,
            max_length=100,
        )
        for label, field in (
            (m.DISCORD_TITLE_LABEL, self.heading),
            (m.DISCORD_BODY_LABEL, self.body),
            (m.DISCORD_TOPICS_LABEL, self.topics),
            (m.DISCORD_AUDIENCE_LABEL, self.audience),
        ):
            self.add_item(discord.ui.Label(text=label, component=field))
        # A modal holds at most five labels: this is the fifth.
        self.add_item(
            discord.ui.Label(
                text=m.DISCORD_SEND_AT_LABEL,
                description=m.DISCORD_SEND_AT_DESCRIPTION,
                component=self.send_at,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        fields = BroadcastFields(
            self.heading.value,
            self.body.value,
            self.topics.value,
            self.audience.value,
            self.send_at.value,
            self.attachments,
        )
        await handlers_of(interaction).broadcast_submitted(interaction, fields)


class EditModal(discord.ui.Modal):
    """ "Edit announcement #N", prefilled with its current title and body."""

    def __init__(
        self, *, announcement_id: int, title: str, body: str, sent: bool, title_limit: int, body_limit: int
    ) -> None:
        super().__init__(title=m.DISCORD_EDIT_MODAL_TITLE.format(id=announcement_id), timeout=900)
        self.announcement_id = announcement_id
        self.heading: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            custom_id="title", default=title[:title_limit] or None, max_length=title_limit
        )
        self.body: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            custom_id="body",
            style=discord.TextStyle.paragraph,
            default=body[:body_limit] or None,
            max_length=body_limit,
        )
        self.add_item(discord.ui.Label(text=m.DISCORD_TITLE_LABEL, component=self.heading))
        description = m.DISCORD_EDIT_BODY_DESCRIPTION if sent else None
        self.add_item(
            discord.ui.Label(text=m.DISCORD_EDIT_BODY_LABEL, description=description, component=self.body)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await handlers_of(interaction).edit_submitted(
            interaction, self.announcement_id, self.heading.value, self.body.value
        )


class RejectModal(discord.ui.Modal):
    """ "Request changes" under an approval request: the comment for the announcement's author."""

    def __init__(self, *, announcement_id: int, limit: int) -> None:
        super().__init__(title=m.REJECT_FORM_TITLE, timeout=900)
        self.announcement_id = announcement_id
        self.comment: discord.ui.TextInput[RejectModal] = discord.ui.TextInput(
            custom_id="comment", style=discord.TextStyle.paragraph, max_length=limit
        )
        self.add_item(discord.ui.Label(text=m.REJECT_FORM_LABEL, component=self.comment))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await handlers_of(interaction).reject_submitted(interaction, self.announcement_id, self.comment.value)
