"""Feedback flowing back: reactions on deliveries, partner questions to admins, answers to partners.

Questions and answers are written together with a relay row (an outbox), so a relay survives a crash
and is retried like a delivery; `post_relay` is what the delivery worker calls to send one. The
use-cases return typed results (bot/results.py) that the presenter (bot/presenter/feedback.py) words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot import messages as m
from bot.domain.announcements import AnnouncementStatus
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.engagement import HELPFUL_EMOJI
from bot.domain.faq import MAX_OFFERED, OfferState, SimilarAnswer
from bot.domain.feedback import Question, QuestionStatus
from bot.domain.outbox import Work
from bot.domain.refs import ChannelRef, MessageRef, Platform
from bot.domain.sending import Outgoing, RelayKind, RelayPost
from bot.i18n import language_name, reading
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.faq import FaqStore
from bot.ports.feedback import FeedbackStore
from bot.ports.outbox import DigestStore
from bot.ports.sending import Sender, SendError, TransientSendError
from bot.ports.similarity import Similarity
from bot.presenter.feedback import one_line
from bot.results import (
    HelpfulCounted,
    OfferSettled,
    OpenQuestions,
    QuestionAnswered,
    QuestionAsked,
    QuestionOffered,
    Refused,
)
from bot.safety import neutralize_mentions
from bot.services.languages import Languages
from bot.settings import CoreSettings

log = logging.getLogger(__name__)
MAX_QUESTION = 3000
SenderLookup = Callable[[Platform], Sender]
# An admin may aim a reply at one question of a busy thread: "#12 …". Only `#`: "Q3 prices…" is prose.
_QUESTION_PREFIX = re.compile(r"^\s*#(\d+)\s*[:\-\u2013\u2014]?\s*")


@dataclass(frozen=True, slots=True)
class FeedbackPorts:
    """The ports FeedbackService uses (bot/core.py wires them)."""

    feedback: FeedbackStore
    announcements: AnnouncementStore
    digests: DigestStore
    directory: DirectoryStore
    faq: FaqStore


class FeedbackService:
    def __init__(
        self, ports: FeedbackPorts, clock: Clock, settings: CoreSettings, *, similarity: Similarity
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._languages = Languages(ports.directory, clock, settings)
        self._similarity = similarity

    async def reaction(
        self, *, platform: Platform, channel: str, message: str, user: str, emoji: str, added: bool
    ) -> bool:
        """Record a reaction on a delivered announcement; False when the message is not one of ours."""
        hit = await self._stores.feedback.delivery_by_message(platform, channel, message)
        if hit is None:
            return False
        await self._stores.feedback.record_reaction(
            hit.delivery_id, user=user, emoji=emoji, added=added, now=self._clock.now()
        )
        return True

    async def helpful(
        self, *, platform: Platform, channel: str, message: str, user: str
    ) -> HelpfulCounted | Refused:
        """The "Helpful" button under the delivered announcement `message`: counted as a reaction."""
        recorded = await self.reaction(
            platform=platform, channel=channel, message=message, user=user, emoji=HELPFUL_EMOJI, added=True
        )
        return HelpfulCounted() if recorded else Refused(RefusalCode.NOT_AN_ANNOUNCEMENT)

    async def topics_of(self, platform: Platform, channel: str, message: str) -> tuple[str, ...]:
        """The topics of the announcement delivered as `message`; none when it is not one of ours."""
        hit = await self._stores.feedback.delivery_by_message(platform, channel, message)
        announcement = await self._stores.announcements.get(hit.announcement_id) if hit else None
        return announcement.topics if announcement else ()

    async def ask(
        self, inv: Invocation, channel_id: int, text: str, *, thread: str | None = None
    ) -> QuestionAsked | QuestionOffered | Refused:
        """A direct question (`ask …`, or a reply under a digest), not tied to one announcement;
        with `thread`, the answer comes back in that thread."""
        if len(text) > MAX_QUESTION:
            return _TOO_LONG
        return await self._store_question(inv, channel_id, None, None, text, thread)

    async def _store_question(
        self,
        inv: Invocation,
        channel_id: int,
        delivery_id: int | None,
        announcement_id: int | None,
        text: str,
        thread: str | None,
    ) -> QuestionAsked | QuestionOffered:
        """Store the question: relayed at once, or, when answers that already exist match it, held
        while they are offered (relayed anyway after PARTNERBOT_FAQ_OFFER_MINUTES)."""
        now = self._clock.now()
        offers = await self._offers(inv, channel_id, announcement_id, text)
        wait = timedelta(minutes=self._settings.faq_offer_minutes)
        question_id = await self._stores.feedback.ask(
            channel_id=channel_id,
            delivery_id=delivery_id,
            announcement_id=announcement_id,
            asker=inv.user.user,
            asker_name=inv.user.display_name,
            text=text,
            partner_thread=thread,
            now=now,
            offered=tuple(offer.question_id for offer in offers),
            relay_at=now + wait,
        )
        if not offers:
            return QuestionAsked(question_id)
        return QuestionOffered(question_id, tuple(offers), self._settings.faq_offer_minutes)

    async def _offers(
        self, inv: Invocation, channel_id: int, announcement_id: int | None, text: str
    ) -> list[SimilarAnswer]:
        """Answers worth offering; none when offers are off — or when looking fails: the question
        then goes to the team as it always did (it is never lost to a failed lookup)."""
        if self._settings.faq_offer_minutes == 0:
            return []
        try:
            channel = await self._stores.directory.channel(inv.channel)
            partner_id = channel.partner_id if channel is not None else None
            partner = await self._stores.directory.partner(partner_id) if partner_id else None
            return await self._similarity.similar(
                text=text,
                channel_id=channel_id,
                partner=partner,
                announcement_id=announcement_id,
                limit=MAX_OFFERED,
            )
        except Exception:
            log.exception("looking for answers that already exist failed; relaying the question")
            return []

    async def settle_offer(self, inv: Invocation, question_id: int, *, used: int | None) -> OfferSettled:
        """A press on an offer: "This answers it" (`used`: the answer that did) or "Ask the team
        anyway" (`used` None). Pressing twice, or after the question went to the team, says where
        it stands; nothing is relayed or counted twice."""
        channel = await self._stores.directory.channel(inv.channel)
        if channel is None:
            return OfferSettled(question_id, OfferState.UNKNOWN)
        now = self._clock.now()
        if used is None:
            state = await self._stores.faq.relay_now(question_id=question_id, channel_id=channel.id, now=now)
        else:
            state = await self._stores.faq.self_serve(
                question_id=question_id, used=used, channel_id=channel.id, user=inv.user.user, now=now
            )
        return OfferSettled(question_id, state)

    async def partner_thread_reply(
        self, inv: Invocation, thread: str, text: str
    ) -> QuestionAsked | QuestionOffered | Refused | None:
        """A partner wrote in an announcement's thread: that is a question for the vendor.

        Threads under anything else are ignored without touching the directory: with Discord's
        message-content intent every thread message arrives here.
        """
        hit = await self._stores.feedback.delivery_by_message(
            inv.channel.platform, inv.channel.channel, thread
        )
        if not text.strip():
            return None
        if hit is None:
            # A digest covers several announcements: a question under it is a direct question.
            digest_channel = await self._stores.digests.by_message(
                inv.channel.platform, inv.channel.channel, thread
            )
            if digest_channel is None:
                return None
            return await self.ask(inv, digest_channel, text.strip(), thread=thread)
        if len(text) > MAX_QUESTION:
            return _TOO_LONG
        return await self._store_question(
            inv, hit.channel_id, hit.delivery_id, hit.announcement_id, text.strip(), thread
        )

    async def admin_thread_reply(
        self, inv: Invocation, thread: str, text: str
    ) -> QuestionAnswered | Refused | None:
        """An admin wrote in a relayed-questions thread: an answer to one of its questions."""
        questions = await self._stores.feedback.questions_in_admin_thread(inv.channel.channel, thread)
        if not questions or not text.strip():
            return None
        match = _QUESTION_PREFIX.match(text)
        if match:
            wanted = int(match.group(1))
            target = next((q for q in questions if q.id == wanted), None)
            if target is None:
                return await self._not_in_thread(wanted, questions)
            body = text[match.end() :]
        else:
            open_ones = [q for q in questions if q.status is QuestionStatus.OPEN]
            if not open_ones:
                return None  # every question here is answered: admins are talking among themselves
            if len(open_ones) > 1:
                return Refused(RefusalCode.WHICH_QUESTION, ids=tuple(q.id for q in open_ones))
            target, body = open_ones[0], text
        if await self._recalled(target):
            # Its copy (and the partner's thread under it) is deleted: say so, and how to answer anyway.
            return Refused(
                RefusalCode.QUESTION_RECALLED, question_id=target.id, announcement_id=target.announcement_id
            )
        return await self.answer(inv, target.id, body)

    async def _not_in_thread(self, wanted: int, questions: list[Question]) -> Refused:
        here = tuple(q.id for q in questions)
        if await self._stores.feedback.question(wanted) is None:
            first = next((q.id for q in questions if q.status is QuestionStatus.OPEN), questions[0].id)
            return Refused(RefusalCode.NO_SUCH_QUESTION, question_id=wanted, ids=here, suggestion=str(first))
        return Refused(RefusalCode.QUESTION_NOT_IN_THREAD, question_id=wanted, ids=here)

    async def _recalled(self, question: Question) -> bool:
        """Whether the announcement the question was asked under has been recalled."""
        if question.announcement_id is None:
            return False
        announcement = await self._stores.announcements.get(question.announcement_id)
        return announcement is not None and announcement.status is AnnouncementStatus.RECALLED

    async def answer(self, inv: Invocation, question_id: int, text: str) -> QuestionAnswered | Refused:
        """An admin's answer to a question, queued for the partner's channel."""
        question = await self._stores.feedback.question(question_id)
        if question is None:
            return Refused(RefusalCode.NO_SUCH_QUESTION, question_id=question_id)
        if not text.strip():
            return Refused(RefusalCode.MISSING, "answer")
        await self._stores.feedback.answer(
            question_id,
            admin_platform=inv.user.platform,
            admin_id=inv.user.user,
            admin_name=inv.user.display_name,
            text=text.strip(),
            now=self._clock.now(),
        )
        recalled = question.announcement_id if await self._recalled(question) else None
        return QuestionAnswered(question_id, question.partner_name, recalled)

    async def answer_open(self, inv: Invocation, question_id: int, text: str) -> QuestionAnswered | Refused:
        """An answer to a question still open under a live announcement (the dashboard's form, which
        may be older than the question's state): nothing is queued for an empty answer, an unknown
        question, one answered meanwhile, or one whose announcement was recalled."""
        question = await self._stores.feedback.question(question_id)
        if question is None:
            return Refused(RefusalCode.NO_SUCH_QUESTION, question_id=question_id)
        if not text.strip():
            return Refused(RefusalCode.MISSING, "answer")
        if question.status is QuestionStatus.ANSWERED:
            return Refused(RefusalCode.ALREADY_ANSWERED, question_id=question_id)
        if await self._recalled(question):
            return Refused(
                RefusalCode.QUESTION_RECALLED,
                question_id=question_id,
                announcement_id=question.announcement_id,
            )
        return await self.answer(inv, question_id, text)

    async def open_questions(self) -> OpenQuestions:
        """The partner questions not answered yet."""
        return OpenQuestions(tuple(await self._stores.feedback.open_questions()))

    # --- relays: called by the delivery worker ----------------------------------------------

    async def post_relay(self, work: Work, sender_for: SenderLookup) -> MessageRef:
        """Post one relay (raises SendError like any send); records where the question landed."""
        assert work.question_id is not None
        question = await self._stores.feedback.question(work.question_id)
        assert question is not None
        key = f"r{work.id}"
        reader = await self._languages.of_channel(question.channel)
        if work.relay_kind is RelayKind.ANSWER:
            assert work.answer_id is not None
            with reading(reader.tag):  # the answer's frame in the partner's language, their words kept
                out = await self._answer_outgoing(work, question)
                return await _post_once(sender_for(out.channel.platform), out, key, work.ambiguous)
        admin = await self.admin_channel_of(question)
        with reading(self._settings.admin_language):
            thread = await self._admin_thread(work, question, admin, sender_for)
            text = _question_text(question, language_name(reader.tag))
            out = Outgoing(
                channel=admin,
                content=RelayPost(relay_id=work.id, kind=RelayKind.QUESTION, text=text),
                thread=thread,
            )
            ref = await _post_once(sender_for(admin.platform), out, key, work.ambiguous)
        await self._stores.feedback.set_relayed(
            question.id, channel=admin.channel, message=ref.message, thread=(thread or ref).message
        )
        return ref

    async def admin_channel_of(self, question: Question) -> ChannelRef:
        """Where admins see a question: the channel its announcement came from, else the configured one."""
        if question.announcement_id is not None:
            announcement = await self._stores.announcements.get(question.announcement_id)
            if announcement is not None:
                return announcement.origin
        for platform in (question.channel.platform, *Platform):
            channel = self._settings.admin_channel_for(platform)
            if channel:
                # CoreSettings name no workspace; the channel row (made by any admin command) knows it.
                known = await self._stores.directory.channel(ChannelRef(platform, "", channel))
                return known.ref if known else ChannelRef(platform, "", channel)
        raise LookupError("no admin channel is configured (PARTNERBOT_ADMIN_CHANNELS)")

    async def _admin_thread(
        self, work: Work, question: Question, admin: ChannelRef, sender_for: SenderLookup
    ) -> MessageRef | None:
        """The one admin thread per announcement, opened with a heading the first time it is needed."""
        if question.announcement_id is None:
            return None  # a direct question starts its own thread
        existing = await self._stores.announcements.admin_thread(question.announcement_id)
        if existing:
            return MessageRef(admin, existing)
        now = self._clock.now()
        # Held as long as a relay's claim (PARTNERBOT_LEASE_SECONDS): a worker that dies while posting
        # the heading hands it over no sooner than its relay, and one that is slow keeps it as long.
        until = now + timedelta(seconds=self._settings.lease_seconds)
        claimed = await self._stores.announcements.claim_admin_thread(
            question.announcement_id, now=now, until=until
        )
        if claimed is None:
            existing = await self._stores.announcements.admin_thread(question.announcement_id)
            if existing:
                return MessageRef(admin, existing)
            # Another worker is opening it right now: come back shortly and reply in its thread.
            raise TransientSendError("the admin thread is being opened", retry_after=2.0)
        announcement = await self._stores.announcements.get(question.announcement_id)
        heading = m.ADMIN_THREAD_HEADING.format(
            id=question.announcement_id, title=announcement.title if announcement else "?"
        )
        out = Outgoing(
            channel=admin, content=RelayPost(work.id, RelayKind.QUESTION, text=heading, heading=heading)
        )
        # Keyed by announcement and looked up first after an ambiguous attempt: a timeout never opens two.
        key = f"h{question.announcement_id}"
        try:
            ref = await _post_once(sender_for(admin.platform), out, key, work.ambiguous or claimed)
        except SendError as exc:
            if not (isinstance(exc, TransientSendError) and exc.maybe_posted):
                # Nothing was posted: let the next question open the thread without waiting.
                await self._stores.announcements.release_admin_thread(question.announcement_id)
            raise
        return MessageRef(
            admin, await self._stores.announcements.set_admin_thread(question.announcement_id, ref.message)
        )

    async def _answer_outgoing(self, work: Work, question: Question) -> Outgoing:
        assert work.answer_id is not None
        text, admin_name = await self._stores.feedback.answer_text(work.answer_id)
        admin = neutralize_mentions(admin_name) or m.VENDOR_TEAM
        if await self._recalled(question):
            # The announcement (and the thread under it) is gone: a plain message quoting the question.
            body = m.ANSWER_RELAYED_RECALLED.format(
                admin=admin,
                question=neutralize_mentions(question.text).replace("\n", "\n> "),
                answer=neutralize_mentions(text),
            )
            return Outgoing(channel=question.channel, content=RelayPost(work.id, RelayKind.ANSWER, body))
        body = m.ANSWER_RELAYED.format(
            admin=admin,
            question=one_line(neutralize_mentions(question.text), 200),
            answer=neutralize_mentions(text),
        )
        thread = MessageRef(question.channel, question.partner_thread) if question.partner_thread else None
        return Outgoing(
            channel=question.channel, content=RelayPost(work.id, RelayKind.ANSWER, body), thread=thread
        )


async def _post_once(sender: Sender, out: Outgoing, key: str, ambiguous: bool) -> MessageRef:
    if ambiguous:
        found = await sender.find_posted(out, idempotency_key=key)
        if found is not None:
            return found
    return await sender.post(out, idempotency_key=key)


def _question_text(question: Question, language: str) -> str:
    return m.QUESTION_RELAYED.format(
        language=language,
        id=question.id,
        partner=neutralize_mentions(question.partner_name),
        tier=question.partner_tier,
        platform=question.channel.platform.value,
        asker=neutralize_mentions(question.asker),
        # Every line quoted, so a multi-line question reads as one block in the admin channel.
        text=neutralize_mentions(question.text).replace("\n", "\n> "),
    )


_TOO_LONG = Refused(RefusalCode.TOO_LONG, "question", limit=MAX_QUESTION)
