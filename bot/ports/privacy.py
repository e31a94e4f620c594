"""Personal data in the stores (bot/services/privacy.py): `partnerbot partners forget` and retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.refs import Platform


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person as partnerbot stores them: a platform and that platform's user id (`slack:U0ANA`)."""

    platform: Platform
    user: str

    def key(self) -> str:
        return f"{self.platform.value}:{self.user}"


@dataclass(frozen=True, slots=True)
class KnownName:
    """A display name stored somewhere (a question, answer, acknowledgement, audit entry, authored
    announcement) and the person it was stored with."""

    name: str
    person: PersonRef


@dataclass(frozen=True, slots=True)
class PersonalData:
    """How many stored rows carry one person's name or user id, per kind."""

    questions: int = 0
    answers: int = 0
    reactions: int = 0
    acknowledgements: int = 0
    audit_entries: int = 0
    announcements: int = 0
    join_codes: int = 0
    engagement_events: int = 0

    def total(self) -> int:
        return (
            self.questions
            + self.answers
            + self.reactions
            + self.acknowledgements
            + self.audit_entries
            + self.announcements
            + self.join_codes
            + self.engagement_events
        )


@dataclass(frozen=True, slots=True)
class Blanked:
    """What one retention run blanked: texts older than the retention period."""

    questions: int = 0
    answers: int = 0
    reminders: int = 0
    audit_entries: int = 0

    def total(self) -> int:
        return self.questions + self.answers + self.reminders + self.audit_entries


class PrivacyStore(Protocol):
    """Personal data in the stores. `storage.repositories.PrivacyRepository`."""

    async def names(self) -> list[KnownName]:
        """Every distinct (display name, person) pair stored anywhere."""
        ...

    async def count(self, person: PersonRef) -> PersonalData:
        """How many rows carry this person's user id (nothing changes)."""
        ...

    async def forget(self, person: PersonRef, *, pseudonym: str, name: str) -> PersonalData:
        """In one transaction, replace the person's user id by `pseudonym` and their name by `name`
        in every question, answer, reaction, acknowledgement, audit entry, authored announcement and
        join code; rows and counts stay. How many rows of each kind changed."""
        ...

    async def blank_before(self, cutoff: datetime, *, placeholder: str, reminder_prefix: str) -> Blanked:
        """Replace by `placeholder` the text of questions and answers written before `cutoff`, the
        text of finished notices keyed `reminder_prefix…` (they quote a question) created before it,
        and the details of audit entries before it. Rows already blanked are left alone."""
        ...
