"""Announcements with files on Slack: `files.getUploadURLExternal` per file, the bytes POSTed to the
upload URL, then one `files.completeUploadExternal` into the channel with the announcement's blocks,
so the message and its files are one post (images inline).
https://docs.slack.dev/messaging/working-with-files#uploading_files

Never twice: `files.completeUploadExternal` carries no message metadata, so the announcement's first
block carries the delivery's key in its `block_id` (`translate.FILE_KEY_PREFIX`), which
`find_posted` looks for in channel history like a metadata key. Files uploaded but never completed
(a crash before the share) are not in any channel; Slack drops such uploads.

The share's message `ts` is not in the completion's answer until Slack has shared the files; it
comes from the files' `shares` (completion, then `files.info`). While Slack has not said, the post
counts as ambiguous (`maybe_posted`), and the next attempt finds it in history.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from bot.domain import Attachment
from bot.ports import FileMissing, FileStore, PermanentSendError, TransientSendError

# How often, and after how long (seconds), `files.info` is asked where the files were shared.
SHARE_LOOKUPS: Final = (0.0, 0.2, 0.5, 1.0)
UPLOAD_TIMEOUT: Final = 120.0
# Seconds from the start of a post until the share must start (the root derives it from the lease).
DEFAULT_BUDGET: Final = 12.0
# Files are created when their upload starts, before the share: how far back recall looks for them.
UPLOAD_WINDOW: Final = 3600.0
LIST_PAGE: Final = 100

Fail = Callable[[Exception, bool], Exception]


async def post_with_files(
    client: AsyncWebClient,
    session: aiohttp.ClientSession,
    store: FileStore,
    *,
    channel: str,
    files: Sequence[Attachment],
    message: Mapping[str, Any],
    fail: Fail,
    budget: float = DEFAULT_BUDGET,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Upload `files`, share them in `channel` with `message`'s blocks; the share's `ts`.

    The share starts only while the delivery's lease still holds: uploads that took longer than
    `budget` seconds share nothing (the row is retried; uploaded files that are never shared are
    dropped by Slack), since by then another worker may have taken the row over and shared it."""
    started = clock()
    uploaded = [await _upload(client, session, store, f, fail) for f in files]
    if (took := clock() - started) > budget:
        raise TransientSendError(
            f"uploading the files took {took:.0f} s, more than the {budget:.0f} s the delivery's lease "
            "leaves; nothing was shared (raise PARTNERBOT_LEASE_SECONDS for large files)"
        )
    blocks = message.get("blocks") or [translate.text_block(str(message.get("text") or ""))]
    thread = message.get("thread_ts")
    try:
        done = await client.files_completeUploadExternal(
            files=[{"id": file_id, "title": f.name} for file_id, f in zip(uploaded, files, strict=True)],
            channel_id=channel,
            blocks=json.dumps(list(blocks)),
            **({"thread_ts": thread} if thread else {}),
        )
    except Exception as exc:
        raise fail(exc, True) from exc
    ts = shared_ts(done.get("files") or [], channel)
    for delay in SHARE_LOOKUPS:
        if ts is not None:
            return ts
        if delay:
            await sleep(delay)
        try:
            info = await client.files_info(file=uploaded[0])
        except Exception as exc:
            raise fail(exc, True) from exc
        ts = shared_ts([info.get("file") or {}], channel)
    if ts is not None:
        return ts
    raise TransientSendError("Slack shared the files but did not say where yet", maybe_posted=True)


async def _upload(
    client: AsyncWebClient, session: aiohttp.ClientSession, store: FileStore, f: Attachment, fail: Fail
) -> str:
    try:
        data = await store.read(sha256=f.sha256)
    except FileMissing as exc:
        raise PermanentSendError(f"attachment {f.name} is missing: {exc}", deactivate=False) from exc
    try:
        ticket = await client.files_getUploadURLExternal(filename=f.name, length=len(data))
    except Exception as exc:
        raise fail(exc, False) from exc
    url, file_id = str(ticket["upload_url"]), str(ticket["file_id"])
    form = aiohttp.FormData()
    form.add_field("filename", data, filename=f.name, content_type=f.media_type)
    try:
        async with session.post(
            url, data=form, timeout=aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)
        ) as answer:
            if answer.status == 429 or answer.status >= 500:
                raise TransientSendError(f"upload answered HTTP {answer.status}")
            if answer.status != 200:
                raise PermanentSendError(
                    f"upload of {f.name} refused: HTTP {answer.status}", deactivate=False
                )
    except (aiohttp.ClientError, TimeoutError) as exc:
        # Nothing is in a channel before the completion: safe to try again.
        raise TransientSendError(f"upload of {f.name} failed: {type(exc).__name__}") from exc
    return file_id


async def delete_shared_files(client: AsyncWebClient, channel: str, ts: str, fail: Fail) -> int:
    """Delete the files the share `ts` in `channel` carries (deleting the message leaves them in the
    workspace's files); how many. Files are listed with files.list (Tier 3, unlike channel history)
    among those created up to the share, and kept only when Slack says they were shared by `ts`.
    Deleted already (a retry of a recall): nothing is listed, nothing to do."""
    try:
        shared_at = float(ts)
    except ValueError:
        return 0
    try:
        listed = await client.files_list(
            channel=channel, ts_from=str(int(shared_at - UPLOAD_WINDOW)), ts_to=str(int(shared_at) + 1),
            types="all", count=LIST_PAGE,
        )  # fmt: skip
    except Exception as exc:
        raise fail(exc, False) from exc
    deleted = 0
    for f in listed.get("files") or []:
        if f.get("shares") is None:  # not every answer carries shares: ask for the file itself
            try:
                f = (await client.files_info(file=str(f.get("id")))).get("file") or {}
            except SlackApiError:
                continue
        if ts not in _share_timestamps(f, channel):
            continue
        try:
            await client.files_delete(file=str(f["id"]))
            deleted += 1
        except SlackApiError as exc:
            if exc.response.get("error") not in ("file_not_found", "file_deleted"):
                raise fail(exc, False) from exc
        except Exception as exc:
            raise fail(exc, False) from exc
    return deleted


def _share_timestamps(f: Mapping[str, Any], channel: str) -> set[str]:
    shares = f.get("shares") or {}
    return {
        str(share.get("ts"))
        for kind in ("public", "private")
        for share in (shares.get(kind) or {}).get(channel) or []
    }


def shared_ts(files: Sequence[Mapping[str, Any]], channel: str) -> str | None:
    """The `ts` of the message that shares these files in `channel`, once Slack says
    (`shares.public|private[channel][0].ts`)."""
    for f in files:
        shares = f.get("shares") or {}
        for kind in ("public", "private"):
            for share in (shares.get(kind) or {}).get(channel) or []:
                if share.get("ts"):
                    return str(share["ts"])
    return None
