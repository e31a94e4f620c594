"""`translate` and `translations`: an announcement's text per language (bot/domain/variants.py).

A variant is saved for a language as the roster stores it (bot/vocabulary.py). For an announcement
already out, the copies read in that language keep their text unless the admin asks for
`update-sent`: then they are edited in place through the update outbox, exactly as `edit` does.

`translate <id> <lang> draft` asks the optional Translator port for the missing text and keeps it
as a machine draft, which `pick` never reads: deliveries in that language get the fallback until
`translate <id> <lang> accept`, or until the admin's own text replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from bot import messages as m
from bot.commands import (
    MAX_BODY,
    MAX_TITLE,
    EditTexts,
    Translate,
    TranslateAccept,
    TranslateDraft,
    TranslateRemove,
    Translations,
)
from bot.domain.announcements import Announcement, AnnouncementStatus
from bot.domain.conversation import RefusalCode
from bot.domain.variants import TranslatorFailure, Variant, pick, reader_language
from bot.ports.analytics import ProgressStore
from bot.ports.announcements import AnnouncementStore, RevisionStore
from bot.ports.clock import Clock
from bot.ports.directory import DirectoryStore
from bot.ports.translator import Translator
from bot.ports.variants import VariantStore
from bot.results import (
    DraftProblem,
    DraftRefused,
    Refused,
    TranslationAccepted,
    TranslationDrafted,
    TranslationRemoved,
    TranslationSaved,
    TranslationsListed,
)
from bot.settings import CoreSettings
from bot.vocabulary import UnknownValue, Vocabulary
from bot.vocabulary import load as load_vocabulary

_CLOSED = (AnnouncementStatus.CANCELLED, AnnouncementStatus.RECALLED)


@dataclass(frozen=True, slots=True)
class TranslationPorts:
    """The ports TranslationService uses (bot/core.py wires them)."""

    announcements: AnnouncementStore
    variants: VariantStore
    revisions: RevisionStore
    progress: ProgressStore
    directory: DirectoryStore


def text_refused(title: str, body: str) -> Refused | None:
    """The grammar's rules for a variant's title and body, for input that did not come through it."""
    if not title.strip():
        return Refused(RefusalCode.MISSING, "title", message=m.TITLE_EMPTY)
    if len(title.strip()) > MAX_TITLE:
        too_long = m.TITLE_TOO_LONG.format(length=len(title.strip()), max=MAX_TITLE)
        return Refused(RefusalCode.TOO_LONG, "title", message=too_long)
    if not body.strip():
        return Refused(RefusalCode.MISSING, "body", message=m.TRANSLATE_BODY_EMPTY)
    if len(body.strip()) > MAX_BODY:
        too_long = m.BODY_TOO_LONG.format(length=len(body.strip()), max=MAX_BODY)
        return Refused(RefusalCode.TOO_LONG, "body", message=too_long)
    return None


def checked_variants(
    variants: Iterable[Variant], vocabulary: Vocabulary, default_language: str
) -> tuple[Variant, ...] | Refused:
    """A draft's variants with their languages standardised; raises UnknownValue for a tag that is
    none, refuses the default text's language and a language given twice."""
    checked: dict[str, Variant] = {}
    for variant in variants:
        language = vocabulary.check("language", variant.language)
        if language == default_language:
            return Refused(RefusalCode.DEFAULT_LANGUAGE, "language", value=language)
        if language in checked:
            return Refused(
                RefusalCode.UNKNOWN_VALUE, "language", message=m.VARIANT_TWICE.format(language=language)
            )
        wrong = text_refused(variant.title, variant.body)
        if wrong is not None:
            return wrong
        checked[language] = replace(variant, language=language)
    return tuple(checked.values())


class TranslationService:
    def __init__(
        self,
        ports: TranslationPorts,
        clock: Clock,
        settings: CoreSettings,
        *,
        wake_worker: Callable[[], None],
        translator: Translator | None = None,
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._wake_worker = wake_worker
        self._translator = translator

    @property
    def default_language(self) -> str:
        return self._settings.default_language

    async def translate(self, cmd: Translate) -> TranslationSaved | Refused:
        """Add or replace the variant; with `update_sent`, queue edits of the copies read in it."""
        wrong = text_refused(cmd.title, cmd.body)  # structured input (Discord's options) arrives here
        if wrong is not None:
            return wrong
        found = await self._editable(cmd.announcement_id, cmd.language)
        if isinstance(found, Refused):
            return found
        announcement, language = found
        variant = await self._stores.variants.save(
            announcement.id, language=language, title=cmd.title, body=cmd.body, now=self._clock.now()
        )
        if variant is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=cmd.announcement_id)
        readers = await self._stores.variants.readers(announcement.id)
        delivered = await self._stores.variants.readers(announcement.id, delivered=True)
        variants = (*(v for v in announcement.variants if v.language != language), variant)
        mine = sorted({stored or "" for stored in readers if self._reads(variants, stored) == language})
        copies = sum(count for stored, count in delivered.items() if (stored or "") in mine)
        result = TranslationSaved(announcement.id, variant, sent=bool(delivered), copies=copies)
        if not cmd.update_sent or not mine:
            return result
        updated = await self._stores.revisions.edit_languages(announcement.id, mine, now=self._clock.now())
        if updated is None:
            current = await self._stores.announcements.get(announcement.id)
            status = (current or announcement).status.value
            return Refused(RefusalCode.NOT_EDITABLE, announcement_id=announcement.id, status=status)
        await self._stores.progress.reopen(announcement.id)
        self._wake_worker()
        if not delivered and not updated:  # nothing is out yet: every copy goes out with the new text
            return result
        return TranslationSaved(announcement.id, variant, sent=True, copies=copies, updated=updated)

    async def draft(self, cmd: TranslateDraft) -> TranslationDrafted | DraftRefused | Refused:
        """The missing text drafted by the translator, saved as a machine draft (never sent)."""
        # The announcement and the language first: "no translator" for an announcement that does not
        # exist (or is sent, or has the admin's own text) would send the admin to a `translate` that fails.
        found = await self._editable(cmd.announcement_id, cmd.language)
        if isinstance(found, Refused):
            return found
        announcement, language = found
        there = next((v for v in announcement.variants if v.language == language), None)
        if there is not None and not there.machine:  # the admin's own text is never overwritten
            return DraftRefused(DraftProblem.EXISTS, announcement.id, language, title=there.title)
        if self._translator is None:
            return DraftRefused(DraftProblem.NO_TRANSLATOR, announcement.id, language)
        text = await self._translator.translate(
            title=announcement.title, body=announcement.body, source=self.default_language, target=language
        )
        if isinstance(text, TranslatorFailure):
            return DraftRefused(DraftProblem.FAILED, announcement.id, language, reason=text.reason)
        wrong = text_refused(text.title, text.body)
        if wrong is not None:
            return wrong
        variant = await self._stores.variants.save(
            announcement.id,
            language=language,
            title=text.title.strip(),
            body=text.body.strip(),
            now=self._clock.now(),
            machine=True,
        )
        if variant is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=cmd.announcement_id)
        return TranslationDrafted(announcement.id, variant)

    async def accept(self, cmd: TranslateAccept) -> TranslationAccepted | DraftRefused | Refused:
        """The machine draft of that language read from now on (copies not out yet get it)."""
        found = await self._editable(cmd.announcement_id, cmd.language)
        if isinstance(found, Refused):
            return found
        announcement, language = found
        there = next((v for v in announcement.variants if v.language == language), None)
        if there is not None and not there.machine:
            return TranslationAccepted(announcement.id, there, already=True)
        if there is None:
            return DraftRefused(DraftProblem.NO_VARIANT, announcement.id, language)
        now = self._clock.now()
        variant = await self._stores.variants.accept(announcement.id, language=language, now=now)
        if variant is None:  # removed meanwhile
            return DraftRefused(DraftProblem.NO_VARIANT, announcement.id, language)
        return TranslationAccepted(announcement.id, variant)

    async def remove(self, cmd: TranslateRemove) -> TranslationRemoved | DraftRefused | Refused:
        """The text of that language dropped: its readers get the default text from now on (copies
        not out yet included; those delivered keep what they got)."""
        found = await self._editable(cmd.announcement_id, cmd.language)
        if isinstance(found, Refused):
            return found
        announcement, language = found
        if not await self._stores.variants.remove(announcement.id, language=language):
            return DraftRefused(DraftProblem.NO_TEXT, announcement.id, language)
        sent = announcement.status is AnnouncementStatus.SENT
        return TranslationRemoved(announcement.id, language, sent=sent)

    async def _editable(self, announcement_id: int, typed: str) -> tuple[Announcement, str] | Refused:
        """The announcement, open to translation, and the language standardised (not the default's)."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=announcement_id)
        if announcement.status in _CLOSED:
            status = announcement.status.value
            return Refused(RefusalCode.NOT_EDITABLE, announcement_id=announcement.id, status=status)
        language = await self.language(typed, announcement.id)
        return language if isinstance(language, Refused) else (announcement, language)

    async def language(self, typed: str, announcement_id: int | None = None) -> str | Refused:
        """A variant's language as stored (`de_AT` → `de-at`), or why it cannot have one: a tag that
        is none, or the default text's own language. For forms that add a language before the text."""
        try:
            vocabulary = await load_vocabulary(self._stores.directory, self._settings)
            language = vocabulary.check("language", typed)
        except UnknownValue as unknown:
            return Refused(RefusalCode.UNKNOWN_VALUE, "language", value=typed, message=unknown.message)
        if language == self.default_language:
            return Refused(RefusalCode.DEFAULT_LANGUAGE, "language", announcement_id, value=language)
        return language

    async def changed(self, cmd: EditTexts) -> tuple[Translate, ...] | Refused:
        """The Edit modal's variants that differ from the ones stored, as `translate` commands, each
        checked first (so that a wrong one saves nothing at all); unchanged ones are left alone."""
        wanted: list[Translate] = []
        for variant in cmd.variants:
            wrong = text_refused(variant.title, variant.body)
            found = wrong or await self._editable(cmd.announcement_id, variant.language)
            if isinstance(found, Refused):
                return found
            announcement, language = found
            there = next((v for v in announcement.variants if v.language == language), None)
            title, body = variant.title.strip(), variant.body.strip()
            if there is None or (there.title, there.body) != (title, body):
                wanted.append(Translate(announcement.id, language, title, body, cmd.update_sent))
        return tuple(wanted)

    async def listing(self, cmd: Translations) -> TranslationsListed | Refused:
        announcement = await self._stores.announcements.get(cmd.announcement_id)
        if announcement is None:
            return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=cmd.announcement_id)
        readers = await self._stores.variants.readers(announcement.id)
        return TranslationsListed(announcement, self.default_language, self.by_text(announcement, readers))

    def by_text(self, announcement: Announcement, readers: Mapping[str | None, int]) -> dict[str, int]:
        """Copies per text read: the variant's language, or "" for the default text."""
        counts: dict[str, int] = {}
        for stored, count in readers.items():
            text = self._reads(announcement.variants, stored)
            counts[text] = counts.get(text, 0) + count
        return counts

    def _reads(self, variants: tuple[Variant, ...], stored: str | None) -> str:
        """The language of the text a delivery keeping `stored` reads ("" for the default text)."""
        found = pick(variants, reader_language(stored, self.default_language))
        return found.language if found else ""
