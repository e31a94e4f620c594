"""Saved audiences: a named set of broadcast filters (`audience save emea-gold tier:gold region:emea`)
that `broadcast audience:<name>` uses, resolved when the announcement is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.announcements import Audience


@dataclass(frozen=True, slots=True)
class SavedAudience:
    """A named audience: its filters and, optionally, the topics a broadcast using it is about when the
    broadcast names none (`topic:` on `audience save`)."""

    name: str
    audience: Audience
    topics: tuple[str, ...] = ()
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True, slots=True)
class AudienceUser:
    """An open draft that refers to a saved audience (and so keeps it from being deleted)."""

    announcement_id: int
    title: str
