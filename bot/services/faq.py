"""The admin's side of answers that already exist (issue 18): `faq <id> [off]`, the FAQ's wording
(`faq <id> question:"…" answer:"…"`), `faqs`, and the "Mark as FAQ" button (which runs `faq <id>`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import commands as c
from bot.ports.clock import Clock
from bot.ports.faq import FaqStore
from bot.ports.feedback import FeedbackStore
from bot.results import FaqChange, FaqChanged, FaqNotAnswered, FaqsListed


@dataclass(frozen=True, slots=True)
class FaqPorts:
    faq: FaqStore
    feedback: FeedbackStore  # only to tell a question that does not exist from one not answered yet


class FaqService:
    def __init__(self, ports: FaqPorts, clock: Clock) -> None:
        self._faq = ports.faq
        self._feedback = ports.feedback
        self._clock = clock

    async def mark(self, cmd: c.FaqMark) -> FaqChanged | FaqNotAnswered:
        """Mark (or unmark) an answered question as FAQ; saying so when nothing changes."""
        before = await self._faq.faq(cmd.question_id)
        if before is None:
            return await self._not_answered(cmd.question_id)
        if before.faq == cmd.on:
            return FaqChanged(before, FaqChange.ALREADY if cmd.on else FaqChange.ALREADY_OFF)
        after = await self._faq.set_faq(cmd.question_id, on=cmd.on, now=self._clock.now())
        if after is None:
            return FaqNotAnswered(cmd.question_id)
        return FaqChanged(after, FaqChange.MARKED if cmd.on else FaqChange.UNMARKED)

    async def edit(self, cmd: c.FaqEdit) -> FaqChanged | FaqNotAnswered:
        """Set the FAQ's wording (re-indexed for matching) and mark it as FAQ."""
        now = self._clock.now()
        if (
            await self._faq.set_wording(cmd.question_id, question=cmd.question, answer=cmd.answer, now=now)
            is None
        ):
            return await self._not_answered(cmd.question_id)
        after = await self._faq.set_faq(cmd.question_id, on=True, now=now)
        return FaqChanged(after, FaqChange.REWORDED) if after else FaqNotAnswered(cmd.question_id)

    async def _not_answered(self, question_id: int) -> FaqNotAnswered:
        # "has no answer yet, answer it first" would send the admin to `answer <id>`, which fails too.
        exists = await self._feedback.question(question_id) is not None
        return FaqNotAnswered(question_id, exists=exists)

    async def listing(self) -> FaqsListed:
        return FaqsListed(tuple(await self._faq.faqs()))


def command_text(cmd: c.FaqMark | c.FaqEdit) -> str:
    """The chat command `cmd` is (`faq 3 off`, `faq 3 question:"…"`), for the audit log."""
    if isinstance(cmd, c.FaqMark):
        return f"faq {cmd.question_id}" + ("" if cmd.on else " off")
    words = [f"faq {cmd.question_id}"]
    words += [
        f'{key}:"{value}"' for key, value in (("question", cmd.question), ("answer", cmd.answer)) if value
    ]
    return " ".join(words)
