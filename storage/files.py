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
from pathlib import Path

from bot import messages as m
from bot.attachments import SLACK_FILE, human_size
from bot.domain.files import NewFile
from bot.ports.files import FileMissing, FileUnreadable

_HASH = re.compile(r"^[0-9a-f]{64}$")


# A fan-out reads the same few files once per channel: the most recently read stay in memory, up
# to this many bytes in all (a file larger than it is read from disk every time).
READ_CACHE_BYTES = 64 * 1024 * 1024


class FilesystemFileStore:
    """`FileStore` in a directory (created on first write)."""

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
            return sha256
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
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
