"""The files on a Slack message, downloaded for an announcement ("Broadcast to partners" on it).

Each file's `url_private_download` needs the bot token in `Authorization: Bearer` (scope
`files:read`); without it Slack answers its sign-in page (HTML, status 200) instead of the file, so
an HTML answer for a file that is not HTML is a failed download, never an attachment.
https://docs.slack.dev/messaging/working-with-files#authenticating
"""

from __future__ import annotations

from typing import Final

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages as m
from bot.attachments import SLACK_FILE
from bot.domain import NewFile

DOWNLOAD_TIMEOUT: Final = 120.0


class DownloadFailed(Exception):
    """A file that could not be fetched; `reason` is said to the admin."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


async def download_files(client: AsyncWebClient, file_ids: tuple[str, ...]) -> list[NewFile]:
    """Every file, in order, or DownloadFailed for the first that cannot be had."""
    files = []
    async with aiohttp.ClientSession() as session:
        for file_id in file_ids:
            files.append(await _download(client, session, file_id))
    return files


async def _download(client: AsyncWebClient, session: aiohttp.ClientSession, file_id: str) -> NewFile:
    try:
        info = (await client.files_info(file=file_id)).get("file") or {}
    except SlackApiError as exc:
        raise DownloadFailed(file_id, str(exc.response.get("error") or "files.info failed")) from exc
    name = str(info.get("name") or file_id)
    url = str(info.get("url_private_download") or "")
    if not url or info.get("mode") in ("tombstone", "hidden_by_limit", "external"):
        raise DownloadFailed(name, "no download")
    if int(info.get("size") or 0) > SLACK_FILE:
        raise DownloadFailed(name, "too large")
    headers = {"Authorization": f"Bearer {client.token}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
    try:
        async with session.get(url, headers=headers, timeout=timeout) as answer:
            html = answer.content_type == "text/html" and info.get("mimetype") != "text/html"
            if answer.status != 200 or html:
                raise DownloadFailed(
                    name, f"HTTP {answer.status}" if answer.status != 200 else "not authorised"
                )
            return NewFile(name, await answer.read())
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DownloadFailed(name, type(exc).__name__) from exc


def failed_words(failed: DownloadFailed) -> str:
    return m.FILE_DOWNLOAD_FAILED.format(name=failed.name, platform="Slack", reason=failed.reason)
