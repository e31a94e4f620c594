"""What the core asks a Sender to post: announcements, relayed questions and answers, digests."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.files import Attachment
from bot.domain.refs import ChannelRef, MessageRef
from bot.domain.variants import Variant


@dataclass(frozen=True, slots=True)
class CtaButton:
    """A call to action as one copy shows it: its number (1 to 3, the order written), label, the URL the
    admin gave, and `link`, partnerbot's signed redirect to it that counts the click (None when
    PARTNERBOT_PUBLIC_URL is not set; bot/services/cta.py)."""

    number: int
    label: str
    url: str
    link: str | None = None

    @property
    def href(self) -> str:
        """Where a plain link (a digest, a platform's link button) points: the counted redirect if any."""
        return self.link or self.url


class RelayKind(StrEnum):
    QUESTION = "question"  # a partner's question, posted into the admin channel
    ANSWER = "answer"  # an admin's answer, posted back where the partner asked
    NOTICE = "notice"  # something the bot itself says in an admin channel (a report, a reminder)


@dataclass(frozen=True, slots=True)
class AnnouncementPost:
    """An announcement as it is posted into one partner channel."""

    delivery_id: int
    announcement_id: int
    title: str
    body: str
    topics: tuple[str, ...]
    urgent: bool
    ack_required: bool = False
    # A test copy (`test <id>`, delivery_id 0): the line marking it, shown above the announcement.
    test_note: str = ""
    ctas: tuple[CtaButton, ...] = ()
    # Files posted with it (the Sender reads their bytes from the FileStore), in order.
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class RelayPost:
    """A question relayed to admins, or an answer relayed back, already neutralised for mentions."""

    relay_id: int
    kind: RelayKind
    text: str
    # Set when the message opens an admin thread for an announcement's questions.
    heading: str = ""


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One announcement inside a digest, with its full text (the channel never got it on its own)."""

    announcement_id: int
    title: str
    body: str
    topics: tuple[str, ...]
    ctas: tuple[CtaButton, ...] = ()
    delivery_id: int = 0  # the held delivery the digest carries (its CTA links count clicks on it)
    # The held delivery's language and the announcement's variants: the digest service puts the
    # reader's text in `title` and `body` (bot/services/digests.py).
    language: str | None = None
    variants: tuple[Variant, ...] = ()
    # Its files, listed by name and size (a digest carries no uploads).
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestPost:
    """A daily/weekly digest for one channel: every announcement held for it since its last digest.

    `period_label` is already phrased ("Daily digest · Wednesday 25 November 2026"), in `language`
    (its reader's, by its first item; "": the vendor default), which the sender's own words use too.
    """

    digest_id: int
    period_label: str
    items: tuple[DigestItem, ...]
    language: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One unit of work for a Sender: where to post, what, and (for relays) in which thread."""

    channel: ChannelRef
    content: AnnouncementPost | RelayPost | DigestPost
    thread: MessageRef | None = None
