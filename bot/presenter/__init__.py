"""The one place typed results (bot/results.py) become replies, in the words of bot/messages.py.

A `Reply` is semantic: its text in the core's neutral markup, rows, buttons, and typed companions
adapters read instead of the words (`refusal`, `draft`). Each adapter renders it for its platform.
One module per capability: `broadcast` (preview, sent summary), `partners` (a partner's own
channel), `feedback` (Helpful, questions, answers), `admin` (topics, cancel, acknowledgements),
`scheduling` (reschedule, drafts), `revisions` (edit, recall), `analytics` (stats, scheduled),
`roster` (invite, partner card/set/remove), `refusals` (every refusal's sentence); `present`
picks the renderer by the result's type.
"""

from __future__ import annotations

from bot.domain.conversation import Reply
from bot.presenter.admin import (
    ack_listing_reply,
    acknowledged_reply,
    cancelled_reply,
    topic_added_reply,
    topic_archive_reply,
    topics_overview_reply,
)
from bot.presenter.analytics import scheduled_reply, stats_overview_reply, stats_reply
from bot.presenter.broadcast import CANCEL_ACTION as CANCEL_ACTION
from bot.presenter.broadcast import EDIT_ACTION as EDIT_ACTION
from bot.presenter.broadcast import RECALL_ACTION as RECALL_ACTION
from bot.presenter.broadcast import SEND_ACTION as SEND_ACTION
from bot.presenter.broadcast import TEST_ACTION as TEST_ACTION
from bot.presenter.broadcast import audience_words as audience_words
from bot.presenter.broadcast import preview_reply, sent_reply
from bot.presenter.feedback import FAQ_ASK_ACTION as FAQ_ASK_ACTION
from bot.presenter.feedback import FAQ_MARK_ACTION as FAQ_MARK_ACTION
from bot.presenter.feedback import FAQ_USED_ACTION as FAQ_USED_ACTION
from bot.presenter.feedback import (
    answered_reply,
    asked_reply,
    cta_opened_reply,
    helpful_reply,
    offered_reply,
    open_questions_reply,
    settled_reply,
)
from bot.presenter.files import files_refused_reply
from bot.presenter.language import localized as localized
from bot.presenter.partners import SUBSCRIBE_ACTION as SUBSCRIBE_ACTION
from bot.presenter.partners import UNSUBSCRIBE_ACTION as UNSUBSCRIBE_ACTION
from bot.presenter.partners import (
    cap_reply,
    joined_reply,
    language_reply,
    mode_reply,
    news_reply,
    quiet_reply,
    settings_reply,
    subscribed_reply,
    subscriptions_reply,
    timezone_reply,
    topics_reply,
    unsubscribed_reply,
)
from bot.presenter.refusals import error as error
from bot.presenter.refusals import refusal_reply
from bot.presenter.revisions import (
    edit_unchanged_reply,
    edited_reply,
    how_to_edit_reply,
    recalled_reply,
    revised_reply,
)
from bot.presenter.roster import (
    invited_reply,
    partner_changed_reply,
    partner_removed_reply,
    partner_shown_reply,
    partner_unchanged_reply,
)
from bot.presenter.scheduling import drafts_reply, rescheduled_reply
from bot.presenter.search import SHOW_ACTION as SHOW_ACTION
from bot.presenter.search import announcement_gone_reply, announcement_shown_reply, news_found_reply
from bot.results import (
    AckListing,
    Acknowledged,
    AckResult,
    AdminResult,
    AnnouncementGone,
    AnnouncementShown,
    Cancelled,
    ChannelSettings,
    CtaOpened,
    DraftsListed,
    Edited,
    EditUnchanged,
    FeedbackResult,
    FilesRefused,
    HelpfulCounted,
    HowToEdit,
    Invited,
    Joined,
    LanguageSet,
    ModeSet,
    NewsFound,
    NewsListed,
    OfferSettled,
    OpenQuestions,
    PartnerChanged,
    PartnerRemoved,
    PartnerResult,
    PartnerShown,
    PartnerUnchanged,
    Previewed,
    QuestionAnswered,
    QuestionAsked,
    QuestionOffered,
    QuietHoursSet,
    Recalled,
    Refused,
    Rescheduled,
    ReschedulingResult,
    Revised,
    RevisionResult,
    RosterResult,
    ScheduledListed,
    SentSummary,
    StatsOverview,
    StatsResult,
    StatsShown,
    Subscribed,
    SubscriptionsListed,
    TimezoneSet,
    TopicAdded,
    TopicArchiveSet,
    TopicsListed,
    TopicsOverview,
    Unsubscribed,
    WeeklyCapSet,
)

__all__ = [
    "CANCEL_ACTION",
    "EDIT_ACTION",
    "RECALL_ACTION",
    "SEND_ACTION",
    "SUBSCRIBE_ACTION",
    "TEST_ACTION",
    "UNSUBSCRIBE_ACTION",
    "audience_words",
    "error",
    "present",
    "preview_reply",
    "refusal_reply",
    "sent_reply",
]


def present(
    result: Previewed
    | FilesRefused
    | SentSummary
    | PartnerResult
    | FeedbackResult
    | AckResult
    | AdminResult
    | ReschedulingResult
    | RevisionResult
    | StatsResult
    | ScheduledListed
    | RosterResult
    | Invited,
) -> Reply:
    """The reply for any typed result."""
    match result:
        case Previewed():
            return preview_reply(result)
        case FilesRefused():
            return files_refused_reply(result)
        case SentSummary():
            return sent_reply(result)
        case Refused():
            return refusal_reply(result)
        case TopicsListed():
            return topics_reply(result)
        case Subscribed():
            return subscribed_reply(result)
        case Unsubscribed():
            return unsubscribed_reply(result)
        case SubscriptionsListed():
            return subscriptions_reply(result)
        case NewsListed():
            return news_reply(result)
        case NewsFound():
            return news_found_reply(result)
        case AnnouncementShown():
            return announcement_shown_reply(result)
        case AnnouncementGone():
            return announcement_gone_reply(result)
        case ChannelSettings():
            return settings_reply(result)
        case ModeSet():
            return mode_reply(result)
        case QuietHoursSet():
            return quiet_reply(result)
        case LanguageSet():
            return language_reply(result)
        case WeeklyCapSet():
            return cap_reply(result)
        case TimezoneSet():
            return timezone_reply(result)
        case Joined():
            return joined_reply(result)
        case HelpfulCounted():
            return helpful_reply(result)
        case CtaOpened():
            return cta_opened_reply(result)
        case QuestionAsked():
            return asked_reply(result)
        case QuestionOffered():
            return offered_reply(result)
        case OfferSettled():
            return settled_reply(result)
        case QuestionAnswered():
            return answered_reply(result)
        case OpenQuestions():
            return open_questions_reply(result)
        case Acknowledged():
            return acknowledged_reply(result)
        case AckListing():
            return ack_listing_reply(result)
        case TopicAdded():
            return topic_added_reply(result)
        case TopicArchiveSet():
            return topic_archive_reply(result)
        case TopicsOverview():
            return topics_overview_reply(result)
        case Cancelled():
            return cancelled_reply(result)
        case Rescheduled():
            return rescheduled_reply(result)
        case DraftsListed():
            return drafts_reply(result)
        case Invited():
            return invited_reply(result)
        case Edited():
            return edited_reply(result)
        case EditUnchanged():
            return edit_unchanged_reply(result)
        case Revised():
            return revised_reply(result)
        case Recalled():
            return recalled_reply(result)
        case HowToEdit():
            return how_to_edit_reply(result)
        case StatsShown():
            return stats_reply(result)
        case StatsOverview():
            return stats_overview_reply(result)
        case ScheduledListed():
            return scheduled_reply(result)
        case PartnerShown():
            return partner_shown_reply(result)
        case PartnerChanged():
            return partner_changed_reply(result)
        case PartnerUnchanged():
            return partner_unchanged_reply(result)
        case PartnerRemoved():
            return partner_removed_reply(result)
