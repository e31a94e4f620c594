"""Reminders of partner questions nobody has answered yet.

The `question-reminders` job (bot/jobs.py) calls `queue`: every open question older than
`PARTNERBOT_QUESTION_REMINDER_HOURS` gets one reminder notice in the admin channel where admins saw
it, in the thread it was relayed into (the announcement's admin thread, or the direct question's
own). The notice key `reminder:question:<id>` makes it one reminder per question, ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import messages as m
from bot.cadence import NoticeDraft
from bot.domain.feedback import Question
from bot.ports.analytics import ReportStore
from bot.ports.outbox import NoticeStore
from bot.safety import neutralize_mentions
from bot.services.feedback import FeedbackService
from bot.settings import CoreSettings

REMINDER_KEY = "reminder:question:"
BATCH = 100  # per run; a backlog drains over the next runs


@dataclass(frozen=True, slots=True)
class ReminderPorts:
    """The ports ReminderService uses (bot/core.py wires them)."""

    reports: ReportStore
    notices: NoticeStore


class ReminderService:
    def __init__(self, ports: ReminderPorts, settings: CoreSettings, *, feedback: FeedbackService) -> None:
        self._stores = ports
        self._settings = settings
        self._feedback = feedback

    @property
    def wait(self) -> timedelta:
        return timedelta(hours=self._settings.question_reminder_hours)

    async def queue(self, *, now: datetime) -> int:
        """Queue a reminder for each question unanswered for too long; how many were new."""
        questions = await self._stores.reports.questions_to_remind(
            asked_before=now - self.wait, key_prefix=REMINDER_KEY, limit=BATCH
        )
        drafts = []
        for question in questions:
            try:
                channel = await self._feedback.admin_channel_of(question)
            except LookupError:
                continue  # no admin channel configured: nobody to remind
            drafts.append(
                NoticeDraft(
                    key=f"{REMINDER_KEY}{question.id}",
                    channel=channel,
                    text=render(question, now=now),
                    thread=question.admin_thread,
                )
            )
        return await self._stores.notices.add(drafts, now=now) if drafts else 0


def render(question: Question, *, now: datetime) -> str:
    how = m.REMINDER_IN_THREAD if question.admin_thread else m.REMINDER_ANSWER
    about = m.REMINDER_ABOUT.format(id=question.announcement_id) if question.announcement_id else ""
    return m.REMINDER.format(
        id=question.id,
        partner=neutralize_mentions(question.partner_name),
        tier=neutralize_mentions(question.partner_tier),
        platform=question.channel.platform.value,
        age=age(now - question.created_at),
        about=about,
        text=_short(neutralize_mentions(question.text)),
        how=how.format(id=question.id),
    )


def _short(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def age(elapsed: timedelta) -> str:
    """`26 h` under two days, `3 d 4 h` from then on (whole hours, rounded down)."""
    hours = max(0, int(elapsed.total_seconds() // 3600))
    if hours < 48:
        return m.AGE_HOURS.format(hours=hours)
    return m.AGE_DAYS.format(days=hours // 24, hours=hours % 24)
