"""Personal data: forgetting a person (`partnerbot partners forget`) and the retention period.

Forgetting replaces a person's user id by a random pseudonym (the same one in all their rows, so
"who reacted" stays one person and every count stays what it was) and their name by
`messages.FORGOTTEN_PERSON`. Retention blanks old free text; rows stay, so stats do not change.
"""

from __future__ import annotations

import difflib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import messages as m
from bot.domain.refs import Platform
from bot.ports.privacy import Blanked, KnownName, PersonalData, PersonRef, PrivacyStore
from bot.services.reminders import REMINDER_KEY

# User ids of forgotten people start with this (platform user ids never do).
FORGOTTEN_PREFIX = "forgotten-"


@dataclass(frozen=True, slots=True)
class ForgetTarget:
    """Whom `forget` would change, how they are called in messages, and what is stored about them."""

    person: PersonRef
    label: str
    stored: PersonalData


@dataclass(frozen=True, slots=True)
class ForgetRefusal:
    """Why `forget` changes nothing: bad input (`bad_input`: neither or both of name and user, or a
    user id in the wrong form), or nobody (or more than one person) matches."""

    text: str
    bad_input: bool = False


def parse_person(given: str) -> PersonRef | None:
    """`slack:U0ANA` (the form of PARTNERBOT_ADMIN_USERS) → a PersonRef; None if it is not one."""
    platform, _, user = given.strip().partition(":")
    if platform not in {p.value for p in Platform} or not user or ":" in user:
        return None
    return PersonRef(Platform(platform), user)


def personal_data_text(data: PersonalData) -> str:
    """`3 questions, 1 answer, 12 reactions`: each kind with rows, in a fixed order."""
    parts = [
        (m.QUESTIONS, data.questions),
        (m.ANSWERS, data.answers),
        (m.REACTIONS, data.reactions),
        (m.ACKNOWLEDGEMENTS, data.acknowledgements),
        (m.AUDIT_ENTRIES, data.audit_entries),
        (m.ANNOUNCEMENTS, data.announcements),
        (m.JOIN_CODES, data.join_codes),
        (m.ENGAGEMENT_EVENTS, data.engagement_events),
    ]
    return ", ".join(noun(n) for noun, n in parts if n)


def blanked_text(blanked: Blanked) -> str:
    parts = [
        (m.QUESTIONS, blanked.questions),
        (m.ANSWERS, blanked.answers),
        (m.REMINDERS, blanked.reminders),
        (m.AUDIT_ENTRIES, blanked.audit_entries),
    ]
    return ", ".join(noun(n) for noun, n in parts if n)


class PrivacyService:
    def __init__(self, store: PrivacyStore) -> None:
        self._store = store

    async def find(self, *, name: str | None = None, user: str | None = None) -> ForgetTarget | ForgetRefusal:
        """The person named `name` (exactly as stored) or with user id `user` (`slack:U0ANA`), with
        what is stored about them; a one-line refusal when there is nobody (or more than one)."""
        if (name is None) == (user is None) or (name is not None and not name.strip()):
            return ForgetRefusal(m.FORGET_WHOM, bad_input=True)
        if user is not None:
            person = parse_person(user)
            if person is None:
                return ForgetRefusal(m.FORGET_BAD_USER.format(given=user), bad_input=True)
            stored = await self._store.count(person)
            if not stored.total():
                return ForgetRefusal(m.FORGET_NO_USER.format(who=person.key()))
            return ForgetTarget(person, person.key(), stored)
        assert name is not None
        return await self._by_name(name.strip())

    async def _by_name(self, name: str) -> ForgetTarget | ForgetRefusal:
        known = [k for k in await self._store.names() if not k.person.user.startswith(FORGOTTEN_PREFIX)]
        people = sorted({k.person for k in known if k.name == name}, key=PersonRef.key)
        if not people:
            return ForgetRefusal(m.FORGET_NO_NAME.format(name=name, did_you_mean=_did_you_mean(name, known)))
        if len(people) > 1:
            keys = [p.key() for p in people]
            return ForgetRefusal(m.FORGET_SEVERAL.format(name=name, people=", ".join(keys), first=keys[0]))
        return ForgetTarget(people[0], name, await self._store.count(people[0]))

    async def forget(self, target: ForgetTarget) -> str:
        """Forget the person; the sentence saying what was forgotten."""
        pseudonym = FORGOTTEN_PREFIX + secrets.token_hex(6)
        done = await self._store.forget(target.person, pseudonym=pseudonym, name=m.FORGOTTEN_PERSON)
        return m.FORGOT.format(who=target.label, what=personal_data_text(done))

    async def apply_retention(self, *, retention_days: int | None, now: datetime) -> str:
        """Blank what is older than the retention period; what it did, for `partnerbot jobs`."""
        if retention_days is None:
            return m.JOB_RETENTION_OFF
        blanked = await self._store.blank_before(
            now - timedelta(days=retention_days), placeholder=m.TEXT_REMOVED, reminder_prefix=REMINDER_KEY
        )
        if not blanked.total():
            return m.JOB_RETENTION_NOTHING
        return m.JOB_RETENTION.format(what=blanked_text(blanked))


def _did_you_mean(name: str, known: list[KnownName]) -> str:
    names = sorted({k.name for k in known})
    folded = name.casefold()
    same = [n for n in names if n.casefold() == folded]
    if same:
        return m.DID_YOU_MEAN.format(suggestion=same[0])
    lowered = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(folded, list(lowered), n=1)
    return m.DID_YOU_MEAN.format(suggestion=lowered[close[0]]) if close else m.FORGET_NO_NAME_END
