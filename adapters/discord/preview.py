"""Pure rendering of the admin's broadcast preview: the draft as partners will see it, its reach,
Send/Cancel, and the selects that change its topics and audience (`pbx:<kind>:<draft id>`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from adapters.discord.translate import (
    AUDIENCE_KEYS,
    CHOICE_LIMIT,
    CHOICES_LIMIT,
    CONTENT_LIMIT,
    Part,
    SelectSpec,
    audience_of,
    button_spec,
    render_announcement,
    split_text,
)
from bot import messages as m
from bot.domain import AnnouncementPost, Audience, DraftPreview, Reply


def preview_parts(reply: Reply, draft: DraftPreview, selects: Sequence[SelectSpec]) -> list[Part]:
    """The preview as Discord shows it: the announcement rendered exactly as partners will get it
    (embeds), the reach by platform/tier/region as text, Send/Cancel buttons and the two selects."""
    chunks = split_text(draft.summary, CONTENT_LIMIT) or [""]
    post = AnnouncementPost(0, draft.announcement_id, draft.title, draft.body, draft.topics, draft.urgent)
    rendered = render_announcement(post, buttons=False)
    buttons = tuple(button_spec(b.label, b.action, b.value, b.style) for b in reply.buttons)
    first = Part(content=chunks[0], embeds=rendered[0].embeds, components=(*buttons, *selects))
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
