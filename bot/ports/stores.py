"""Every store, in one bag, as the composition root builds them. Services never get the bag: each
receives only the ports it uses (wired in bot/core.py and bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports.analytics import ProgressStore, ReportStore, StatsStore
from bot.ports.announcements import AnnouncementStore, RevisionStore
from bot.ports.approvals import ApprovalStore
from bot.ports.audiences import SavedAudienceStore
from bot.ports.audit import AuditStore
from bot.ports.caps import CapStore
from bot.ports.cta import CtaStore
from bot.ports.directory import DirectoryStore
from bot.ports.engagement import EngagementStore, ScoreSnapshots
from bot.ports.faq import FaqStore
from bot.ports.feedback import AckStore, FeedbackStore
from bot.ports.files import FileUsageStore
from bot.ports.jobs import JobRunStore
from bot.ports.outbox import DigestStore, NoticeStore, OutboxStore
from bot.ports.privacy import PrivacyStore
from bot.ports.scheduling import ScheduleStore
from bot.ports.search import SearchStore
from bot.ports.sending import RateLimitRows
from bot.ports.series import SeriesStore
from bot.ports.topics import SubscriptionStore, TopicStore
from bot.ports.variants import VariantStore


@dataclass(frozen=True, slots=True)
class Stores:
    """Every store, built by the composition root; PartnerBot and bot/app.py hand each service its own."""

    topics: TopicStore
    directory: DirectoryStore
    subscriptions: SubscriptionStore
    announcements: AnnouncementStore
    outbox: OutboxStore
    feedback: FeedbackStore
    stats: StatsStore
    audit: AuditStore
    schedules: ScheduleStore
    digests: DigestStore
    notices: NoticeStore
    job_runs: JobRunStore
    reports: ReportStore
    acks: AckStore
    revisions: RevisionStore
    progress: ProgressStore
    rate_limits: RateLimitRows
    privacy: PrivacyStore
    engagement: EngagementStore
    audiences: SavedAudienceStore
    ctas: CtaStore
    variants: VariantStore
    search: SearchStore
    file_usage: FileUsageStore
    series: SeriesStore
    caps: CapStore
    approvals: ApprovalStore
    faq: FaqStore
    score_snapshots: ScoreSnapshots
