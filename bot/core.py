"""The core's front door: every adapter turns a platform event into one call here.

Parsing happens once (bot/commands.py), authorisation once (admin channel + admin user), and every
failure becomes a friendly reply — a chat user never sees a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import TypeVar

from bot import commands as c
from bot import messages as m
from bot.domain.announcements import Announcement, AnnouncementStatus
from bot.domain.audiences import SavedAudience
from bot.domain.conversation import Invocation, Refusal, RefusalCode, Reply
from bot.domain.faq import OfferState
from bot.domain.languages import ReaderLanguage
from bot.domain.refs import ChannelRef, Platform, UserRef
from bot.domain.topics import Topic
from bot.grammar import help_text, parse_admin, parse_partner
from bot.i18n import reading
from bot.ports.clock import Clock
from bot.ports.similarity import Similarity
from bot.ports.stores import Stores
from bot.ports.translator import Translator
from bot.presenter import (
    FAQ_ASK_ACTION,
    FAQ_MARK_ACTION,
    FAQ_USED_ACTION,
    SHOW_ACTION,
    TEST_ACTION,
    localized,
    present,
)
from bot.presenter.approvals import APPROVE_ACTION, REJECT_ACTION, approval_reply, history_lines
from bot.presenter.audiences import audience_reply
from bot.presenter.engagement import engagement_reply
from bot.presenter.engagement import quiet_reply as gone_quiet_reply
from bot.presenter.faq import faq_reply
from bot.presenter.series import SERIES_END_ACTION, SERIES_START_ACTION, calendar_reply, series_reply
from bot.presenter.translations import translation_reply
from bot.results import (
    ApprovalRequested,
    EditUnchanged,
    FaqChange,
    FaqChanged,
    FaqNotAnswered,
    FaqsListed,
    FeedbackResult,
    QuestionAnswered,
    Refused,
)
from bot.services.acks import AckPorts, AckService
from bot.services.admin import (
    CANCEL_ACTION,
    EDIT_ACTION,
    RECALL_ACTION,
    SEND_ACTION,
    AdminPorts,
    AdminService,
    new_join_code,
)
from bot.services.analytics import AnalyticsPorts, AnalyticsService
from bot.services.approvals import ApprovalPorts, ApprovalService
from bot.services.audiences import AudiencePorts, AudienceService
from bot.services.calendar import CalendarPorts, CalendarService
from bot.services.cta import CtaLinks, CtaPorts, CtaService
from bot.services.dashboard_access import DASHBOARD_CHANNEL, DashboardAccess
from bot.services.engagement import EngagementPorts, EngagementService
from bot.services.faq import FaqPorts, FaqService, command_text
from bot.services.feedback import FeedbackPorts, FeedbackService
from bot.services.files import FilePorts, FileService
from bot.services.languages import Languages
from bot.services.partner_admin import PartnerAdminPorts, PartnerAdminService
from bot.services.partners import SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION, PartnerPorts, PartnerService
from bot.services.preview_images import ImageLinks, PreviewImage, PreviewImageService
from bot.services.progress import ProgressPorts, ProgressService
from bot.services.reminders import ReminderPorts, ReminderService
from bot.services.reports import ReportPorts, ReportService
from bot.services.rescheduling import ReschedulingPorts, ReschedulingService
from bot.services.revisions import RevisionPorts, RevisionService
from bot.services.roster import RosterPorts, RosterService
from bot.services.scheduling import SchedulingPorts, SchedulingService
from bot.services.search import SearchPorts, SearchService, ShowLinks
from bot.services.series import SeriesPorts, SeriesService
from bot.services.similarity import FullTextSimilarity
from bot.services.test_sends import TestSendPorts, TestSendService
from bot.services.translations import TranslationPorts, TranslationService
from bot.settings import CoreSettings
from bot.slots import CommandSlots
from bot.vocabulary import Vocabulary
from bot.vocabulary import load as load_vocabulary
from bot.when import today_in

log = logging.getLogger(__name__)
_R = TypeVar("_R")
# What the dashboard's FAQ forms audit: a change (pressing again when nothing changes is not one).
_FAQ_CHANGES = (FaqChange.MARKED, FaqChange.UNMARKED, FaqChange.REWORDED)


class PartnerBot:
    def __init__(
        self,
        stores: Stores,
        clock: Clock,
        settings: CoreSettings,
        *,
        wake_worker: Callable[[], None] = lambda: None,
        command_slots: int | None = None,
        dashboard: DashboardAccess | None = None,
        files: FilePorts | None = None,
        test_channels: Mapping[Platform, str] | None = None,
        cta_links: CtaLinks | None = None,
        image_links: ImageLinks | None = None,
        translator: Translator | None = None,
        similarity: Similarity | None = None,
    ) -> None:
        self.settings = settings
        # The web dashboard's sign-in links (`dashboard`); None when the root serves no dashboard.
        self.dashboard = dashboard
        # Commands at work at once (bot/slots.py); the composition root sizes it below the pool.
        self.slots = CommandSlots(command_slots)
        self._stores = stores
        self._clock = clock
        self._wake_worker = wake_worker
        # Each service gets only the ports it uses (its `…Ports`); this is where they are handed over.
        s = stores
        self.partners = PartnerService(
            PartnerPorts(
                directory=s.directory,
                topics=s.topics,
                subscriptions=s.subscriptions,
                announcements=s.announcements,
            ),
            clock,
            settings,
        )
        self.search = SearchService(
            SearchPorts(
                directory=s.directory,
                topics=s.topics,
                announcements=s.announcements,
                search=s.search,
                ctas=s.ctas,
            ),
            clock,
            settings,
            # "Show": counted CTA redirects, and images at signed links only where /f/ can serve them.
            ShowLinks(
                ctas=cta_links,
                images=image_links if files is not None else None,
                files=files.store if files is not None else None,
            ),
        )
        self.progress = ProgressService(
            ProgressPorts(notices=s.notices, progress=s.progress, stats=s.stats, revisions=s.revisions), clock
        )
        scheduling = SchedulingService(SchedulingPorts(schedules=s.schedules), clock, settings)
        file_service = FileService(files) if files is not None else None
        self.audiences = AudienceService(
            AudiencePorts(
                audiences=s.audiences, announcements=s.announcements, topics=s.topics, directory=s.directory
            ),
            clock,
            settings,
        )
        # `test <id>`: into the platform's test channel (the adapters' settings), else the admin channel.
        self.test_sends = TestSendService(
            TestSendPorts(announcements=s.announcements, notices=s.notices),
            clock,
            test_channels=test_channels or {},
            wake_worker=wake_worker,
            files=file_service,
        )
        self.translations = TranslationService(
            TranslationPorts(
                announcements=s.announcements,
                variants=s.variants,
                revisions=s.revisions,
                progress=s.progress,
                directory=s.directory,
            ),
            clock,
            settings,
            wake_worker=wake_worker,
            translator=translator,  # `translate <id> <lang> draft`: None without PARTNERBOT_TRANSLATOR_URL
        )
        self.admin = AdminService(
            AdminPorts(
                topics=s.topics,
                schedules=s.schedules,
                announcements=s.announcements,
                directory=s.directory,
                caps=s.caps,
            ),
            clock,
            settings,
            wake_worker=wake_worker,
            progress=self.progress,
            scheduling=scheduling,
            audiences=self.audiences,
            roster=PartnerAdminService(
                PartnerAdminPorts(directory=s.directory, outbox=s.outbox, engagement=s.engagement),
                clock,
                settings,
                join_code=new_join_code,
            ),
            files=file_service,
        )
        self.rescheduling = ReschedulingService(
            ReschedulingPorts(announcements=s.announcements, schedules=s.schedules),
            clock,
            scheduling=scheduling,
        )
        self.revisions = RevisionService(
            RevisionPorts(announcements=s.announcements, revisions=s.revisions, progress=s.progress),
            clock,
            settings,
            wake_worker=wake_worker,
            rescheduling=self.rescheduling,
        )
        # Approval before send: `send` and `edit` ask it first (bot/services/approvals.py).
        self.approvals = ApprovalService(
            ApprovalPorts(
                approvals=s.approvals,
                announcements=s.announcements,
                audit=s.audit,
                notices=s.notices,
                topics=s.topics,
                schedules=s.schedules,
            ),
            clock,
            settings,
            admin=self.admin,
            revisions=self.revisions,
            wake_worker=wake_worker,
        )
        # Recurring series (`broadcast … every:"…"`, `series …`) and `calendar`; the `series` job
        # drafts their occurrences (bot/jobs.py).
        self.series = SeriesService(
            SeriesPorts(
                series=s.series, schedules=s.schedules, announcements=s.announcements, job_runs=s.job_runs
            ),
            clock,
            settings,
            admin=self.admin,
            approvals=self.approvals,
        )
        self.calendar = CalendarService(
            CalendarPorts(schedules=s.schedules, series=s.series), clock, settings, series=self.series
        )
        self.feedback = FeedbackService(
            FeedbackPorts(
                feedback=s.feedback,
                announcements=s.announcements,
                digests=s.digests,
                directory=s.directory,
                faq=s.faq,
            ),
            clock,
            settings,
            # Answers that already exist (issue 18): full-text unless the root hands in another.
            similarity=similarity or FullTextSimilarity(s.faq, s.search),
        )
        self.faqs = FaqService(FaqPorts(faq=s.faq, feedback=s.feedback), clock)
        self.analytics = AnalyticsService(
            AnalyticsPorts(stats=s.stats, announcements=s.announcements, acks=s.acks)
        )
        self.acks = AckService(
            AckPorts(
                feedback=s.feedback,
                announcements=s.announcements,
                acks=s.acks,
                notices=s.notices,
                directory=s.directory,
            ),
            clock,
            settings,
        )
        self.engagement = EngagementService(
            EngagementPorts(engagement=s.engagement, topics=s.topics, directory=s.directory), clock, settings
        )
        # Calls to action: clicks on their buttons, and the signed redirect (when a public URL is set).
        self.ctas = CtaService(CtaPorts(ctas=s.ctas, feedback=s.feedback), clock, cta_links)
        # A preview's image on Slack, at a signed link (PARTNERBOT_PUBLIC_URL); None: no such links.
        self.preview_images = (
            PreviewImageService(s.announcements, files.store, clock, image_links)
            if image_links is not None and files is not None
            else None
        )
        # The periodic jobs' services (bot/jobs.py) and the roster import (the CLI).
        self.reports = ReportService(
            ReportPorts(reports=s.reports, notices=s.notices, engagement=s.engagement), settings
        )
        self.reminders = ReminderService(
            ReminderPorts(reports=s.reports, notices=s.notices), settings, feedback=self.feedback
        )
        self.languages = Languages(s.directory, clock, settings)
        self.roster_import = RosterService(
            RosterPorts(directory=s.directory, topics=s.topics), clock, settings
        )

    # --- commands ----------------------------------------------------------------------------

    async def partner_command(self, inv: Invocation, text: str) -> Reply:
        """`/partner <text>` (or an @mention outside the admin channel)."""
        return await self._in_turn(lambda: self._partner(inv, text), inv)

    async def admin_command(self, inv: Invocation, text: str) -> Reply:
        """`/partner-admin <text>` (or an @mention in the admin channel)."""
        return await self._in_turn(lambda: self._admin(inv, text), inv)

    async def mention(self, inv: Invocation, text: str) -> Reply:
        """`@partnerbot <text>`: the admin grammar in an admin channel, the partner grammar elsewhere."""
        if self.settings.is_admin_channel(inv.channel):
            return await self.admin_command(inv, text)
        return await self.partner_command(inv, text)

    async def button(self, inv: Invocation, action: str, value: str) -> Reply:
        """A button press from a reply the core produced (topic toggles, preview Send/Cancel)."""
        return await self._in_turn(lambda: self._button(inv, action, value), inv)

    async def dashboard_answer(
        self, admin: UserRef, question_id: int, text: str
    ) -> QuestionAnswered | Refused | Reply:
        """An admin's answer from the web dashboard (who signed in there is an admin): the same
        use-case and relay as `answer` in the chat, for a question still open. A queued answer is
        audited as "answer", where "dashboard"; a Reply only if something broke (INTERNAL_ERROR)."""
        inv = Invocation(channel=ChannelRef(admin.platform, "", DASHBOARD_CHANNEL), user=admin)

        async def run() -> QuestionAnswered | Refused:
            result = await self.feedback.answer_open(inv, question_id, text)
            if isinstance(result, QuestionAnswered):
                await self._stores.audit.record(
                    user=admin,
                    channel=DASHBOARD_CHANNEL,
                    action="answer",
                    detail=f"answer {question_id} {text.strip()}",
                    allowed=True,
                    now=self._clock.now(),
                )
            return result

        return await self._in_turn(run)

    async def dashboard_faq(
        self, admin: UserRef, command: c.FaqMark | c.FaqEdit
    ) -> FaqChanged | FaqNotAnswered | Reply:
        """Mark as FAQ (or not) and the FAQ's wording from the web dashboard: the same use-cases as
        `faq <id> …` in the chat. A change is audited as in the chat ("faqmark", "faqedit"), where
        "dashboard"; a Reply only if something broke (INTERNAL_ERROR)."""

        async def run() -> FaqChanged | FaqNotAnswered:
            if isinstance(command, c.FaqMark):
                result = await self.faqs.mark(command)
            else:
                result = await self.faqs.edit(command)
            if isinstance(result, FaqChanged) and result.change in _FAQ_CHANGES:
                await self._stores.audit.record(
                    user=admin,
                    channel=DASHBOARD_CHANNEL,
                    action=type(command).__name__.lower(),
                    detail=command_text(command),
                    allowed=True,
                    now=self._clock.now(),
                )
            return result

        return await self._in_turn(run)

    async def dashboard_faqs(self) -> FaqsListed | Reply:
        """Every FAQ with its wording and how many questions it answered, for the dashboard."""
        return await self._in_turn(self.faqs.listing)

    # --- events ------------------------------------------------------------------------------

    async def reaction(
        self, *, platform: Platform, channel: str, message: str, user: str, emoji: str, added: bool
    ) -> bool:
        try:
            return await self.feedback.reaction(
                platform=platform, channel=channel, message=message, user=user, emoji=emoji, added=added
            )
        except Exception:
            log.exception("recording a reaction failed")
            return False

    async def acknowledge(self, inv: Invocation, *, platform: Platform, channel: str, message: str) -> Reply:
        """The "Acknowledge" button under a delivered urgent announcement (`message` in `channel`)."""
        return await self._in_turn(
            lambda: self._acknowledge(inv, platform=platform, channel=channel, message=message), inv
        )

    async def _acknowledge(self, inv: Invocation, *, platform: Platform, channel: str, message: str) -> Reply:
        reply = present(await self.acks.acknowledge(inv, platform=platform, channel=channel, message=message))
        return await self._unless_test_copy(reply, platform, channel, message)

    async def _unless_test_copy(self, reply: Reply, platform: Platform, channel: str, message: str) -> Reply:
        """A press on a message that is no delivered announcement: on a test copy (`test <id>`), say
        so kindly instead — nothing is recorded for a test copy."""
        if reply.refusal != Refusal(RefusalCode.NOT_AN_ANNOUNCEMENT):
            return reply
        if await self._stores.notices.is_test_copy(platform, channel, message):
            return Reply(text=m.TEST_COPY_PRESSED)
        return reply

    async def helpful(self, *, platform: Platform, channel: str, message: str, user: str) -> Reply:
        """The "Helpful" button under a delivered announcement (`message` in `channel`)."""

        async def run() -> Reply:
            reply = present(
                await self.feedback.helpful(platform=platform, channel=channel, message=message, user=user)
            )
            return await self._unless_test_copy(reply, platform, channel, message)

        return await self._in_turn(run, where=ChannelRef(platform, "", channel))

    async def cta_pressed(
        self, *, platform: Platform, channel: str, message: str, user: str, announcement_id: int, number: int
    ) -> Reply:
        """A call-to-action button under a delivered announcement (`message` in `channel`): the click
        counted; the reply holds its link (a Discord button answers with it, only to who pressed)."""

        async def run() -> Reply:
            result = await self.ctas.pressed(
                platform=platform,
                channel=channel,
                message=message,
                announcement_id=announcement_id,
                number=number,
                user=user,
            )
            reply = present(result)
            unknown = reply.refusal == Refusal(RefusalCode.NOT_AN_ANNOUNCEMENT)
            if unknown and await self._stores.notices.is_test_copy(platform, channel, message):
                return await self._test_copy_cta(announcement_id, number)
            return reply

        return await self._in_turn(run, where=ChannelRef(platform, "", channel))

    async def show_link_pressed(self, inv: Invocation, announcement_id: int, number: int) -> bool:
        """A call to action pressed under "Show" where the platform reports link presses (Slack): the
        click counted on the channel's copy; False when nothing was counted (no copy, recalled)."""
        counted = await self._in_turn(lambda: self.search.link_pressed(inv, announcement_id, number), inv)
        return counted is True

    async def _test_copy_cta(self, announcement_id: int, number: int) -> Reply:
        """A call to action pressed on a test copy: its link, so the admin can try it, and no click."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None or not 1 <= number <= len(announcement.ctas):
            return Reply(text=m.TEST_COPY_PRESSED)
        cta = announcement.ctas[number - 1]
        return Reply(text=m.CTA_OPENED.format(label=cta.label, url=cta.url) + "\n" + m.TEST_CTA_NOT_COUNTED)

    async def preview_image(self, token: str) -> PreviewImage | None:
        """A preview's image link (`/f/<token>`) was opened: the image, if the token is genuine,
        unexpired and names an image of its announcement; None otherwise (the web adapter's 404)."""
        if self.preview_images is None:
            return None
        async with self.slots.turn():
            return await self.preview_images.image(token)

    async def cta_redirect(self, token: str) -> str | None:
        """A signed CTA link (`/r/<token>`) was opened: the click counted and the stored URL to go to;
        None, counting nothing, for a token partnerbot did not make (the web adapter answers 404)."""
        async with self.slots.turn():
            return await self.ctas.followed(token)

    async def mute(
        self, inv: Invocation, *, platform: Platform, channel: str, message: str, topic: str | None = None
    ) -> Reply:
        """ "Mute this topic" under a delivered announcement (`message` in `channel`): the caller's
        channel stops getting `topic` (the one picked, where the platform offers a choice), or,
        without one, every topic of that announcement."""

        async def run() -> Reply:
            if await self._stores.notices.is_test_copy(platform, channel, message):
                return Reply(text=m.TEST_COPY_PRESSED)
            topics = (topic,) if topic else await self.feedback.topics_of(platform, channel, message)
            if not topics:
                return Reply(text=m.NOT_AN_ANNOUNCEMENT, is_error=True)
            return present(await self.partners.unsubscribe(inv, c.Unsubscribe(topics=topics), muted=True))

        return await self._in_turn(run, inv)

    async def delivered(self, *, platform: Platform, channel: str, message: str) -> bool:
        """Whether partnerbot knows `message` in `channel` as a delivered announcement. An adapter
        whose worker records message ids after posting (Discord) waits for this before a press."""
        try:
            if await self.feedback.topics_of(platform, channel, message):
                return True
            return await self._stores.notices.is_test_copy(platform, channel, message)
        except Exception:
            log.exception("looking up a delivered message failed")
            return False

    async def thread_message(self, inv: Invocation, *, thread: str, text: str) -> Reply | None:
        """A message in a thread: a partner question under an announcement, or an admin's answer."""

        async def handle() -> Reply | None:
            if await self._stores.notices.is_test_copy(inv.channel.platform, inv.channel.channel, thread):
                return Reply(text=m.TEST_COPY_PRESSED)  # "Ask a question" (or a reply) under a test copy
            if self.settings.is_admin_channel(inv.channel):
                if not self._is_admin(inv):
                    return None  # colleagues may discuss in the thread; only admins answer partners
                answered = await self.feedback.admin_thread_reply(inv, thread, text)
                if isinstance(answered, QuestionAnswered):  # an admin action like `answer`: audited
                    detail = f"answer {answered.question_id} (a reply in the thread) {text.strip()}"
                    await self._audit(inv, "answer", detail, allowed=True)
                return _presented(answered)
            return _presented(await self.feedback.partner_thread_reply(inv, thread, text))

        return await self._in_turn(handle, inv)

    # --- internals ---------------------------------------------------------------------------

    async def _in_turn(
        self,
        handler: Callable[[], Awaitable[_R]],
        inv: Invocation | None = None,
        *,
        where: ChannelRef | None = None,
    ) -> _R | Reply:
        """Run `handler` in a command slot, in the reader's language (`inv`'s channel; none: English),
        its reply's words made plain text in that language before the adapter renders them."""
        async with self.slots.turn():
            if inv is not None:
                where = inv.channel
            language = await self._reader(where, inv.locale if inv else "") if where else None
            with reading(language):
                return localized(await _guarded(handler))

    async def _reader(self, channel: ChannelRef, locale: str = "") -> str | None:
        try:
            return (await self.languages.of_channel(channel, locale=locale)).tag
        except Exception:  # the reply still goes out, in the vendor default
            log.exception("looking up the reader's language failed")
            return self.settings.default_language

    async def reader_language(self, inv: Invocation) -> ReaderLanguage:
        """The language `inv`'s channel reads, for what an adapter words itself (modals, labels): it
        renders them inside `bot.i18n.reading(<tag>)`."""
        async with self.slots.turn():
            return await self.languages.of(inv)

    async def run_partner(self, inv: Invocation, command: c.PartnerCommand) -> Reply:
        """A partner command from structured input (Discord options, buttons): no text to parse."""
        return await self._in_turn(lambda: self._run_partner(inv, command), inv)

    async def run_admin(self, inv: Invocation, command: c.AdminCommand) -> Reply:
        """An admin command from structured input (the Slack broadcast modal, Discord options)."""
        return await self._in_turn(lambda: self._run_admin(inv, command, type(command).__name__.lower()), inv)

    async def editable(self, inv: Invocation, announcement_id: int) -> Announcement | Reply:
        """What an Edit form is prefilled with: the announcement, or a reply saying why not (not an
        admin here, no such announcement, cancelled or recalled)."""

        async def find() -> Announcement | Reply:
            refusal = await self._authorise(inv, f"edit {announcement_id}")
            if refusal:
                return refusal
            announcement = await self._stores.announcements.get(announcement_id)
            if announcement is None:
                return Reply(text=m.NO_SUCH_ANNOUNCEMENT.format(id=announcement_id), is_error=True)
            if announcement.status in (AnnouncementStatus.CANCELLED, AnnouncementStatus.RECALLED):
                text = m.NOT_EDITABLE[announcement.status.value].format(id=announcement_id)
                return Reply(text=text, is_error=True)
            return announcement

        return await self._in_turn(find)

    async def draft(self, inv: Invocation, announcement_id: int) -> Announcement | Reply | None:
        """The announcement behind a preview, for an adapter that redraws it when other topics or
        another audience are picked under it: the refusal if `inv` may not use admin features here,
        None if there is no such announcement. Its status says whether it is still a draft."""

        async def find() -> Announcement | Reply | None:
            refusal = await self._authorise(inv, f"change draft {announcement_id}")
            return refusal or await self._stores.announcements.get(announcement_id)

        return await self._in_turn(find)

    async def preview(self, inv: Invocation, announcement_id: int) -> Reply | None:
        """A draft's preview as it stands, for an adapter that redraws it after a change made beside
        it (a translation added from under the preview): the refusal if `inv` may not use admin
        features here, None when it is no draft (any more)."""

        async def show() -> Reply | None:
            refusal = await self._authorise(inv, f"preview {announcement_id}")
            if refusal:
                return refusal
            previewed = await self.revisions.preview(announcement_id)
            return present(previewed) if previewed else None

        return await self._in_turn(show, inv)

    async def vocabulary(self) -> Vocabulary:
        """The known tiers, types, regions (and the roster's languages), for pickers and the CLI."""
        return await load_vocabulary(self._stores.directory, self.settings)

    async def audience_options(self) -> dict[str, tuple[str, ...]]:
        """The values an audience picker offers per key (tier, type, region, language): the ones the
        core accepts, configured values first, then the roster's own."""
        return (await self.vocabulary()).options()

    async def saved_audiences(self) -> list[SavedAudience]:
        """The saved audiences, by name, for pickers (Slack's modal, Discord's autocomplete) and the CLI."""
        return await self._stores.audiences.all()

    async def topics(self, *, include_archived: bool = False) -> list[Topic]:
        """Topics for pickers and autocomplete."""
        return await self._stores.topics.all(include_archived=include_archived)

    async def workspace_removed(self, platform: Platform, workspace: str, *, reason: str) -> int:
        """The app was uninstalled from a Slack workspace or removed from a Discord server."""
        return await self._stores.directory.deactivate_workspace(platform.value, workspace, reason=reason)

    async def channel_removed(self, channel: ChannelRef, *, reason: str) -> bool:
        """A delivery channel was deleted or archived, or the bot lost access to it."""
        found = await self._stores.directory.channel(channel)
        if found is None or not found.active:
            return False
        await self._stores.directory.deactivate([found.id], reason=reason)
        await self._stores.outbox.fail_pending_for_channel(found.id, reason=f"deactivated: {reason}")
        return True

    async def _partner(self, inv: Invocation, text: str) -> Reply:
        parsed = parse_partner(text)
        if isinstance(parsed, c.CommandError):
            return Reply(text=parsed.message, is_error=True, refusal=parsed.refusal)
        return await self._run_partner(inv, parsed)

    async def _run_partner(self, inv: Invocation, parsed: c.PartnerCommand) -> Reply:
        p = self.partners
        match parsed:
            case c.Help():
                return Reply(text=help_text(parsed.topic, admin=False))
            case c.ListTopics():
                return present(await p.topics(inv))
            case c.Subscribe():
                return present(await p.subscribe(inv, parsed))
            case c.Unsubscribe():
                return present(await p.unsubscribe(inv, parsed))
            case c.ListSubscriptions():
                return present(await p.subscriptions(inv))
            case c.News():
                return present(await p.news(inv, parsed))
            case c.SearchNews():
                return present(await self.search.search(inv, parsed))
            case c.Ask():
                channel = await p.channel(inv)
                return present(await self.feedback.ask(inv, channel.id, parsed.text))
            case c.ShowSettings():
                shown = await p.settings(inv)
                return present(replace(shown, language=await self.languages.of(inv)))
            case c.SetLanguage():
                return present(await self.languages.set(inv, parsed, await p.channel(inv)))
            case c.SetMode():
                return present(await p.set_mode(inv, parsed))
            case c.SetTimezone():
                return present(await p.set_timezone(inv, parsed))
            case c.SetQuietHours():
                return present(await p.set_quiet_hours(inv, parsed))
            case c.SetWeeklyCap():
                return present(await p.set_weekly_cap(inv, parsed))
            case c.Join():
                return present(await p.join(inv, parsed))
        raise AssertionError(f"unhandled partner command {parsed!r}")

    def _today(self) -> date:
        """The vendor's date by the injected clock: examples in help and errors are dated after it."""
        return today_in(self._clock.now(), self.settings.default_timezone)

    async def _admin(self, inv: Invocation, text: str) -> Reply:
        parsed = parse_admin(text, today=self._today())
        if isinstance(parsed, c.CommandError):
            refusal = await self._authorise(inv, text)
            return refusal or Reply(text=parsed.message, is_error=True, refusal=parsed.refusal)
        return await self._run_admin(inv, parsed, text)

    async def _run_admin(self, inv: Invocation, parsed: c.AdminCommand, detail: str) -> Reply:
        return self._with_image_url(await self._admin_command(inv, parsed, detail))

    def _with_image_url(self, reply: Reply) -> Reply:
        """A draft's preview with the signed link to its image, where such links are made."""
        draft = reply.draft
        if draft is None or not draft.files or self.preview_images is None:
            return reply
        url = self.preview_images.url(draft.announcement_id, draft.files)
        return replace(reply, draft=replace(draft, image_url=url)) if url else reply

    async def _admin_command(self, inv: Invocation, parsed: c.AdminCommand, detail: str) -> Reply:
        refusal = await self._authorise(inv, detail)
        if refusal:
            return refusal
        # Remember the admin channel's workspace: relays to it need it (a Slack token is per workspace).
        await self.partners.channel(inv)
        await self._audit(inv, type(parsed).__name__.lower(), detail, allowed=True)
        a = self.admin
        match parsed:
            case c.AdminHelp():
                return Reply(text=help_text(parsed.topic, admin=True, today=self._today()))
            case c.TopicAdd():
                return present(await a.add_topic(parsed))
            case c.TopicArchive():
                return present(await a.archive_topic(parsed))
            case c.TopicUnarchive():
                return present(await a.unarchive_topic(parsed))
            case c.AdminTopics():
                return present(await a.list_topics())
            case c.Invite():
                return await a.invite(inv, parsed)
            case c.Broadcast() if parsed.every is not None:
                return series_reply(await self.series.create(inv, parsed))
            case c.Broadcast():
                return await a.broadcast(inv, parsed)
            case c.Send():
                return await self._send(inv, parsed)
            case c.Cancel():
                return present(await a.cancel(parsed))
            case c.Edit():
                gated = await self.approvals.gate_edit(inv, parsed)
                return approval_reply(gated) if gated else present(await self.revisions.edit(parsed))
            case c.Recall():
                return present(await self.revisions.recall(parsed))
            case c.Scheduled():
                return present(await a.scheduled())
            case c.Stats():
                return await self._stats(parsed.announcement_id)
            case c.Acks():
                return present(await self.acks.listing(parsed.announcement_id))
            case c.Questions():
                return present(await self.feedback.open_questions())
            case c.Answer():
                return present(await self.feedback.answer(inv, parsed.question_id, parsed.text))
            case c.PartnerShow():
                return present(await a.roster.show(parsed))
            case c.PartnerSet():
                return present(await a.roster.set(parsed))
            case c.PartnerRemove():
                return present(await a.roster.remove(parsed))
            case c.Reschedule():
                return present(await self.rescheduling.reschedule(parsed))
            case c.Drafts():
                return present(await self.rescheduling.drafts())
            case c.Engagement():
                overview = await self.engagement.overview(
                    tier=parsed.tier, region=parsed.region, topic=parsed.topic
                )
                return engagement_reply(overview, self.engagement.formula)
            case c.Quiet():
                return gone_quiet_reply(await self.engagement.quiet())
            case c.Dashboard():
                return await self._dashboard_link(inv)
            case c.AudienceSave():
                return audience_reply(await self.audiences.save(inv, parsed))
            case c.AudienceList():
                return audience_reply(await self.audiences.listing())
            case c.AudienceShow():
                return audience_reply(await self.audiences.show(parsed.name))
            case c.AudienceDelete():
                return audience_reply(await self.audiences.delete(parsed.name))
            case c.SendTest():
                return audience_reply(await self.test_sends.queue(inv, parsed))
            case c.Translate():
                return translation_reply(await self.translations.translate(parsed))
            case c.TranslateDraft():
                return translation_reply(await self.translations.draft(parsed))
            case c.TranslateAccept():
                return translation_reply(await self.translations.accept(parsed))
            case c.TranslateRemove():
                return translation_reply(await self.translations.remove(parsed))
            case c.Translations():
                return translation_reply(await self.translations.listing(parsed))
            case c.EditTexts():
                return await self._edit_texts(inv, parsed)
            case c.SeriesList():
                return series_reply(await self.series.listing())
            case c.SeriesAction():
                return series_reply(await self.series.change(parsed))
            case c.SeriesEdit():
                return series_reply(await self.series.edit(parsed))
            case c.Calendar():
                return calendar_reply(await self.calendar.show(parsed))
            case c.Approve():
                return approval_reply(await self.approvals.approve(inv, parsed))
            case c.Reject():
                return approval_reply(await self.approvals.reject(inv, parsed))
            case c.TopicApproval():
                return approval_reply(await self.approvals.set_topic(parsed))
            case c.FaqMark():
                return faq_reply(await self.faqs.mark(parsed))
            case c.FaqEdit():
                return faq_reply(await self.faqs.edit(parsed))
            case c.Faqs():
                return faq_reply(await self.faqs.listing())
        raise AssertionError(f"unhandled admin command {parsed!r}")

    async def _edit_texts(self, inv: Invocation, cmd: c.EditTexts) -> Reply:
        """The Edit modal: every changed translation checked, then saved, then the default text edited
        (a draft's preview, last, shows them all); a wrong one first saves nothing."""
        changed = await self.translations.changed(cmd)
        if isinstance(changed, Refused):
            return translation_reply(changed)
        saved = [translation_reply(await self.translations.translate(each)) for each in changed]
        edit = c.Edit(cmd.announcement_id, title=cmd.title, body=cmd.body)
        gated = await self.approvals.gate_edit(inv, edit)
        result = None if gated else await self.revisions.edit(edit)
        if saved and isinstance(result, EditUnchanged):  # only translations changed
            result = await self.revisions.preview(cmd.announcement_id)
            if result is None:
                return replace(saved[-1], text="\n".join(reply.text for reply in saved))
        edited = approval_reply(gated) if gated else present(result) if result else None
        if edited is None:  # not expected: either the approval gate or the edit answers
            raise AssertionError("edit without a result")
        lines = [reply.text for reply in saved if reply.text]
        return replace(edited, text="\n".join([*lines, edited.text])) if lines else edited

    async def translation_language(self, inv: Invocation, typed: str) -> str | Reply:
        """A language an admin adds to a form (Slack's Edit and Broadcast modals) before its text: the
        tag as stored, or the refusal (not an admin here, no such tag, the default text's own)."""

        async def check() -> str | Reply:
            refusal = await self._authorise(inv, "translate")
            if refusal:
                return refusal
            language = await self.translations.language(typed)
            return translation_reply(language) if isinstance(language, Refused) else language

        return await self._in_turn(check, inv)

    async def _send(self, inv: Invocation, cmd: c.Send) -> Reply:
        """`send`: asks for approval first where it is needed (bot/services/approvals.py)."""
        gated = await self.approvals.gate_send(inv, cmd)
        if isinstance(gated, ApprovalRequested):
            return approval_reply(gated)
        sent = await self.admin.send(cmd)
        if gated is not None and gated.bypassed and not sent.is_error:
            return replace(sent, text=f"{sent.text}\n{m.URGENT_BYPASS_NOTE}")
        return sent

    async def _stats(self, announcement_id: int | None) -> Reply:
        """`stats [<id>]`; for one announcement, its approval history under the numbers."""
        shown = present(await self.analytics.show(announcement_id))
        if announcement_id is None or shown.is_error:
            return shown
        lines = history_lines(*await self.approvals.history(announcement_id))
        return replace(shown, text="\n".join([shown.text, "", *lines])) if lines else shown

    async def approval_notice(self, inv: Invocation, announcement_id: int) -> None:
        """Post the pending approval request of a send made outside the chat (the CLI) into the
        admin channel of `inv`, where other admins will see it."""
        async with self.slots.turn():
            await self.approvals.announce(inv, announcement_id)

    async def _dashboard_link(self, inv: Invocation) -> Reply:
        """A one-time sign-in link for the admin who asked, shown only to them."""
        if self.dashboard is None:
            return Reply(text=m.DASHBOARD_OFF, is_error=True)
        url = await self.dashboard.sign_in_url(inv.user, via=inv.channel.key())
        minutes = m.DASHBOARD_LINK_MINUTES(max(1, round(self.dashboard.link_ttl.total_seconds() / 60)))
        return Reply(text=m.DASHBOARD_LINK.format(url=url, minutes=minutes), ephemeral=True, private=True)

    async def _offer_pressed(self, inv: Invocation, action: str, value: str) -> Reply:
        """ "This answers it" (`<question>-<answer used>`) or "Ask the team anyway" (`<question>`)."""
        ids = value.split("-") if action == FAQ_USED_ACTION else [value]
        if len(ids) != (2 if action == FAQ_USED_ACTION else 1) or not all(
            i.isascii() and i.isdigit() and len(i) <= 18 for i in ids
        ):
            return Reply(text=m.BUTTON_EXPIRED, is_error=True)
        used = int(ids[1]) if len(ids) == 2 else None
        settled = await self.feedback.settle_offer(inv, int(ids[0]), used=used)
        if settled.state is OfferState.RELAYED:
            self._wake_worker()  # the relay is due now
        return present(settled)

    async def _button(self, inv: Invocation, action: str, value: str) -> Reply:
        if action in (SUBSCRIBE_ACTION, UNSUBSCRIBE_ACTION):
            return present(await self.partners.toggle(inv, value, subscribe=action == SUBSCRIBE_ACTION))
        if action == SHOW_ACTION:
            if not (value.isdigit() and len(value) <= 18):
                return Reply(text=m.BUTTON_EXPIRED, is_error=True)
            return present(await self.search.show(inv, int(value)))
        if action in (FAQ_USED_ACTION, FAQ_ASK_ACTION):
            return await self._offer_pressed(inv, action, value)
        verbs = {
            SEND_ACTION: "send",
            CANCEL_ACTION: "cancel",
            RECALL_ACTION: "recall",
            TEST_ACTION: "test",
            SERIES_START_ACTION: "series start",
            SERIES_END_ACTION: "series end",
            APPROVE_ACTION: "approve",
            FAQ_MARK_ACTION: "faq",  # "Mark as FAQ" under an answer's confirmation (issue 18)
        }
        if action in verbs:
            if not value.isdigit():
                return Reply(text=m.BUTTON_EXPIRED, is_error=True)
            return await self._admin(inv, f"{verbs[action]} {value}")
        if action == REJECT_ACTION and value.isdigit():
            # Adapters with forms (Slack, Discord) ask for the comment; elsewhere, say how to type it.
            refusal = await self._authorise(inv, f"reject {value}")
            return refusal or Reply(text=m.HOW_TO_REJECT.format(id=value))
        if action == EDIT_ACTION and value.isdigit():
            # Adapters with forms (Slack, Discord) open one instead; elsewhere, say how to edit.
            refusal = await self._authorise(inv, f"edit {value}")
            return refusal or present(await self.revisions.how_to_edit(int(value)))
        return Reply(text=m.BUTTON_EXPIRED, is_error=True)

    async def admin_refusal(self, inv: Invocation, what: str) -> Reply | None:
        """The refusal (audited) if `inv` may not use admin features here, else None.

        For adapters that must decide before opening an admin UI (a modal, a context menu).
        """
        return await self._authorise(inv, what)

    def _is_admin(self, inv: Invocation) -> bool:
        return self.settings.is_admin_user(inv.user) or inv.platform_admin

    async def _authorise(self, inv: Invocation, what: str) -> Reply | None:
        if not self.settings.is_admin_channel(inv.channel):
            await self._audit(inv, "refused", f"outside admin channel: {what}", allowed=False)
            return Reply(text=m.ADMIN_ONLY_IN_ADMIN_CHANNEL, is_error=True)
        if not self._is_admin(inv):
            await self._audit(inv, "refused", f"not an admin: {what}", allowed=False)
            return Reply(text=m.ADMIN_ONLY_FOR_ADMINS, is_error=True)
        return None

    async def _audit(self, inv: Invocation, action: str, detail: str, *, allowed: bool) -> None:
        await self._stores.audit.record(
            user=inv.user,
            channel=inv.channel.key(),
            action=action,
            detail=detail,
            allowed=allowed,
            now=self._clock.now(),
        )


def _presented(result: FeedbackResult | None) -> Reply | None:
    """A thread message's result in words; None when partnerbot has nothing to say to it."""
    return None if result is None else present(result)


async def _guarded(handler: Callable[[], Awaitable[_R]]) -> _R | Reply:
    try:
        return await handler()
    except Exception:
        # Nothing half-done is left behind: each store call is its own transaction.
        log.exception("command failed")
        return Reply(text=m.INTERNAL_ERROR, is_error=True)
