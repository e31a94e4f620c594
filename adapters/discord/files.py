"""An announcement's files on Discord: uploaded with its first message (multipart `files[n]`), the
first image shown in its first embed.
https://discord.com/developers/docs/reference#uploading-files
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from adapters.discord.translate import Part, render_announcement, render_outgoing
from bot.domain import AnnouncementPost, Attachment, Outgoing

# Images an embed shows (https://discord.com/developers/docs/resources/message#embed-object-embed-image-structure).
EMBED_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def render_with_files(out: Outgoing) -> list[Part]:
    """`render_outgoing`, an announcement's files on its first message."""
    if isinstance(out.content, AnnouncementPost) and out.content.files:
        return render_announcement_with_files(out.content)
    return render_outgoing(out)


def render_announcement_with_files(post: AnnouncementPost) -> list[Part]:
    """`render_announcement`, its files on the first message: the first image shown in the first
    embed (`attachment://`, https://discord.com/developers/docs/reference#editing-message-attachments-using-attachments-within-embeds),
    every file listed below it by Discord itself."""
    parts = render_announcement(post)
    if not post.files:
        return parts
    first = parts[0]
    names = upload_names(post.files)
    image = next((i for i, f in enumerate(post.files) if f.media_type in EMBED_IMAGES), None)
    embeds = first.embeds
    if image is not None and embeds:
        shown = discord.Embed.from_dict(embeds[0].to_dict())  # the rendered embeds are shared: a copy
        shown.set_image(url=f"attachment://{names[image]}")
        embeds = (shown, *embeds[1:])
    parts[0] = Part(content=first.content, embeds=embeds, components=first.components, files=post.files)
    return parts


def upload_names(files: Sequence[Attachment]) -> list[str]:
    """The names files are uploaded under, unique: Discord keeps letters, digits, `.`, `_` and `-`
    of a file name and makes the rest `_`, and `attachment://` must name the file as Discord will."""
    names: list[str] = []
    for f in files:
        base = re.sub(r"[^A-Za-z0-9._-]", "_", f.name) or "file"
        name, n = base, 1
        while name.lower() in (taken.lower() for taken in names):
            n += 1
            stem, dot, ext = base.rpartition(".")
            name = f"{stem}_{n}.{ext}" if dot else f"{base}_{n}"
        names.append(name)
    return names
