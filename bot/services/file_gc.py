"""Collecting the files no announcement needs any more (`partnerbot files gc`, the files-gc job).

Stored bytes are removed when no live announcement (draft, scheduled, sending, sent) carries them:
only cancelled or recalled ones did, their drafts were discarded, or no announcement was ever saved
with them (a draft refused after its files were stored). A content is never removed while a live
announcement carries it, whoever else did. The database keeps its record of every content (hash,
size, type) and the names announcements gave it, so a cancelled announcement still says what it
carried, and attaching the same content again simply stores it again.

Bytes written or stored again within `GRACE` are left for a later run: a draft stores its files a
moment before it is saved, and re-attaching a content touches it (storage/files.py), so a content
being attached right now is never taken from under it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.files import FilesCollected, UnusedFile, UnusedWhy
from bot.ports.clock import Clock
from bot.ports.files import FileBytes, FileUsageStore

GRACE = timedelta(hours=1)


class FileCollector:
    def __init__(self, usage: FileUsageStore, files: FileBytes, clock: Clock, *, grace: timedelta = GRACE):
        self._usage = usage
        self._files = files
        self._clock = clock
        self._grace = grace

    async def collect(self, *, dry_run: bool = False) -> FilesCollected:
        """Remove (or, with `dry_run`, only list) the stored bytes no live announcement carries."""
        cutoff = self._clock.now() - self._grace
        usage = await self._usage.usage()
        unused = {f.key: f for f in usage.unused}
        candidates: list[UnusedFile] = []
        for stored in await self._files.contents():
            if stored.modified > cutoff:
                continue  # being written or attached right now, perhaps: a later run decides
            if stored.partial:
                candidates.append(UnusedFile(stored.key, stored.size, UnusedWhy.INCOMPLETE))
            elif stored.key in unused:
                found = unused[stored.key]
                candidates.append(
                    UnusedFile(found.key, stored.size, found.why, found.names, found.announcements)
                )
            elif stored.key not in usage.known:
                candidates.append(UnusedFile(stored.key, stored.size, UnusedWhy.UNTRACKED))
        if dry_run:
            return FilesCollected(tuple(candidates), dry_run=True)
        removed = [f for f in candidates if await self._files.remove(key=f.key, unless_after=cutoff)]
        return FilesCollected(tuple(removed), dry_run=False)


def largest_first(collected: FilesCollected) -> list[UnusedFile]:
    """The collected files largest first (what a person reading the list cares about), then by key."""
    return sorted(collected.removed, key=lambda f: (-f.size, f.key))


__all__ = ["GRACE", "FileCollector", "largest_first"]
