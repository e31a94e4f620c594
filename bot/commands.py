"""The platform-neutral commands: what `/partner …` and `/partner-admin …` can ask for.

`bot/grammar.py` turns text into these; the core dispatches on them. Keeping the types apart from
the parser lets adapters build commands from structured input (Discord options, Slack modals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from bot.domain.announcements import Audience
from bot.domain.conversation import Refusal, RefusalCode
from bot.domain.cta import CallToAction
from bot.domain.directory import DeliveryMode
from bot.domain.files import NewFile
from bot.domain.search import SearchQuery
from bot.domain.series import Recurrence
from bot.domain.variants import Variant
from bot.timezones import QuietHours

MAX_NEWS = 20
SYNTAX_ERROR: Final = Refusal(RefusalCode.SYNTAX)  # a grammar error about no single field
DEFAULT_NEWS = 5


@dataclass(frozen=True, slots=True)
class CommandError:
    """A parse failure, already phrased for the person who typed the command, and its code and field
    for adapters that place it (a modal field) without reading the words."""

    message: str
    refusal: Refusal = SYNTAX_ERROR


# --- Partner commands (`/partner <text>`) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Help:
    topic: str = ""  # optional subcommand to explain


@dataclass(frozen=True, slots=True)
class ListTopics:
    pass


@dataclass(frozen=True, slots=True)
class Subscribe:
    topics: tuple[str, ...]  # slugs, lower-cased, de-duplicated, in the order given
    all: bool = False


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    topics: tuple[str, ...]
    all: bool = False


@dataclass(frozen=True, slots=True)
class ListSubscriptions:
    pass


@dataclass(frozen=True, slots=True)
class News:
    topic: str | None = None
    count: int = DEFAULT_NEWS


@dataclass(frozen=True, slots=True)
class SearchNews:
    """`news search <words>`: past announcements matching `query` (the words as typed in `words`);
    Discord's `/partner news search:` may also name a `topic`."""

    words: str
    query: SearchQuery
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    text: str


@dataclass(frozen=True, slots=True)
class ShowSettings:
    pass


@dataclass(frozen=True, slots=True)
class SetMode:
    mode: DeliveryMode


@dataclass(frozen=True, slots=True)
class SetTimezone:
    timezone: str  # as typed; validated against the IANA database by the service


@dataclass(frozen=True, slots=True)
class SetQuietHours:
    quiet: QuietHours | None  # None: `settings quiet off`


@dataclass(frozen=True, slots=True)
class SetLanguage:
    language: str | None  # a BCP 47 tag, lower case; None: `settings language off`


@dataclass(frozen=True, slots=True)
class SetWeeklyCap:
    """`settings cap <n>|off|default` (bot/caps.py): 1..50, CAP_OFF (0) for `off` (no cap even when
    the vendor sets one), or None for `default` (the vendor's cap, PARTNERBOT_WEEKLY_CAP)."""

    cap: int | None


@dataclass(frozen=True, slots=True)
class Join:
    code: str


PartnerCommand = (
    Help
    | ListTopics
    | Subscribe
    | Unsubscribe
    | ListSubscriptions
    | News
    | SearchNews
    | Ask
    | ShowSettings
    | SetMode
    | SetTimezone
    | SetQuietHours
    | SetLanguage
    | SetWeeklyCap
    | Join
)


# --- Admin commands (`/partner-admin <text>`) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminHelp:
    topic: str = ""


@dataclass(frozen=True, slots=True)
class TopicAdd:
    slug: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class TopicArchive:
    slug: str


@dataclass(frozen=True, slots=True)
class TopicUnarchive:
    slug: str


@dataclass(frozen=True, slots=True)
class AdminTopics:
    """`topics` in the admin channel: every topic, archived ones marked, with subscriber counts."""


@dataclass(frozen=True, slots=True)
class Invite:
    partner_name: str
    tier: str
    type: str = ""
    region: str = ""
    language: str = ""


# An announcement's limits, stated once: the grammar, the CLI, the Slack modals (max_length and their
# field errors) and the Discord modals and options (max_length, Range) all read these.
MAX_TITLE = 150
MAX_BODY = 3_000
# `reject <id> <comment>`: the comment an author reads in the admin channel and `stats <id>` keeps.
MAX_COMMENT = 2_000


@dataclass(frozen=True, slots=True)
class Broadcast:
    topics: tuple[str, ...]
    audience: Audience
    title: str
    body: str
    urgent: bool = False
    # `at:"…"`: a naive wall-clock time (or an aware instant, from a platform's date-time picker),
    send_at: datetime | None = None
    # on the clock of `send_zone` (an IANA name; None = the vendor default time zone),
    send_zone: str | None = None
    # or, with `send_local` (`at:"… local"`), on each target channel's own clock.
    send_local: bool = False
    # `ack` (urgent only): partners must acknowledge it.
    ack_required: bool = False
    # `audience:<name>`: a saved audience, resolved when the announcement is sent; `audience` is then
    # empty (the grammar refuses filters beside it) and `topics` may be empty (the saved audience's).
    saved_audience: str | None = None
    # `cta:"Label|URL"` (up to 3, in order): link buttons under it, their clicks counted.
    ctas: tuple[CallToAction, ...] = ()
    # The text in other languages (the CLI's `--variant de=FILE`), written with the draft; each
    # language as given (the core standardises it, as `translate` does).
    variants: tuple[Variant, ...] = ()
    # `attach:<path>` (the console only): local files to attach, read by the core's LocalFiles port.
    attach: tuple[str, ...] = ()
    # Files an adapter or the CLI already holds (a Slack message's files, a Discord message's
    # attachments, `partnerbot broadcast --attach`).
    files: tuple[NewFile, ...] = ()
    # `every:"monday 09:00 local"`: a recurring series instead of a one-off (bot/domain/series.py),
    # `until:"YYYY-MM-DD"` its last date.
    every: Recurrence | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Send:
    announcement_id: int


@dataclass(frozen=True, slots=True)
class Cancel:
    announcement_id: int


@dataclass(frozen=True, slots=True)
class Edit:
    """New title and/or body (None: keep it) for an announcement, delivered copies included."""

    announcement_id: int
    title: str | None = None
    body: str | None = None
    # `at:"…"`: a new schedule (as in Broadcast), applied only before the first delivery goes out.
    send_at: datetime | None = None
    send_zone: str | None = None
    send_local: bool = False


@dataclass(frozen=True, slots=True)
class Reschedule:
    """`reschedule <id> at:"…"`: a new time for a scheduled announcement (or a draft) until its first
    delivery goes out; the fields mean what they mean in Broadcast."""

    announcement_id: int
    send_at: datetime
    send_zone: str | None = None
    send_local: bool = False


@dataclass(frozen=True, slots=True)
class Drafts:
    """`drafts`: the open drafts, each with a Cancel button."""


@dataclass(frozen=True, slots=True)
class Recall:
    announcement_id: int


@dataclass(frozen=True, slots=True)
class Scheduled:
    pass


@dataclass(frozen=True, slots=True)
class Stats:
    announcement_id: int | None = None


@dataclass(frozen=True, slots=True)
class Acks:
    announcement_id: int


@dataclass(frozen=True, slots=True)
class Questions:
    pass


@dataclass(frozen=True, slots=True)
class Answer:
    question_id: int
    text: str


@dataclass(frozen=True, slots=True)
class FaqMark:
    """`faq <question id>` (mark an answered question as FAQ), `faq <question id> off` (unmark)."""

    question_id: int
    on: bool = True


@dataclass(frozen=True, slots=True)
class FaqEdit:
    """`faq <question id> question:"…" answer:"…"` (either or both): the FAQ's wording; marks it too."""

    question_id: int
    question: str | None = None
    answer: str | None = None


@dataclass(frozen=True, slots=True)
class Faqs:
    """`faqs`: every FAQ, with how many questions each answered on its own."""


@dataclass(frozen=True, slots=True)
class PartnerShow:
    """`partner "<name>"`: the partner's card."""

    name: str


@dataclass(frozen=True, slots=True)
class PartnerSet:
    """`partner set "<name>" tier:… [type:…] [region:…] [language:…] [timezone:…]`: (key, value) pairs
    as typed (lower-cased except the time zone); the service checks them against the vocabulary."""

    name: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PartnerRemove:
    name: str


@dataclass(frozen=True, slots=True)
class Engagement:
    """`engagement [tier:…] [region:…] [topic:…]`: partner scores, one value per option."""

    tier: str | None = None
    region: str | None = None
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Quiet:
    """`quiet`: the partners who have gone quiet."""


@dataclass(frozen=True, slots=True)
class AudienceSave:
    """`audience save <name> [tier:…] [type:…] [region:…] [language:…] [topic:…]`: create or replace a
    saved audience (values as typed, lower-cased; the service checks them against the vocabulary)."""

    name: str
    audience: Audience
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AudienceList:
    """`audience list`: every saved audience with its filters and current reach."""


@dataclass(frozen=True, slots=True)
class AudienceShow:
    name: str


@dataclass(frozen=True, slots=True)
class AudienceDelete:
    name: str


@dataclass(frozen=True, slots=True)
class SendTest:
    """`test <id>`: a copy of the announcement, exactly as partners see it, in the admin (or test)
    channel, counted nowhere."""

    announcement_id: int


@dataclass(frozen=True, slots=True)
class Translate:
    """`translate <id> <language> [update-sent] title:"…" <body…>`: the announcement's text in one
    language (a BCP 47 tag as typed; the service standardises it), added or replacing the one there.
    `update_sent`: copies already delivered in that language are edited in place."""

    announcement_id: int
    language: str
    title: str
    body: str
    update_sent: bool = False


@dataclass(frozen=True, slots=True)
class TranslateDraft:
    """`translate <id> <language> draft`: the missing text drafted by the machine translator, kept
    as a machine draft (shown, never sent) until accepted or replaced."""

    announcement_id: int
    language: str


@dataclass(frozen=True, slots=True)
class TranslateAccept:
    """`translate <id> <language> accept`: the machine draft of that language is sent from now on."""

    announcement_id: int
    language: str


@dataclass(frozen=True, slots=True)
class TranslateRemove:
    """`translate <id> <language> remove`: that language's text removed; its partners get the default
    text from now on (copies already delivered keep theirs)."""

    announcement_id: int
    language: str


@dataclass(frozen=True, slots=True)
class EditTexts:
    """The Edit modal (Slack) in one submission: the default text and each language's text. Never
    typed: adapters build it. Variants whose text is unchanged are left alone; `update_sent` means
    for each changed one what `translate … update-sent` means."""

    announcement_id: int
    title: str
    body: str
    variants: tuple[Variant, ...] = ()
    update_sent: bool = False


@dataclass(frozen=True, slots=True)
class Translations:
    """`translations <id>`: the announcement's translations and how many channels read each."""

    announcement_id: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    """`dashboard`: a one-time sign-in link to the web dashboard, for the admin who asks."""


@dataclass(frozen=True, slots=True)
class SeriesList:
    """`series`: every recurring series with its next occurrence."""


SERIES_ACTIONS = ("start", "pause", "resume", "end")


@dataclass(frozen=True, slots=True)
class SeriesAction:
    """`series start|pause|resume|end <id>`."""

    action: str  # one of SERIES_ACTIONS
    series_id: int


@dataclass(frozen=True, slots=True)
class SeriesEdit:
    """`series edit <id> [title:"…"] [<body…>]`: the text of occurrences not drafted yet."""

    series_id: int
    title: str | None = None
    body: str | None = None


DEFAULT_CALENDAR_WEEKS = 2
MAX_CALENDAR_WEEKS = 12


@dataclass(frozen=True, slots=True)
class Calendar:
    """`calendar [weeks]`: per day, what is scheduled and recurring."""

    weeks: int = DEFAULT_CALENDAR_WEEKS


@dataclass(frozen=True, slots=True)
class Approve:
    """`approve <id>`: another admin approves what awaits approval for the announcement (its send, or
    an edit), which then goes the normal way."""

    announcement_id: int


@dataclass(frozen=True, slots=True)
class Reject:
    """`reject <id> <comment>` (the "Request changes" button): it does not go out; the comment says why."""

    announcement_id: int
    comment: str


@dataclass(frozen=True, slots=True)
class TopicApproval:
    """`topic require-approval <slug>` (or `… off`): announcements about it need an approval."""

    slug: str
    required: bool = True


AdminCommand = (
    AdminHelp
    | TopicAdd
    | TopicArchive
    | TopicUnarchive
    | AdminTopics
    | Invite
    | Broadcast
    | Send
    | Cancel
    | Edit
    | Recall
    | Scheduled
    | Stats
    | Acks
    | Questions
    | Answer
    | PartnerShow
    | PartnerSet
    | PartnerRemove
    | Reschedule
    | Drafts
    | Engagement
    | Quiet
    | Dashboard
    | AudienceSave
    | AudienceList
    | AudienceShow
    | AudienceDelete
    | SendTest
    | Translate
    | TranslateDraft
    | TranslateAccept
    | TranslateRemove
    | Translations
    | EditTexts
    | SeriesList
    | SeriesAction
    | SeriesEdit
    | Calendar
    | Approve
    | Reject
    | TopicApproval
    | FaqMark
    | FaqEdit
    | Faqs
)
