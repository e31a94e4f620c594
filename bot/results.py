"""What use-cases hand back: typed results that say what happened, in no language.

A service returns one of these; `bot/presenter.py` turns it into a `Reply` in the words of
`bot/messages.py`. The chat adapters, the CLI and a future web dashboard can read the same values
without parsing text. Only the broadcast path (draft → preview → send) returns them so far; the
words a result still carries (`notes`, `when`, `message`) are made by the scheduling service and the
known-values check, which have not moved to typed results yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.announcements import Announcement, Reach
from bot.domain.conversation import Refusal, RefusalCode


@dataclass(frozen=True, slots=True)
class Previewed:
    """A draft and who it reaches. `notes` say when its deliveries go out (scheduling's lines);
    `ack_hours` is when partners who have not acknowledged get their reminder."""

    announcement: Announcement
    reach: Reach
    notes: tuple[str, ...] = ()
    ack_hours: float = 4.0


@dataclass(frozen=True, slots=True)
class SentSummary:
    """A broadcast on its way: `channels` deliveries written, at `when` (a scheduled time, in words)
    or now (`when` is None); `notes` say what waits for quiet hours or digests."""

    announcement: Announcement
    channels: int
    when: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Refused:
    """Why the core refused: a code, the input it is about, and the values its sentence names.

    `value` is the offending input (a topic slug), `suggestion` the closest known one, `status` the
    announcement's status (`AnnouncementStatus` value) for NOT_A_DRAFT, `audience` the audience in
    words for EMPTY_AUDIENCE. `message` holds words another part of the core already made (a time
    the scheduler refused, an unknown tier); the presenter shows it as it is.
    """

    code: RefusalCode | None
    field: str = ""
    announcement_id: int | None = None
    value: str = ""
    suggestion: str = ""
    status: str = ""
    audience: str = ""
    message: str = ""

    @property
    def refusal(self) -> Refusal | None:
        return None if self.code is None else Refusal(self.code, self.field)


BroadcastResult = Previewed | Refused
SendResult = SentSummary | Refused
