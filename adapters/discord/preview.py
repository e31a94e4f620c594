"""Pure rendering of the admin's broadcast preview: the draft as partners will see it (its first
image uploaded with it and shown in the embed, `attachment://<name>`), its reach, Send/Cancel, and
the selects that change its topics and audience (`pbx:<kind>:<draft id>`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

from adapters.discord.files import EMBED_IMAGES, upload_names
from adapters.discord.translate import (
    AUDIENCE_KEYS,
    CHOICE_LIMIT,
    CHOICES_LIMIT,
    CONTENT_LIMIT,
    ButtonSpec,
    Part,
    SelectSpec,
    audience_of,
    button_spec,
    render_announcement,
    split_text,
)
from bot import messages as m
from bot.attachments import human_size
from bot.domain import AnnouncementPost, Attachment, Audience, DraftPreview, Reply


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """The preview's image: uploaded with it under `name` and shown in its embed; or, when it
    cannot be, `note` says why (the file is still listed with the others)."""

    name: str = ""
    data: bytes = b""
    note: str = ""


def thumbnail_image(files: Sequence[Attachment]) -> tuple[str, Attachment] | None:
    """The first image an embed can show, with the name it is uploaded under."""
    names = upload_names(files)
    return next(((n, f) for n, f in zip(names, files, strict=True) if f.media_type in EMBED_IMAGES), None)


def too_large_note(image: Attachment, limit: int) -> str:
    return m.THUMBNAIL_TOO_LARGE.format(
        name=image.name, size=human_size(image.size), platform="Discord", limit=human_size(limit)
    )


def preview_parts(
    reply: Reply,
    draft: DraftPreview,
    selects: Sequence[SelectSpec],
    thumbnail: Thumbnail | None = None,
    *,
    extra: Sequence[ButtonSpec] = (),
) -> list[Part]:
    """The preview as Discord shows it: the announcement rendered exactly as partners will get it
    (embeds, with the draft's first image when there is a `thumbnail`), the reach by
    platform/tier/region as text, Send/Cancel buttons and the two selects."""
    note = thumbnail.note if thumbnail else ""
    chunks = split_text(f"{draft.summary}\n{note}" if note else draft.summary, CONTENT_LIMIT) or [""]
    post = AnnouncementPost(0, draft.announcement_id, draft.title, draft.body, draft.topics, draft.urgent)
    rendered = render_announcement(post, buttons=False)
    buttons = (*(button_spec(b.label, b.action, b.value, b.style) for b in reply.buttons), *extra)
    embeds = rendered[0].embeds
    uploads: tuple[tuple[str, bytes], ...] = ()
    if thumbnail and thumbnail.data and embeds:
        shown = discord.Embed.from_dict(embeds[0].to_dict())  # the rendered embeds are shared: a copy
        shown.set_image(url=f"attachment://{thumbnail.name}")
        embeds, uploads = (shown, *embeds[1:]), ((thumbnail.name, thumbnail.data),)
    first = Part(content=chunks[0], embeds=embeds, components=(*buttons, *selects), uploads=uploads)
    return [first, *(Part(content=chunk) for chunk in chunks[1:]), *rendered[1:]]


def topic_select(
    announcement_id: int, topics: Sequence[tuple[str, str]], chosen: Iterable[str]
) -> SelectSpec:
    picked = set(chosen)
    # The chosen topics first, so they stay among the 25 options Discord allows.
    ordered = sorted(topics, key=lambda topic: (topic[0] not in picked, topic[0]))[:CHOICES_LIMIT]
    return SelectSpec(
        custom_id=f"pbx:topics:{announcement_id}",
        placeholder=m.DISCORD_TOPICS_SELECT,
        options=tuple((f"{slug} — {title}"[:CHOICE_LIMIT], slug, slug in picked) for slug, title in ordered),
        min_values=1,
        max_values=len(ordered),
    )


def audience_select(
    announcement_id: int, known: dict[str, set[str]], audience: Audience
) -> SelectSpec | None:
    """Tiers, types, regions and languages partners actually have; nothing picked means everyone."""
    current = audience_values(audience)
    options = [
        (
            m.DISCORD_AUDIENCE_OPTION.format(key=key, value=value)[:CHOICE_LIMIT],
            f"{key}:{value}",
            f"{key}:{value}" in current,
        )
        for key in AUDIENCE_KEYS
        for value in sorted(
            known.get(key, set()) | {v.partition(":")[2] for v in current if v.startswith(key + ":")}
        )
        if value
    ][:CHOICES_LIMIT]
    if not options:
        return None
    return SelectSpec(
        f"pbx:audience:{announcement_id}", m.DISCORD_AUDIENCE_SELECT, tuple(options), 0, len(options)
    )


def audience_values(audience: Audience) -> set[str]:
    pairs = (
        ("tier", audience.tiers),
        ("type", audience.types),
        ("region", audience.regions),
        ("language", audience.languages),
    )
    return {f"{key}:{value}" for key, values in pairs for value in values}


def audience_from_values(values: Iterable[str]) -> Audience:
    grouped: dict[str, list[str]] = {key: [] for key in AUDIENCE_KEYS}
    for item in values:
        key, _, value = item.partition(":")
        if key in grouped and value:
            grouped[key].append(value)
    return audience_of(grouped)
