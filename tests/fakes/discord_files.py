"""Files on the fake Discord: multipart message creation and the CDN that serves attachments.

https://discord.com/developers/docs/reference#uploading-files: a multipart/form-data request with
`payload_json` (the JSON body, whose `attachments` array names each upload by `id` = n) and one part
`files[n]` per file. Limits: 10 files per message; 10 MiB per file on a server without boosts (an
interaction's `attachment_size_limit` says the current one); over the limit, or over 25 MiB for the
whole request, Discord answers 413 with JSON error 40005 "Request entity too large".
Embeds show an uploaded image with `attachment://<filename>`, which Discord resolves to the CDN URL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

Json = dict[str, Any]

MIB = 1024 * 1024
MAX_FILES = 10
MAX_FILE = 10 * MIB
MAX_REQUEST = 25 * MIB
UPLOADS_KEY = "__uploads__"  # where `read_multipart` leaves the files in the parsed body
_FILE_FIELD = re.compile(r"^files\[(\d+)\]$")


@dataclass(frozen=True)
class Upload:
    index: int
    filename: str
    content_type: str
    data: bytes


async def read_multipart(request: web.Request) -> Json | None:
    """`payload_json` as the body, with the uploaded files (all bytes kept) under UPLOADS_KEY."""
    reader = await request.multipart()
    body: Json | None = None
    uploads: list[Upload] = []
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            body = json.loads(await part.text())
        elif part.name and (match := _FILE_FIELD.match(part.name)):
            data = bytes(await part.read())
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads.append(Upload(int(match.group(1)), part.filename or "", content_type, data))
    body = dict(body or {})
    body[UPLOADS_KEY] = uploads
    return body


def too_large(uploads: list[Upload], limit: int = MAX_FILE) -> bool:
    """Over the per-file limit or the request limit: Discord's 413 / 40005."""
    return any(len(u.data) > limit for u in uploads) or sum(len(u.data) for u in uploads) > MAX_REQUEST


def filename_of(name: str) -> str:
    """Discord keeps letters, digits, `.`, `_` and `-` of an uploaded file's name; the rest becomes `_`."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "file"


def attachment_payload(attachment_id: int, upload: Upload, url: str) -> Json:
    """https://discord.com/developers/docs/resources/message#attachment-object"""
    return {
        "id": str(attachment_id),
        "filename": filename_of(upload.filename),
        "size": len(upload.data),
        "url": url,
        "proxy_url": url,
        "content_type": upload.content_type,
    }


def resolve_embeds(embeds: list[Json], attachments: list[Json]) -> list[Json]:
    """`attachment://name` in an embed's image or thumbnail becomes that attachment's URL."""
    by_name = {a["filename"]: a["url"] for a in attachments}
    resolved = []
    for embed in embeds:
        embed = dict(embed)
        for key in ("image", "thumbnail"):
            url = str((embed.get(key) or {}).get("url") or "")
            if url.startswith("attachment://") and url.removeprefix("attachment://") in by_name:
                embed[key] = {**embed[key], "url": by_name[url.removeprefix("attachment://")]}
        resolved.append(embed)
    return resolved
