"""An announcement shown in full under a search result ("Show"), as Discord shows it privately.

The ephemeral interaction response carries the files themselves (multipart `files[n]` beside
`payload_json`, https://discord.com/developers/docs/interactions/receiving-and-responding#create-interaction-response;
images among them are shown inline by Discord) within one message's limits: 10 files, the
interaction's `attachment_size_limit` per file, 25 MiB in all. Its calls to action are link buttons
(style 5) to the channel's copy's counted redirect when there is one, else to the page itself; a URL
longer than a link button takes (512) is written out instead. Files that do not fit are named with a
link to the copy this channel received (a message link needs no API call); a file gone from
partnerbot's storage is named and said to be gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from adapters.discord.files import upload_names
from adapters.discord.translate import (
    COMPONENTS_PER_MESSAGE,
    LABEL_LIMIT,
    LINK_URL_LIMIT,
    ButtonSpec,
    Part,
    render_reply,
)
from bot import messages as m
from bot.attachments import DISCORD_MESSAGE, MAX_FILES, human_size
from bot.domain import Attachment, MessageRef, Reply
from bot.i18n import reading
from bot.ports import FileMissing, FileStore, FileUnreadable

log = logging.getLogger(__name__)
JUMP = "https://discord.com/channels/{guild}/{channel}/{message}"


@dataclass(frozen=True, slots=True)
class Gathered:
    """A shown announcement's files as one response can carry them: uploaded (name, bytes), left out
    for Discord's limits, and gone from the store (also when found missing only on reading)."""

    uploads: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    left_out: tuple[Attachment, ...] = ()
    gone: tuple[Attachment, ...] = ()
    per_file: int = 0


async def gather(reply: Reply, store: FileStore | None, *, per_file: int) -> Gathered:
    """Read the files the response carries, in order, while they fit Discord's limits."""
    files = [f.file for f in reply.files]
    names = upload_names(files)
    uploads: list[tuple[str, bytes]] = []
    left_out: list[Attachment] = []
    gone = [f.file for f in reply.files if f.missing]
    total = 0
    for name, shown in zip(names, reply.files, strict=True):
        if shown.missing:
            continue
        file = shown.file
        fits = len(uploads) < MAX_FILES and file.size <= per_file and total + file.size <= DISCORD_MESSAGE
        if not fits or store is None:
            left_out.append(file)
            continue
        try:
            data = await store.read(sha256=file.sha256)
        except (FileMissing, FileUnreadable, OSError):
            log.warning("a shown announcement's file %s could not be read", file.sha256, exc_info=True)
            gone.append(file)
            continue
        uploads.append((name, data))
        total += file.size
    return Gathered(tuple(uploads), tuple(left_out), tuple(gone), per_file)


def shown_parts(reply: Reply, gathered: Gathered) -> list[Part]:
    """The reply's text (with what is said of links and files that cannot be buttons or uploads),
    the files on its first message and the link buttons under its last."""
    buttons: list[ButtonSpec] = []
    lines: list[str] = []
    with reading(reply.language):  # the reader's language, as the rest of the reply
        for link in reply.links:
            url = link.tracked or link.url
            if len(url) <= LINK_URL_LIMIT and len(buttons) < COMPONENTS_PER_MESSAGE:
                buttons.append(ButtonSpec(link.label[:LABEL_LIMIT] or "…", "", url=url))
            else:
                lines.append(m.SHOW_LINK.format(label=link.label, url=url))
        lines += _left_out_notes(gathered, reply.delivered)
        lines += [m.SHOW_FILE_GONE.format(name=f.name) for f in gathered.gone]
    text = "\n".join([reply.text, *lines])
    parts = render_reply(Reply(text=text))
    first = parts[0]
    parts[0] = Part(content=first.content, embeds=first.embeds, uploads=gathered.uploads)
    last = parts[-1]
    parts[-1] = Part(
        content=last.content, embeds=last.embeds, components=tuple(buttons), uploads=last.uploads
    )
    return parts


def _left_out_notes(gathered: Gathered, delivered: MessageRef | None) -> list[str]:
    if not gathered.left_out:
        return []
    n = len(gathered.left_out)
    values = {
        "names": ", ".join(f.name for f in gathered.left_out),
        "limit": human_size(gathered.per_file),
        "total": human_size(DISCORD_MESSAGE),
    }
    if delivered is None:
        return [m.SHOW_NOT_ATTACHED_NO_COPY(n, **values)]
    return [m.SHOW_NOT_ATTACHED_IN_COPY(n, link=jump_link(delivered), **values)]


def needs_rendering(reply: Reply) -> bool:
    return bool(reply.links or reply.files)


def jump_link(ref: MessageRef) -> str:
    """A link to a message: https://discord.com/developers/docs/reference#message-formatting"""
    return JUMP.format(guild=ref.channel.workspace, channel=ref.channel.channel, message=ref.message)
