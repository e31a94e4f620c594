"""Fatigue caps: at most N non-urgent announcements per channel per rolling week (issue 19).

The cap is the channel's own (`settings cap <n>`), else the vendor's (`PARTNERBOT_WEEKLY_CAP`);
`settings cap off` means no cap for that channel even when the vendor sets one, and `settings cap
default` follows the vendor again. Urgent announcements always pass and never count.

It is decided when a broadcast's delivery rows are written (send, or schedule), in the same
INSERT … SELECT (storage/repositories/targeting.py), so the outbox and its lease path are unchanged:
a row over the cap is written as a held `digest` row with `capped` set instead of a `pending` one.
A digest channel's capped row joins its next digest; an immediate channel's waits for a "You also
missed" digest at the channel's digest hour (bot/services/digests.py, period kind `missed`).

What counts: the channel's non-urgent deliveries posted (or queued to be posted) as a message of their
own — not those a digest carried — whose time (sent, else due) lies within a week either side of the
new row's due time. Counting both sides keeps every 7-day window at or under the cap even when
announcements are scheduled ahead. Two broadcasts written at the very same moment do not see each
other and may both pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

WINDOW = timedelta(days=7)
MIN_CAP = 1
MAX_CAP = 50
CAP_OFF = 0  # stored for `settings cap off`
MISSED = "missed"  # the period kind of an immediate channel's "You also missed" digest


@dataclass(frozen=True, slots=True)
class WeeklyCap:
    """The rule `start_sending` caps a non-urgent broadcast with: the vendor default (None: off),
    which a channel's own `weekly_cap` overrides."""

    vendor: int | None


def effective_cap(channel: int | None, vendor: int | None) -> int | None:
    """A channel's cap: its own (0: off), else the vendor's; None when there is none."""
    if channel is None:
        return vendor
    return channel or None


@dataclass(frozen=True, slots=True)
class CapReach:
    """For a preview: the targeted channels already at their weekly cap, by what happens there.

    `missed`: immediate channels, where it waits for a "You also missed" digest; `digest`: digest
    channels it would have reached at once (digests not held), where it joins their next digest.
    `caps`: the distinct caps of those channels, smallest first.
    """

    missed: int = 0
    digest: int = 0
    caps: tuple[int, ...] = ()

    @property
    def channels(self) -> int:
        return self.missed + self.digest
