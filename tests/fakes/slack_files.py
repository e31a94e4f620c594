"""Files on the fake Slack: the external upload flow, files.info / files.delete, and downloads.

From Slack's documentation (https://docs.slack.dev/messaging/working-with-files#uploading_files):
1. `files.getUploadURLExternal` (filename, length; Tier 4) answers an `upload_url` and a `file_id`;
   a `length` of 0 is refused with `missing_argument`.
2. The bytes are POSTed to the upload URL, raw or multipart; it answers HTTP 200 `OK - <length>`.
3. `files.completeUploadExternal` (files = [{id, title}], optional channel_id / channels,
   thread_ts, initial_comment or blocks — blocks are ignored with an initial_comment) shares them;
   its answer lists only each file's `id` and `title`. Where a file was shared (its message `ts`) is
   in `shares` of `files.info`. Without a channel the files stay private.
4. `url_private_download` needs `Authorization: Bearer <token>` of the file's workspace; without
   it Slack answers its sign-in page (HTML, status 200), not the file.
`files.delete` deletes a file; the message that shared it keeps a tombstone in its place.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import BodyPartReader, web

JSON = dict[str, Any]
MAX_FILE = 1024 * 1024 * 1024  # 1 GB per file


class FilesError(Exception):
    """An `ok: false` answer of one of the files methods."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class StoredFile:
    id: str
    team_id: str
    user: str
    name: str
    length: int
    mimetype: str = "application/octet-stream"
    title: str = ""
    data: bytes | None = None  # None until the bytes reach the upload URL
    completed: bool = False
    deleted: bool = False
    shares: dict[str, dict[str, list[JSON]]] = field(default_factory=dict)
    created: float = 0.0  # epoch seconds

    def to_api(self, origin: str) -> JSON:
        url = f"{origin}/files-pri/{self.team_id}-{self.id}/download/{self.name}"
        return {
            "id": self.id, "name": self.name, "title": self.title or self.name, "mimetype": self.mimetype,
            "size": len(self.data or b""), "user": self.user, "is_public": "public" in self.shares,
            "url_private": url.replace("/download/", "/"), "url_private_download": url,
            "shares": self.shares, "channels": sorted(self.shares.get("public", {})),
            "created": int(self.created), "timestamp": int(self.created),
        }  # fmt: skip


class SlackFiles:
    """The files half of FakeSlack (`fake.files`); `post` stores a message in a channel."""

    def __init__(
        self, origin: Callable[[], str], new_id: Callable[[str], str], epoch: Callable[[], float]
    ) -> None:
        self._origin = origin
        self._new_id = new_id
        self._epoch = epoch
        self.files: dict[str, StoredFile] = {}
        self.uploads = itertools.count()
        self.downloads: list[str] = []  # file ids served to an authorised download

    # --- arrange: a person's file on a message (what a shortcut's payload carries) --------------

    def add_user_file(self, team_id: str, user: str, name: str, data: bytes, mimetype: str) -> JSON:
        f = StoredFile(self._new_id("F"), team_id, user, name, len(data), mimetype, name, data, True)
        f.created = self._epoch()
        self.files[f.id] = f
        return f.to_api(self._origin())

    # --- methods ---------------------------------------------------------------------------------

    def get_upload_url(self, ctx: Any) -> JSON:
        name = ctx.arg("filename")
        try:
            length = int(ctx.arg("length"))
        except ValueError:
            raise FilesError("invalid_arguments") from None
        if length <= 0:
            raise FilesError("missing_argument")
        if length > MAX_FILE:
            raise FilesError("file_upload_size_restricted")
        f = StoredFile(self._new_id("F"), ctx.ws.team_id, ctx.ws.bot_user_id, name, length)
        f.created = self._epoch()
        self.files[f.id] = f
        return {"ok": True, "upload_url": f"{self._origin()}/upload/v1/{f.id}", "file_id": f.id}

    def complete_upload(self, ctx: Any, channel_of: Callable[[Any], Any], post: Callable[..., Any]) -> JSON:
        entries = ctx.json_arg("files")
        if not isinstance(entries, list) or not entries:
            raise FilesError("invalid_arguments")
        found: list[StoredFile] = []
        for entry in entries:
            f = self.files.get(str((entry or {}).get("id")))
            if f is None or f.team_id != ctx.ws.team_id or f.completed or f.data is None:
                raise FilesError("file_not_found")
            f.title = str(entry.get("title") or f.name)
            found.append(f)
        channel_id = ctx.opt("channel_id") or ctx.opt("channels")
        for f in found:
            f.completed = True
        out = [{"id": f.id, "title": f.title} for f in found]
        if channel_id is None:
            return {"ok": True, "files": out}
        ch = channel_of(replace(ctx, params={**ctx.params, "channel": channel_id}))
        comment = ctx.opt("initial_comment")
        blocks = None if comment is not None else ctx.json_arg("blocks")
        shared = [f.to_api(self._origin()) for f in found]
        ts = post(ctx.ws, ch, comment or "", blocks, ctx.opt("thread_ts"), shared)
        kind = "private" if ch.is_private else "public"
        for f in found:
            f.shares.setdefault(kind, {}).setdefault(ch.id, []).append({"ts": ts, "channel_name": ch.name})
        return {"ok": True, "files": out}

    def info(self, ctx: Any) -> JSON:
        f = self.files.get(ctx.arg("file"))
        if f is None or f.deleted or f.team_id != ctx.ws.team_id:
            raise FilesError("file_not_found")
        return {"ok": True, "file": f.to_api(self._origin())}

    def list(self, ctx: Any) -> JSON:
        """files.list: the workspace's shared files, newest first, filtered by `channel`, `user` and
        creation time (`ts_from`, `ts_to`, epoch seconds, inclusive); paged by `count` and `page`."""
        channel, user = ctx.opt("channel"), ctx.opt("user")
        try:
            ts_from, ts_to = float(ctx.opt("ts_from") or 0), float(ctx.opt("ts_to") or "inf")
            count, page = int(ctx.opt("count") or 100), int(ctx.opt("page") or 1)
        except ValueError:
            raise FilesError("invalid_arguments") from None
        found = [
            f for f in self.files.values()
            if f.team_id == ctx.ws.team_id and f.completed and not f.deleted and f.shares
            and (channel is None or any(channel in by_channel for by_channel in f.shares.values()))
            and (user is None or f.user == user) and ts_from <= f.created <= ts_to
        ]  # fmt: skip
        found.sort(key=lambda f: f.created, reverse=True)
        pages = max(1, -(-len(found) // count))
        shown = found[(page - 1) * count : page * count]
        paging = {"count": count, "total": len(found), "page": page, "pages": pages}
        return {"ok": True, "files": [f.to_api(self._origin()) for f in shown], "paging": paging}

    def delete(self, ctx: Any) -> JSON:
        f = self.files.get(ctx.arg("file"))
        if f is None or f.team_id != ctx.ws.team_id:
            raise FilesError("file_not_found")
        if f.deleted:
            raise FilesError("file_deleted")
        if f.user != ctx.ws.bot_user_id:
            raise FilesError("cant_delete_file")
        f.deleted = True
        return {"ok": True}

    # --- HTTP: the upload URL and downloads ------------------------------------------------------

    def add_routes(self, app: web.Application, token_team: Callable[[str], str | None]) -> None:
        self._token_team = token_team
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_get("/files-pri/{key}/download/{name}", self._download)

    async def _upload(self, request: web.Request) -> web.Response:
        f = self.files.get(request.match_info["file_id"])
        if f is None or f.completed:
            return web.Response(status=404, text="Not Found")
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            part = await reader.next()
            data = bytes(await part.read()) if isinstance(part, BodyPartReader) else b""
            if isinstance(part, BodyPartReader) and part.headers.get("Content-Type"):
                f.mimetype = part.headers["Content-Type"]
        else:
            data = await request.read()
        if len(data) != f.length:
            return web.Response(status=400, text=f"length mismatch: expected {f.length}, got {len(data)}")
        f.data = data
        next(self.uploads)
        return web.Response(text=f"OK - {len(data)}")

    async def _download(self, request: web.Request) -> web.Response:
        team_id, _, file_id = request.match_info["key"].partition("-")
        f = self.files.get(file_id)
        header = request.headers.get("Authorization", "")
        team = (
            self._token_team(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
        )
        if team != team_id:  # Slack shows its sign-in page instead of the file
            return web.Response(text="<!DOCTYPE html><html><body>Sign in to Slack</body></html>",
                                content_type="text/html")  # fmt: skip
        if f is None or f.deleted or f.data is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(f.id)
        return web.Response(body=f.data, content_type=f.mimetype)
