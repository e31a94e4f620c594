"""Where attachments' bytes live (content-addressed), and reading a local path (console, CLI)."""

from __future__ import annotations

from typing import Protocol

from bot.domain.files import NewFile


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


class LocalFiles(Protocol):
    """Reads a file the admin names by its path, in the console or the CLI only (never from a chat
    platform: a path there would be a path on partnerbot's server). `storage.files.LocalFileReader`."""

    async def read(self, *, path: str) -> NewFile:
        """The file's name and bytes; FileUnreadable (in words) when it cannot be read."""
        ...
