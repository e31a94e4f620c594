"""Repositories: rows ↔ domain values. Each method is one short transaction."""

from storage.repositories.acks import AckRepository
from storage.repositories.announcements import AnnouncementRepository
from storage.repositories.approvals import ApprovalRepository
from storage.repositories.audiences import SavedAudienceRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.caps import CapRepository
from storage.repositories.command_sync import CommandSyncRepository
from storage.repositories.cta import CtaRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.directory import DirectoryRepository
from storage.repositories.engagement import EngagementRepository
from storage.repositories.faq import FaqRepository
from storage.repositories.faq_vectors import FaqVectorRepository
from storage.repositories.feedback import FeedbackRepository
from storage.repositories.jobs import JobRunRepository
from storage.repositories.notices import NoticeRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.privacy import PrivacyRepository
from storage.repositories.progress import ProgressRepository
from storage.repositories.ratelimits import RateLimitRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.revisions import RevisionRepository
from storage.repositories.scheduling import ScheduleRepository
from storage.repositories.search import SearchRepository
from storage.repositories.series import SeriesRepository
from storage.repositories.stats import StatsRepository
from storage.repositories.subscriptions import SubscriptionRepository
from storage.repositories.topics import TopicRepository
from storage.repositories.variants import VariantRepository

__all__ = [
    "AckRepository",
    "AnnouncementRepository",
    "ApprovalRepository",
    "AuditRepository",
    "CapRepository",
    "CommandSyncRepository",
    "CtaRepository",
    "DigestRepository",
    "DirectoryRepository",
    "EngagementRepository",
    "FaqRepository",
    "FaqVectorRepository",
    "FeedbackRepository",
    "JobRunRepository",
    "NoticeRepository",
    "OutboxRepository",
    "PrivacyRepository",
    "ProgressRepository",
    "RateLimitRepository",
    "ReportRepository",
    "RevisionRepository",
    "SavedAudienceRepository",
    "ScheduleRepository",
    "SearchRepository",
    "SeriesRepository",
    "StatsRepository",
    "SubscriptionRepository",
    "TopicRepository",
    "VariantRepository",
]
