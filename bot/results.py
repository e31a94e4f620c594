"""What use-cases hand back: typed results that say what happened, in no language.

A service returns one of these; `bot/presenter/` turns it into a `Reply` in the words of
`bot/messages.py`. The chat adapters, the CLI and a future web dashboard can read the same values
without parsing text. Every admin and partner use-case returns them (broadcast, partner commands,
feedback, acks, topics, invite, cancel, reschedule, drafts, edit/recall, stats, `scheduled`, the
roster); the words a result still carries (`notes`, `when`, `message`) are made by the scheduling
service, the known-values check and the partner time-zone check, which have not moved to typed
results yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from bot.domain.analytics import AnnouncementStats, TopicStats
from bot.domain.announcements import Announcement, Reach
from bot.domain.approvals import Approval, ApprovalNeed
from bot.domain.audiences import AudienceUser, SavedAudience
from bot.domain.conversation import FileShown, Refusal, RefusalCode
from bot.domain.directory import DeliveryMode, Partner, PartnerCard
from bot.domain.engagement import SendingLoad
from bot.domain.faq import Faq, OfferState, SimilarAnswer
from bot.domain.feedback import AckState, Question
from bot.domain.files import FileProblem
from bot.domain.languages import ReaderLanguage
from bot.domain.refs import MessageRef, UserRef
from bot.domain.sending import CtaButton
from bot.domain.series import Series
from bot.domain.topics import Topic
from bot.domain.variants import Variant
from bot.timezones import DigestTime, QuietHours
from bot.timing import ScheduledAnnouncement


@dataclass(frozen=True, slots=True)
class Previewed:
    """A draft and who it reaches. `notes` say when its deliveries go out (scheduling's lines);
    `ack_hours` is when partners who have not acknowledged get their reminder."""

    announcement: Announcement
    reach: Reach
    notes: tuple[str, ...] = ()
    ack_hours: float = 4.0
    # PARTNERBOT_DEFAULT_LANGUAGE: the language of the default text (the preview's language line).
    default_language: str = "en"
    # What a target platform cannot take of its files (bot/attachments.py): then it cannot be sent.
    file_problems: tuple[FileProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class FilesRefused:
    """Files that stop a broadcast: unreadable `attach:` paths (no draft is made), or, at `send`,
    what a platform the draft now reaches cannot take (`announcement_id` set); with `test`, what the
    test channel's platform cannot take (`test <id>`: no test copy is queued)."""

    problems: tuple[FileProblem, ...]
    announcement_id: int | None = None
    test: bool = False


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

    `value` is the offending input (a topic slug, a time zone), `suggestion` the closest known one,
    `status` the announcement's status (`AnnouncementStatus` value) for NOT_A_DRAFT, `audience` the
    audience in words for EMPTY_AUDIENCE. `message` holds words another part of the core already
    made (a time the scheduler refused, an unknown tier); the presenter shows it as it is.
    For questions: `question_id` the one named, `ids` the questions of the thread it was named in,
    `limit` the most characters a question may have (TOO_LONG). For the roster: `value` the partner's
    name, `removed_on` the day it was removed (PARTNER_REMOVED; None when not known). For saved
    audiences: `value` the audience's name (NO_SUCH_AUDIENCE, with `suggestion`; MISSING "topics" when
    it names no topics), and for AUDIENCE_TOPIC_CONFLICT `suggestion` its topics, `audience` the
    broadcast's. NOT_TESTABLE: `status` the announcement's.
    """

    code: RefusalCode | None
    field: str = ""
    announcement_id: int | None = None
    value: str = ""
    suggestion: str = ""
    status: str = ""
    audience: str = ""
    message: str = ""
    question_id: int | None = None
    ids: tuple[int, ...] = ()
    limit: int = 0
    removed_on: date | None = None

    @property
    def refusal(self) -> Refusal | None:
        return None if self.code is None else Refusal(self.code, self.field)


BroadcastResult = Previewed | Refused | FilesRefused
SendResult = SentSummary | Refused | FilesRefused


# --- a partner's own channel (bot/services/partners.py) ------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicsListed:
    """Every active topic, and the slugs of those the channel follows (`mine`)."""

    topics: tuple[Topic, ...]
    mine: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Subscribed:
    """What `subscribe` changed: the slugs `added` now, the ones followed `already`; `linked` is
    whether the channel belongs to a partner (audience filters reach it only then)."""

    added: tuple[str, ...]
    already: tuple[str, ...] = ()
    linked: bool = True


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    """The slugs `unsubscribe` removed (none: the channel followed none of them), and the ones it named
    (`all`: the ones the channel followed), so the reply can name a single one."""

    removed: tuple[str, ...]
    asked: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubscriptionsListed:
    """The topics the channel follows."""

    topics: tuple[Topic, ...]


@dataclass(frozen=True, slots=True)
class NewsListed:
    """The latest announcements on the topics asked for, newest first; `follows_nothing` when no
    topic was named and the channel follows none."""

    announcements: tuple[Announcement, ...]
    follows_nothing: bool = False
    timezone: str = "UTC"  # the channel's clock: the dates shown are its dates
    topics: tuple[str, ...] = ()  # the slugs looked at, so "none yet" can name a single one


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """A channel's delivery settings: its mode, when digests go out (`digest_at`, in `timezone`),
    its quiet hours (None: off; `quiet_is_default`: the vendor's, not its own), and the partner it is
    linked to (`partner_name`, `partner_tier`; empty when none)."""

    mode: DeliveryMode
    digest_at: DigestTime
    timezone: str
    quiet: QuietHours | None
    quiet_is_default: bool = False
    partner_name: str = ""
    partner_tier: str = ""
    language: ReaderLanguage | None = None  # the language partnerbot speaks here, and why
    # Its weekly cap (bot/caps.py; None: none), and whether it is the vendor's rather than its own.
    cap: int | None = None
    cap_is_default: bool = False


@dataclass(frozen=True, slots=True)
class ModeSet:
    """The channel's new delivery mode; digests go out at `digest_at` in `timezone`."""

    mode: DeliveryMode
    digest_at: DigestTime
    timezone: str


@dataclass(frozen=True, slots=True)
class WeeklyCapSet:
    """The channel's new weekly cap (bot/caps.py): `cap` is the one now in force (None: none);
    `follows_vendor` after `settings cap default`. Its mode says whether the cap bites now (an
    immediate channel) and when the "You also missed" digest goes out (`digest_at` in `timezone`)."""

    cap: int | None
    follows_vendor: bool
    mode: DeliveryMode
    digest_at: DigestTime
    timezone: str


@dataclass(frozen=True, slots=True)
class QuietHoursSet:
    """The channel's new quiet hours in `timezone` (None: off)."""

    quiet: QuietHours | None
    timezone: str


@dataclass(frozen=True, slots=True)
class LanguageSet:
    """`settings language …` done: the channel's own tag (None: removed) and what it now reads."""

    language: str | None
    reader: ReaderLanguage


@dataclass(frozen=True, slots=True)
class TimezoneSet:
    """The channel's new time zone (its IANA name, as the zone database spells it)."""

    timezone: str


@dataclass(frozen=True, slots=True)
class Joined:
    """A join code linked the channel to this partner."""

    name: str
    tier: str


@dataclass(frozen=True, slots=True)
class FoundAnnouncement:
    """One search result as the channel reads it (its language's variant where one exists): `snippet`
    is a line of its text with the matches in `**bold**`."""

    announcement_id: int
    title: str
    sent: datetime
    topics: tuple[str, ...]
    snippet: str


@dataclass(frozen=True, slots=True)
class NewsFound:
    """`news search <words>`: the best matches first; `more` when others matched beyond those shown."""

    words: str
    found: tuple[FoundAnnouncement, ...]
    more: bool = False
    timezone: str = "UTC"  # the channel's clock: the dates shown are its dates


@dataclass(frozen=True, slots=True)
class AnnouncementShown:
    """The "Show" button under a search result: the whole announcement as the channel got it, in its
    language. `ctas` carry the counted redirect of the channel's own copy where there is one (and
    PARTNERBOT_PUBLIC_URL is set); `delivered` is that copy's message, which carries the files."""

    announcement_id: int
    title: str
    body: str
    sent: datetime
    topics: tuple[str, ...]
    ctas: tuple[CtaButton, ...] = ()
    files: tuple[FileShown, ...] = ()
    delivered: MessageRef | None = None
    timezone: str = "UTC"  # the channel's clock: the date shown is its date


@dataclass(frozen=True, slots=True)
class AnnouncementGone:
    """ "Show" on a result the channel may no longer see (recalled since the search)."""


PartnerResult = (
    TopicsListed
    | Subscribed
    | Unsubscribed
    | SubscriptionsListed
    | NewsListed
    | NewsFound
    | AnnouncementShown
    | AnnouncementGone
    | ChannelSettings
    | ModeSet
    | QuietHoursSet
    | LanguageSet
    | WeeklyCapSet
    | TimezoneSet
    | Joined
    | Refused
)


# --- feedback: Helpful, questions and answers (bot/services/feedback.py) -------------------------


@dataclass(frozen=True, slots=True)
class HelpfulCounted:
    """A "Helpful" press was counted."""


@dataclass(frozen=True, slots=True)
class CtaOpened:
    """A call-to-action button was pressed and the click counted: where it leads."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class QuestionAsked:
    """A partner's question went to the vendor team as `question_id`."""

    question_id: int


@dataclass(frozen=True, slots=True)
class QuestionOffered:
    """A partner's question (`question_id`) matched answers that already exist: they are offered
    first, and the question goes to the team if the partner asks anyway or after `minutes`."""

    question_id: int
    answers: tuple[SimilarAnswer, ...]
    minutes: int


class FaqChange(StrEnum):
    MARKED = "marked"
    UNMARKED = "unmarked"
    ALREADY = "already"
    ALREADY_OFF = "already_off"
    REWORDED = "reworded"


@dataclass(frozen=True, slots=True)
class FaqChanged:
    """`faq <id> …` (or Mark as FAQ): what changed, and the FAQ as it is now."""

    faq: Faq
    change: FaqChange


@dataclass(frozen=True, slots=True)
class FaqNotAnswered:
    """`faq <id>` for a question that does not exist (`exists` false) or has no answer yet."""

    question_id: int
    exists: bool = True


@dataclass(frozen=True, slots=True)
class FaqsListed:
    faqs: tuple[Faq, ...]


@dataclass(frozen=True, slots=True)
class OfferSettled:
    """What a press on an offer did (or found: pressed twice, already relayed…)."""

    question_id: int
    state: OfferState


@dataclass(frozen=True, slots=True)
class QuestionAnswered:
    """An admin's answer is on its way to `partner` (its name as stored). `recalled` is the
    announcement the question was asked under when that was recalled: the answer then goes into
    the partner's channel as a message of its own."""

    question_id: int
    partner: str
    recalled: int | None = None


@dataclass(frozen=True, slots=True)
class OpenQuestions:
    """The partner questions not answered yet, oldest first."""

    questions: tuple[Question, ...]


FeedbackResult = (
    HelpfulCounted
    | CtaOpened
    | QuestionAsked
    | QuestionOffered
    | OfferSettled
    | QuestionAnswered
    | OpenQuestions
    | Refused
)


# --- acknowledgements (bot/services/acks.py) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """An "Acknowledge" press on a delivered copy. `needed` is False when the announcement asks for
    no acknowledgement (nothing was recorded); `earlier` is the copy's acknowledgement when someone
    had already given it, and `by_caller` whether that was the one pressing now."""

    needed: bool = True
    earlier: AckState | None = None
    by_caller: bool = False
    timezone: str = ""  # the channel's (IANA name), for when `earlier` was given; "": UTC


@dataclass(frozen=True, slots=True)
class AckListing:
    """`acks <id>`: each delivered copy of the announcement and whether it was acknowledged."""

    announcement_id: int
    title: str
    states: tuple[AckState, ...]


AckResult = Acknowledged | AckListing | Refused


# --- admin: topics and cancelling (bot/services/admin.py) ---------------------------------------


@dataclass(frozen=True, slots=True)
class TopicAdded:
    topic: Topic


@dataclass(frozen=True, slots=True)
class TopicArchiveSet:
    """A topic archived (`archived`) or back from the archive; `changed` is False when it was not
    archived to begin with (unarchive only)."""

    slug: str
    archived: bool
    changed: bool = True


@dataclass(frozen=True, slots=True)
class TopicsOverview:
    """Every topic, archived ones included, with how many active channels follow each."""

    topics: tuple[tuple[Topic, int], ...]
    # Per topic id, the last 30 days' deliveries against engagement events (over-sending at a glance).
    loads: Mapping[int, SendingLoad] = field(default_factory=dict)
    days: int = 30


@dataclass(frozen=True, slots=True)
class Cancelled:
    """A draft or scheduled announcement cancelled before anything went out."""

    announcement_id: int
    title: str


AdminResult = TopicAdded | TopicArchiveSet | TopicsOverview | Cancelled | Refused


# --- rescheduling and open drafts (bot/services/rescheduling.py) --------------------------------


@dataclass(frozen=True, slots=True)
class Rescheduled:
    """An announcement (`was_draft`: a draft) moved to `when` (scheduling's words); `notes` say
    what a DST change does to the time and, once scheduled, what waits for quiet hours or digests."""

    announcement: Announcement
    when: str
    was_draft: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OpenDraft:
    """A draft not sent or cancelled yet; `when` its time in scheduling's words ("" for none)."""

    announcement: Announcement
    when: str = ""


@dataclass(frozen=True, slots=True)
class DraftsListed:
    drafts: tuple[OpenDraft, ...]


ReschedulingResult = Rescheduled | DraftsListed | Refused


# --- invites (bot/services/partner_admin.py) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invited:
    """A join code for `partner`, valid until `expires`, once: a new partner, another channel of
    one that exists (`existed`; its profile untouched), or one removed on `removed_on`, restored."""

    partner: Partner
    code: str
    expires: date
    existed: bool = False
    removed_on: date | None = None


# --- edit and recall (bot/services/revisions.py) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditUnchanged:
    """`edit` gave the title and body the announcement already has: nothing was changed."""

    announcement_id: int


@dataclass(frozen=True, slots=True)
class Edited:
    """A scheduled or sent announcement's new text; `copies` already delivered will be updated in
    place (none: nothing was delivered yet, it goes out with the new text)."""

    announcement_id: int
    copies: int = 0


@dataclass(frozen=True, slots=True)
class Revised:
    """`edit` with a new time and a new text: the announcement `moved`, then what the text edit did."""

    moved: Rescheduled
    edited: Edited | EditUnchanged | Previewed | Refused


@dataclass(frozen=True, slots=True)
class Recalled:
    """An announcement withdrawn: `deleting` copies already delivered will be deleted, `cancelled`
    not sent yet will never go out."""

    announcement_id: int
    title: str
    deleting: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class HowToEdit:
    """The Edit button where no form can be shown: the command to type, and the current text."""

    announcement: Announcement


EditResult = Edited | EditUnchanged | Previewed | Rescheduled | Revised | Refused
RevisionResult = EditResult | Recalled | HowToEdit


# --- stats and `scheduled` (bot/services/analytics.py, bot/services/scheduling.py) --------------


@dataclass(frozen=True, slots=True)
class StatsShown:
    """`stats <id>`: one announcement's numbers; `acks` its copies' acknowledgements when it asks
    for acknowledgement (None when it does not)."""

    stats: AnnouncementStats
    acks: tuple[AckState, ...] | None = None


@dataclass(frozen=True, slots=True)
class StatsOverview:
    """`stats`: the recent announcements (none yet: empty), then each topic's numbers."""

    recent: tuple[AnnouncementStats, ...]
    topics: tuple[TopicStats, ...] = ()


@dataclass(frozen=True, slots=True)
class ScheduledListed:
    """`scheduled`: what is queued for later, soonest first."""

    items: tuple[ScheduledAnnouncement, ...]


StatsResult = StatsShown | StatsOverview | Refused


# --- the roster: `partner <name>`, `partner set`, `partner remove` (bot/services/partner_admin.py) --


@dataclass(frozen=True, slots=True)
class PartnerShown:
    """A partner's card: profile, channels, last activity."""

    card: PartnerCard


@dataclass(frozen=True, slots=True)
class PartnerChanged:
    """What `partner set` did: the partner as it is now and the (key, old, new) that changed."""

    partner: Partner
    changes: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class PartnerUnchanged:
    """`partner set` gave the values the partner already has, as (key, value): nothing was changed."""

    name: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PartnerRemoved:
    """A partner removed: its `channels` switched off (none: it had no active channel)."""

    partner: Partner
    channels: int


RosterResult = PartnerShown | PartnerChanged | PartnerUnchanged | PartnerRemoved | Refused


# --- saved audiences and test sends (bot/services/audiences.py, bot/services/test_sends.py) -----


@dataclass(frozen=True, slots=True)
class AudienceReach:
    """A saved audience and who it reaches now (the broadcast preview's targeting)."""

    saved: SavedAudience
    reach: Reach


@dataclass(frozen=True, slots=True)
class AudienceSaved:
    """`audience save`: the audience as saved, its reach, and the one it replaced (None: new)."""

    saved: SavedAudience
    reach: Reach
    before: SavedAudience | None = None


@dataclass(frozen=True, slots=True)
class AudiencesListed:
    items: tuple[AudienceReach, ...]


@dataclass(frozen=True, slots=True)
class AudienceShown:
    item: AudienceReach


@dataclass(frozen=True, slots=True)
class AudienceDeleted:
    name: str


@dataclass(frozen=True, slots=True)
class AudienceInUse:
    """`audience delete` refused: these open drafts refer to it."""

    name: str
    users: tuple[AudienceUser, ...]


@dataclass(frozen=True, slots=True)
class TestQueued:
    """`test <id>`: a test copy is queued for `channel` (the test channel when `elsewhere`)."""

    announcement_id: int
    title: str
    elsewhere: bool = False


AudienceResult = (
    AudienceSaved
    | AudiencesListed
    | AudienceShown
    | AudienceDeleted
    | AudienceInUse
    | TestQueued
    | FilesRefused
    | Refused
)


@dataclass(frozen=True, slots=True)
class TranslationSaved:
    """`translate`: the variant as saved (`revision` above 1: it replaced one). `sent`: the announcement
    has copies out; `copies`: those read in this variant's language; `updated`: how many of them were
    queued for an in-place edit (`update-sent`), None when not asked for."""

    announcement_id: int
    variant: Variant
    sent: bool
    copies: int
    updated: int | None = None


@dataclass(frozen=True, slots=True)
class TranslationsListed:
    """`translations <id>`: the announcement (its variants), the default text's language, and the
    channels reading each text, by variant language ("" for the default text)."""

    announcement: Announcement
    default_language: str
    readers: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TranslationDrafted:
    """`translate <id> <lang> draft`: the machine draft as saved (never sent until accepted)."""

    announcement_id: int
    variant: Variant


@dataclass(frozen=True, slots=True)
class TranslationAccepted:
    """`translate <id> <lang> accept`: the variant now sent; `already`: it was no machine draft."""

    announcement_id: int
    variant: Variant
    already: bool = False


@dataclass(frozen=True, slots=True)
class TranslationRemoved:
    """`translate <id> <lang> remove`: the text of that language is gone; `sent`: copies were already
    delivered (they keep the text they got)."""

    announcement_id: int
    language: str
    sent: bool = False


class DraftProblem(StrEnum):
    """Why `translate <id> <lang> draft|accept` did nothing."""

    NO_TRANSLATOR = "no_translator"  # PARTNERBOT_TRANSLATOR_URL is unset
    FAILED = "failed"  # the translator answered with an error, or not in time
    EXISTS = "exists"  # `draft` where the admin's own text is there: never overwritten
    NO_VARIANT = "no_variant"  # `accept` with nothing of that language to accept
    NO_TEXT = "no_text"  # `remove` with no text of that language


@dataclass(frozen=True, slots=True)
class DraftRefused:
    """A machine draft refused: the language's tag, the text there (EXISTS), the translator's one-line
    reason (FAILED)."""

    problem: DraftProblem
    announcement_id: int
    language: str
    title: str = ""
    reason: str = ""


TranslationResult = (
    TranslationSaved
    | TranslationsListed
    | TranslationDrafted
    | TranslationAccepted
    | TranslationRemoved
    | DraftRefused
    | Refused
)


# --- recurring series and the calendar (bot/services/series.py, bot/services/calendar.py) -------


@dataclass(frozen=True, slots=True)
class SeriesPreviewed:
    """`broadcast … every:"…"`: the draft series, who it reaches now, its next occurrences (naive
    wall-clock moments: the series' zone, or each channel's own for `local`)."""

    series: Series
    reach: Reach
    upcoming: tuple[datetime, ...]


@dataclass(frozen=True, slots=True)
class SeriesListed:
    """`series`: each series with its next occurrence (None: none left, or not running)."""

    items: tuple[tuple[Series, datetime | None], ...]


@dataclass(frozen=True, slots=True)
class SeriesChanged:
    """`series start|pause|resume|end <id>` done; `upcoming` the next occurrence when it runs."""

    series: Series
    action: str
    upcoming: datetime | None = None
    was_draft: bool = False


@dataclass(frozen=True, slots=True)
class SeriesEdited:
    series: Series
    upcoming: datetime | None


SeriesResult = SeriesPreviewed | SeriesListed | SeriesChanged | SeriesEdited | Refused


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One thing planned on a day: a scheduled announcement or a series' occurrence, at `at` on the
    vendor's clock, or at that wall-clock time on each channel's own (`local`)."""

    at: time
    local: bool
    title: str
    announcement_id: int | None = None
    series_id: int | None = None
    paused: bool = False


@dataclass(frozen=True, slots=True)
class CalendarShown:
    """`calendar [weeks]`: from `first` to `last` (vendor dates), what is planned on each day."""

    first: date
    last: date
    zone: str
    days: tuple[tuple[date, tuple[CalendarEntry, ...]], ...]


# --- approval before send (bot/services/approvals.py) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApprovalRequested:
    """`send` on a draft that needs approval: nothing went out; `preview` is what reviewers read."""

    approval: Approval
    preview: Previewed
    need: ApprovalNeed


@dataclass(frozen=True, slots=True)
class EditApprovalRequested:
    """`edit` of an announcement under approval: the new text waits for an approval."""

    approval: Approval
    announcement: Announcement


@dataclass(frozen=True, slots=True)
class Approved:
    """Another admin approved: `outcome` is what sending (or the edit) did next."""

    approval: Approval
    title: str
    outcome: SendResult | EditResult


@dataclass(frozen=True, slots=True)
class ChangesRequested:
    """ "Request changes": nothing went out; the comment is for `author`."""

    approval: Approval
    title: str
    author: UserRef


class ApprovalRefusal(StrEnum):
    NOTHING_PENDING = "nothing_pending"
    OWN = "own"  # the author may not approve (or reject) their own request
    STALE = "stale"  # edited after the request
    TAKEN = "taken"  # another admin decided first
    EDIT_AND_TIME = "edit_and_time"  # under approval, a new text and a new time in one `edit`


@dataclass(frozen=True, slots=True)
class ApprovalRefused:
    reason: ApprovalRefusal
    announcement_id: int
    # For OWN: whether it was Approve (else Request changes) that the author pressed.
    approving: bool = True


@dataclass(frozen=True, slots=True)
class TopicApprovalSet:
    slug: str
    required: bool
    changed: bool = True


ApprovalResult = (
    ApprovalRequested
    | EditApprovalRequested
    | Approved
    | ChangesRequested
    | ApprovalRefused
    | TopicApprovalSet
    | Refused
)
