"""What a command is (who ran it, where) and what it answers: replies, buttons, refusals, previews."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.announcements import Audience, Reach
from bot.domain.cta import CallToAction
from bot.domain.files import Attachment, FileProblem
from bot.domain.refs import ChannelRef, MessageRef, UserRef


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    value: str
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class LinkButton:
    """A button that opens a web page (an announcement's call to action under "Show").

    `url` is the page the admin gave; `tracked`, where set, is partnerbot's counted redirect to it
    for this channel's delivered copy (bot/services/cta.py), for platforms whose link buttons report
    no click (Discord). Platforms whose link buttons do report one (Slack) send `action` and `value`
    back, and the core counts the click on that copy.
    """

    label: str
    url: str
    tracked: str = ""
    action: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class FileShown:
    """A file a reply shows (its announcement's): `image_url` is a signed link to it for platforms
    that show images by URL (Slack), "" when there is none; `missing` when the bytes are gone from
    the file store, so no platform can show it."""

    file: Attachment
    image_url: str = ""
    missing: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """A line of a reply that can carry its own button (e.g. a topic with Subscribe/Unsubscribe)."""

    text: str
    button: Button | None = None


class RefusalCode(StrEnum):
    """Why the core refused a command, for adapters that place the words (a modal field, a retry)
    without reading them. The words themselves stay in `Reply.text`."""

    AT_UNKNOWN_ZONE = "at_unknown_zone"
    AT_PAST = "at_past"
    AT_TOO_FAR = "at_too_far"
    UNKNOWN_VALUE = "unknown_value"
    UNKNOWN_TOPIC = "unknown_topic"
    TOPIC_ARCHIVED = "topic_archived"
    ACK_NEEDS_URGENT = "ack_needs_urgent"
    EMPTY_AUDIENCE = "empty_audience"
    NOT_AN_ANNOUNCEMENT = "not_an_announcement"
    NO_SUCH_ANNOUNCEMENT = "no_such_announcement"
    NOT_A_DRAFT = "not_a_draft"
    # A partner's own channel (bot/services/partners.py): subscribing before a join code linked the
    # channel, a time zone it does not know, a join code that does not exist, was used or expired.
    NEEDS_LINK = "needs_link"
    UNKNOWN_TIMEZONE = "unknown_timezone"
    INVITE_UNKNOWN = "invite_unknown"
    INVITE_USED = "invite_used"
    INVITE_EXPIRED = "invite_expired"
    # Questions and answers (bot/services/feedback.py): no question by that number, one in another
    # thread, several open in the thread (say which), one under a recalled announcement.
    NO_SUCH_QUESTION = "no_such_question"
    QUESTION_NOT_IN_THREAD = "question_not_in_thread"
    WHICH_QUESTION = "which_question"
    QUESTION_RECALLED = "question_recalled"
    # The dashboard's answer form, sent after someone else answered the question.
    ALREADY_ANSWERED = "already_answered"
    # Admin commands: a topic slug already taken, an announcement whose deliveries have begun (too
    # late to cancel) or that is no longer a draft or scheduled, one that asks for no acknowledgement.
    TOPIC_EXISTS = "topic_exists"
    CANCEL_TOO_LATE = "cancel_too_late"
    NOT_CANCELLABLE = "not_cancellable"
    ACK_NOT_REQUIRED = "ack_not_required"
    # `reschedule`: deliveries have begun (too late), or it was cancelled or recalled (no time left).
    RESCHEDULE_TOO_LATE = "reschedule_too_late"
    NOT_RESCHEDULABLE = "not_reschedulable"
    # `invite` for a partner that exists with another profile: nothing changed, no code made.
    PARTNER_EXISTS = "partner_exists"
    # `edit` / `recall` (bot/services/revisions.py): the announcement changed under it (someone else
    # was editing or recalling), or it cannot be recalled (a draft: nothing went out).
    NOT_EDITABLE = "not_editable"
    NOT_RECALLABLE = "not_recallable"
    # The roster (`partner …`, bot/services/partner_admin.py): no partner by that name, one removed
    # already, `partner set` with nothing to change.
    NO_SUCH_PARTNER = "no_such_partner"
    PARTNER_REMOVED = "partner_removed"
    NOTHING_TO_CHANGE = "nothing_to_change"
    # Saved audiences (bot/services/audiences.py): no audience by that name, one an open draft uses,
    # a broadcast whose `topic:` differs from its saved audience's topics. `test <id>` of an
    # announcement cancelled or recalled.
    NO_SUCH_AUDIENCE = "no_such_audience"
    AUDIENCE_IN_USE = "audience_in_use"
    AUDIENCE_TOPIC_CONFLICT = "audience_topic_conflict"
    NOT_TESTABLE = "not_testable"
    # `translate` into the language of the default text (PARTNERBOT_DEFAULT_LANGUAGE): that is `edit`.
    DEFAULT_LANGUAGE = "default_language"
    # `translate <id> <lang> draft|accept`: no translator, its failure, the admin's own text there,
    # nothing to accept (bot/results.py DraftProblem says which).
    TRANSLATION_DRAFT = "translation_draft"
    # Recurring series (bot/services/series.py): no series by that number, one whose state does not
    # allow the action (`status` names it), an `until:` before its first occurrence.
    NO_SUCH_SERIES = "no_such_series"
    SERIES_STATE = "series_state"
    UNTIL_PAST = "until_past"
    # The grammar's (bot/grammar.py): a required input left empty, one over its limit, a time it
    # cannot read; anything else it refuses is `SYNTAX`, about no single field.
    MISSING = "missing"
    TOO_LONG = "too_long"
    # A call to action (`cta:"Label|URL"`, bot/domain/cta.py): no `|` in it, a label that is empty or
    # too long, an address that is no absolute http or https URL (too long: TOO_LONG), more than three.
    CTA_FORM = "cta_form"
    CTA_LABEL = "cta_label"
    CTA_URL = "cta_url"
    CTA_TOO_MANY = "cta_too_many"
    AT_INVALID = "at_invalid"
    SYNTAX = "syntax"
    # Files (bot/services/files.py): a path that cannot be read, or files a target platform refuses.
    FILES_REFUSED = "files_refused"
    # Not an error: `send` held until another admin approves (bot/services/approvals.py).
    APPROVAL_PENDING = "approval_pending"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refusal's code and the input it is about: "at", "topics", "tier", "type", "region",
    "language", "urgent"; "" when it is about no single field."""

    code: RefusalCode
    field: str = ""


@dataclass(frozen=True, slots=True)
class DraftPreview:
    """The draft a preview shows: the announcement as partners will get it, and who it reaches.

    `summary` is the preview's text around the announcement (heading, topics and audience, reach,
    timing, warnings), for adapters that render the announcement itself, as partners will see it.
    """

    announcement_id: int
    title: str
    body: str
    topics: tuple[str, ...]
    audience: Audience
    urgent: bool
    ack_required: bool
    reach: Reach
    summary: str
    ctas: tuple[CallToAction, ...] = ()  # the link buttons under it, in order
    # The files it carries, and what a target platform refuses of them (then it cannot be sent).
    files: tuple[Attachment, ...] = ()
    file_problems: tuple[FileProblem, ...] = ()
    # A signed link to its first image for platforms that show images by URL (Slack); "" when
    # there is none or no such links are made (no PARTNERBOT_PUBLIC_URL).
    image_url: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers. `ephemeral` replies are shown to the caller only where possible.

    `refusal` says why an error reply refused, `draft` which draft a preview shows, `join_code`
    which code an invite made: adapters and the CLI read these, never the text.
    """

    text: str
    ephemeral: bool = True
    rows: tuple[Row, ...] = ()
    buttons: tuple[Button, ...] = ()
    is_error: bool = False
    refusal: Refusal | None = None
    draft: DraftPreview | None = None
    join_code: str | None = None
    # Never to be seen by anyone but the caller (a sign-in link): an adapter that can only answer in
    # public (a Discord @mention) shows `PRIVATE_REPLY_ELSEWHERE` instead.
    private: bool = False
    # An announcement shown in full ("Show" under a search result): its calls to action as link
    # buttons, its files, and the copy delivered in this channel (which carries the files), if any.
    links: tuple[LinkButton, ...] = ()
    files: tuple[FileShown, ...] = ()
    delivered: MessageRef | None = None
    # The reader's language tag for what an adapter words itself about them (where the files are),
    # inside `bot.i18n.reading`; set by the core for a reply with links or files, "" otherwise.
    language: str = ""


@dataclass(frozen=True, slots=True)
class Invocation:
    """Who ran a command, where. Adapters build it from a platform event; the core decides the rest.

    `platform_admin` is the adapter's own finding that the user is an admin by a platform grouping
    (a Slack user group, a Discord role) named in the settings.
    """

    channel: ChannelRef
    user: UserRef
    channel_name: str = ""
    thread: MessageRef | None = None
    platform_admin: bool = False
    # The language the platform says the user reads (Discord: the interaction's `locale`, else its
    # `guild_locale`), a BCP 47 tag; "" when it says none (Slack). The core uses it only when neither
    # the channel nor its partner sets a language (bot/services/languages.py).
    locale: str = ""
