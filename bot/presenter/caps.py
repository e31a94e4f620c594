"""Fatigue caps in words (bot/caps.py): the preview's lines about channels at their weekly cap."""

from __future__ import annotations

from datetime import time

from bot import messages as m
from bot.caps import CapReach
from bot.formats import clock
from bot.timezones import DigestTime


def cap_lines(reach: CapReach, digest_at: DigestTime) -> list[str]:
    """ "🧢 40 channels are at their weekly cap of 3: they get this in their next digest." — one line
    per outcome, none when no targeted channel is at its cap."""
    if not reach.channels:
        return []
    caps = (
        m.CAP_OF.format(cap=reach.caps[0])
        if len(reach.caps) == 1
        else m.CAP_FROM_TO.format(low=reach.caps[0], high=reach.caps[-1])
    )
    lines = []
    if reach.missed:
        when = m.DIGEST_EVERY_DAY.format(time=clock(time(digest_at.hour, digest_at.minute)))
        lines.append(m.WAIT_CAP_MISSED(reach.missed, caps=caps, when=when))
    if reach.digest:
        lines.append(m.WAIT_CAP_DIGEST(reach.digest, caps=caps))
    return lines
