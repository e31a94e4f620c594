"""Where attachments' bytes live (content-addressed), and reading a local path (console, CLI)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.files import FileUsage, NewFile, StoredBytes


class FileMissing(Exception):
    """The store has no file under that hash (deleted by hand, another machine's directory)."""


class FileUnreadable(Exception):
    """A local path that cannot be read; the message says why, in words for the admin."""


class FileStore(Protocol):
    """Attachment bytes, stored once under their SHA-256. `storage.files.FilesystemFileStore`."""

    async def put(self, *, data: bytes) -> str:
        """Store `data` (a no-op when it is there already, written atomically otherwise); its hash."""
        ...

    async def read(self, *, sha256: str) -> bytes:
        """The bytes stored under `sha256`; FileMissing when there are none."""
        ...

    async def has(self, *, sha256: str) -> bool:
        """Whether `read` would find bytes under `sha256` (without reading them)."""
        ...


class LocalFiles(Protocol):
    """Reads a file the admin names by its path, in the console or the CLI only (never from a chat
    platform: a path there would be a path on partnerbot's server). `storage.files.LocalFileReader`."""

    async def read(self, *, path: str) -> NewFile:
        """The file's name and bytes; FileUnreadable (in words) when it cannot be read."""
        ...


class FileBytes(Protocol):
    """What a collection of unused files needs from the FileStore besides `put`/`read`."""

    async def contents(self) -> list[StoredBytes]:
        """Everything stored, temporary files of interrupted writes included (`partial`)."""
        ...

    async def remove(self, *, key: str, unless_after: datetime) -> bool:
        """Remove the bytes under `key` unless they were written or stored again after `unless_after`
        (checked right before removing: a content attached again meanwhile stays); whether removed."""
        ...


class FileUsageStore(Protocol):
    """Which stored contents announcements still carry. `storage.repositories.files`."""

    async def usage(self) -> FileUsage:
        """The recorded contents no draft, scheduled, sending or sent announcement carries (with the
        cancelled or recalled ones that did), and every recorded content."""
        ...
