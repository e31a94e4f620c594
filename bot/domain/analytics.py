"""What stats, reports and live progress messages read: per announcement, per topic, per broadcast."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.announcements import AnnouncementStatus
from bot.domain.cta import CtaClicks
from bot.domain.refs import ChannelRef


@dataclass(frozen=True, slots=True)
class AnnouncementStats:
    announcement_id: int
    title: str
    status: AnnouncementStatus
    targeted: int
    delivered: int
    failed: int
    pending: int
    in_digest: int
    reactions: dict[str, int]
    questions_asked: int
    questions_answered: int
    reach_by_tier: dict[str, int]
    reach_by_region: dict[str, int]
    failures_by_reason: dict[str, int]
    # Engagement events on this announcement (bot/domain/engagement.py): proactive (questions asked,
    # a topic muted from it) and reactive (reactions added or removed, Helpful, Acknowledge, answers).
    proactive: int = 0
    reactive: int = 0
    # Clicks on its calls to action, per CTA in order, by tier and region (bot/domain/cta.py).
    ctas: tuple[CtaClicks, ...] = ()
    # Copies over their channel's weekly cap, held for a digest instead (bot/caps.py); those still
    # waiting are in `in_digest` too.
    capped: int = 0
    # Answers that already exist (issue 18): questions closed by an offered answer ("This answers it")
    # and questions that went to the team (asked anyway, no match, or the offer's wait ran out).
    questions_self_served: int = 0
    questions_relayed: int = 0


@dataclass(frozen=True, slots=True)
class TopicStats:
    slug: str
    announcements: int
    delivered: int
    reactions: int
    questions: int
    # Engagement events on the topic (subscriptions, news pulls, mutes…) or on its sent announcements.
    proactive: int = 0
    reactive: int = 0
    # Its announcements' copies over a channel's weekly cap (over-sending on the topic; bot/caps.py).
    capped: int = 0


@dataclass(frozen=True, slots=True)
class ProgressSlot:
    """A broadcast whose progress message in the admin channel is posted and not final yet."""

    announcement_id: int
    title: str
    status: AnnouncementStatus
    shown: str  # the text the message shows now
    notice_id: int
    channel: ChannelRef
    message_id: str


@dataclass(frozen=True, slots=True)
class DeliveryProgress:
    """Where one announcement's deliveries stand, for a live progress message or `broadcast --wait`.

    Each delivery row counts once: `sent`; `failed` (for good); `held` (waiting on purpose: for a
    digest, for the end of quiet hours, or for a scheduled time, possibly each channel's own);
    `pending` (queued or being sent, retries included); `withdrawn` (taken back, e.g. recalled).
    `failures_by_reason` groups `failed` by a normalised reason, most frequent first.
    """

    announcement_id: int
    total: int
    sent: int
    pending: int
    failed: int
    held: int
    withdrawn: int = 0
    failures_by_reason: tuple[tuple[str, int], ...] = ()
    # Rows over their channel's weekly cap (bot/caps.py), whatever their state now: held for a digest,
    # or sent in one.
    capped: int = 0

    @property
    def done(self) -> int:
        """Deliveries with a final outcome (sent or failed)."""
        return self.sent + self.failed

    @property
    def in_flight(self) -> bool:
        """Whether anything is still queued to go out now (held rows go out later, on purpose)."""
        return self.pending > 0
