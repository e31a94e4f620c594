"""Topics partners subscribe to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    id: int
    slug: str
    title: str
    description: str = ""
    archived: bool = False
