"""When a scheduled announcement goes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a scheduled announcement goes out: the wall-clock `wall` in `zone`, or, when `zone` is
    None (`at:"… local"`), in each channel's own zone. `first` is the earliest UTC instant."""

    wall: datetime
    zone: str | None
    first: datetime

    @property
    def local(self) -> bool:
        return self.zone is None
