"""Attachment bytes on the filesystem, content-addressed: `<dir>/ab/cdef…` for SHA-256 `abcdef…`.

Writes are atomic (a temporary file in the same directory, flushed and fsynced, then renamed over
the final name), so a reader never sees half a file and a crash leaves at most a temporary file.
The same content is written once, whoever attaches it how often.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

from bot import messages as m
from bot.attachments import SLACK_FILE, human_size
from bot.domain.files import NewFile, StoredBytes
from bot.ports.files import FileMissing, FileUnreadable

_HASH = re.compile(r"^[0-9a-f]{64}$")
_PREFIX = re.compile(r"^[0-9a-f]{2}$")
# Temporary files of writes in progress (or interrupted by a crash), beside the final names.
_INCOMING = ".incoming-"


# A fan-out reads the same few files once per channel: the most recently read stay in memory, up
# to this many bytes in all (a file larger than it is read from disk every time).
READ_CACHE_BYTES = 64 * 1024 * 1024


class FilesystemFileStore:
    """`FileStore` (and `FileBytes`, for collecting unused files) in a directory (created on first
    write). Only the store's own names are listed or removed: anything else in it is left alone."""

    def __init__(self, root: str | os.PathLike[str], *, cache_bytes: int = READ_CACHE_BYTES) -> None:
        self._root = Path(root)
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached = 0

    @property
    def root(self) -> Path:
        return self._root

    async def put(self, *, data: bytes) -> str:
        return await asyncio.to_thread(self._put, data)

    async def read(self, *, sha256: str) -> bytes:
        data = self._cache.get(sha256)
        if data is not None:
            self._cache.move_to_end(sha256)
            return data
        data = await asyncio.to_thread(self._read, sha256)
        self._remember(sha256, data)
        return data

    async def has(self, *, sha256: str) -> bool:
        # On disk, not in the read cache: bytes removed (by `files gc`, or by hand) are gone for good.
        try:
            path = self.path_of(sha256)
        except FileMissing:
            return False
        return await asyncio.to_thread(path.is_file)

    def _remember(self, sha256: str, data: bytes) -> None:
        if len(data) > self._cache_bytes or sha256 in self._cache:
            return
        self._cache[sha256] = data
        self._cached += len(data)
        while self._cached > self._cache_bytes:
            _, dropped = self._cache.popitem(last=False)
            self._cached -= len(dropped)

    def path_of(self, sha256: str) -> Path:
        if not _HASH.match(sha256):
            raise FileMissing(f"not a SHA-256: {sha256!r}")
        return self._root / sha256[:2] / sha256[2:]

    def _put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        final = self.path_of(sha256)
        if final.exists() and final.stat().st_size == len(data):
            # Stored again: touched, so a collection of unused files running now leaves it
            # (bot/services/file_gc.py).
            os.utime(final)
            return sha256
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=_INCOMING)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, final)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return sha256

    async def contents(self) -> list[StoredBytes]:
        return await asyncio.to_thread(self._contents)

    async def remove(self, *, key: str, unless_after: datetime) -> bool:
        removed = await asyncio.to_thread(self._remove, key, unless_after.timestamp())
        if removed and key in self._cache:
            self._cached -= len(self._cache.pop(key))
        return removed

    def _contents(self) -> list[StoredBytes]:
        if not self._root.is_dir():
            return []
        found: list[StoredBytes] = []
        for folder in sorted(self._root.iterdir()):
            if not (folder.is_dir() and _PREFIX.match(folder.name)):
                continue  # not ours: left alone
            for path in sorted(folder.iterdir()):
                partial = path.name.startswith(_INCOMING)
                key = f"{folder.name}/{path.name}" if partial else folder.name + path.name
                if not (partial or _HASH.match(key)) or not path.is_file():
                    continue
                stat = path.stat()
                found.append(
                    StoredBytes(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC), partial)
                )
        return found

    def _remove(self, key: str, unless_after: float) -> bool:
        if _HASH.match(key):
            path = self.path_of(key)
        else:
            folder, _, name = key.partition("/")
            if not (_PREFIX.match(folder) and name.startswith(_INCOMING) and "/" not in name):
                return False
            path = self._root / folder / name
        try:
            if path.stat().st_mtime > unless_after:
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def _read(self, sha256: str) -> bytes:
        try:
            return self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            raise FileMissing(f"no stored file {sha256}") from None


class LocalFileReader:
    """`LocalFiles`: a path the admin typed in the console or gave the CLI."""

    def __init__(self, *, max_size: int = SLACK_FILE, base: str | os.PathLike[str] | None = None) -> None:
        self._max = max_size
        self._base = Path(base) if base is not None else None

    async def read(self, *, path: str) -> NewFile:
        return await asyncio.to_thread(self._read, path)

    def _read(self, path: str) -> NewFile:
        target = Path(path).expanduser()
        if self._base is not None and not target.is_absolute():
            target = self._base / target
        try:
            if target.is_dir():
                raise FileUnreadable(m.FILE_UNREADABLE_DIRECTORY)
            size = target.stat().st_size
            if size > self._max:
                raise FileUnreadable(m.FILE_UNREADABLE_TOO_LARGE.format(limit=human_size(self._max)))
            return NewFile(target.name, target.read_bytes())
        except FileNotFoundError:
            raise FileUnreadable(m.FILE_UNREADABLE_MISSING) from None
        except PermissionError:
            raise FileUnreadable(m.FILE_UNREADABLE_DENIED) from None
        except OSError as exc:
            raise FileUnreadable(exc.strerror or type(exc).__name__) from None
