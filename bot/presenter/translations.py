"""Translated announcements in words: `translate`, `translations`, and the preview's language line."""

from __future__ import annotations

from collections.abc import Mapping

from babel import Locale, UnknownLocaleError

from bot import messages as m
from bot.domain.conversation import Refusal, RefusalCode, Reply
from bot.domain.variants import fallbacks, pick, same_language
from bot.presenter.refusals import error, refusal_reply
from bot.results import (
    DraftProblem,
    DraftRefused,
    Previewed,
    Refused,
    TranslationAccepted,
    TranslationDrafted,
    TranslationRemoved,
    TranslationResult,
    TranslationSaved,
    TranslationsListed,
)


def language_name(tag: str) -> str:
    """A language tag in English words (`de` → German, `de-at` → German (Austria)); the tag itself
    for one Babel does not know."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name("en")
    except (ValueError, UnknownLocaleError):
        return tag
    return str(name) if name else tag


def translation_reply(result: TranslationResult) -> Reply:
    match result:
        case TranslationSaved():
            return saved_reply(result)
        case TranslationsListed():
            return listed_reply(result)
        case TranslationDrafted():
            fields = _fields(result.announcement_id, result.variant.language)
            return Reply(text=m.TRANSLATION_DRAFTED.format(title=result.variant.title, **fields))
        case TranslationAccepted():
            fields = _fields(result.announcement_id, result.variant.language)
            shown = m.TRANSLATION_ALREADY_ACCEPTED if result.already else m.TRANSLATION_ACCEPTED
            return Reply(text=shown.format(title=result.variant.title, **fields))
        case TranslationRemoved():
            fields = _fields(result.announcement_id, result.language)
            text = m.TRANSLATION_REMOVED.format(**fields)
            return Reply(text=text + (m.TRANSLATION_REMOVED_SENT.format(**fields) if result.sent else ""))
        case DraftRefused():
            return draft_refused_reply(result)
        case Refused():
            return refusal_reply(result)


def _fields(announcement_id: int, tag: str) -> dict[str, str | int]:
    return {"id": announcement_id, "language": language_name(tag), "tag": tag}


_DRAFT_WORDS = {
    DraftProblem.NO_TRANSLATOR: m.TRANSLATOR_NOT_CONFIGURED,
    DraftProblem.FAILED: m.TRANSLATOR_FAILED,
    DraftProblem.EXISTS: m.TRANSLATION_EXISTS,
    DraftProblem.NO_VARIANT: m.TRANSLATION_NO_DRAFT,
    DraftProblem.NO_TEXT: m.TRANSLATION_NOTHING_TO_REMOVE,
}


def draft_refused_reply(refused: DraftRefused) -> Reply:
    fields = _fields(refused.announcement_id, refused.language)
    text = _DRAFT_WORDS[refused.problem].format(title=refused.title, reason=refused.reason, **fields)
    return error(text, Refusal(RefusalCode.TRANSLATION_DRAFT, "language"))


def saved_reply(saved: TranslationSaved) -> Reply:
    variant, language = saved.variant, language_name(saved.variant.language)
    fields = {"id": saved.announcement_id, "language": language, "title": variant.title}
    if variant.revision > 1:
        lines = [m.TRANSLATION_REPLACED.format(revision=variant.revision, **fields)]
    else:
        lines = [m.TRANSLATION_ADDED.format(**fields)]
    if not saved.sent:
        lines.append(m.TRANSLATION_NOT_SENT.format(language=language))
    elif saved.updated is not None:
        lines.append(m.TRANSLATION_SENT_UPDATED.format(copies=m.COPIES(saved.updated), language=language))
    elif saved.copies:
        kept = m.TRANSLATION_SENT_KEPT(
            saved.copies, language=language, id=saved.announcement_id, tag=variant.language
        )
        lines.append(kept)
    if saved.sent:
        lines.append(m.TRANSLATION_NEXT.format(language=language))
    return Reply(text=" ".join(lines))


def listed_reply(listed: TranslationsListed) -> Reply:
    a, default = listed.announcement, language_name(listed.default_language)
    if not a.variants:
        return Reply(text=m.TRANSLATIONS_NONE.format(id=a.id, default=default))
    lines = [m.TRANSLATIONS_HEADER(len(a.variants), id=a.id, default=default)]
    lines.append(
        m.TRANSLATIONS_DEFAULT_LINE.format(
            default=default, title=a.title, readers=_read_by(listed.readers, "")
        )
    )
    for variant in a.variants:
        readers = _read_by(listed.readers, variant.language)
        name = language_name(variant.language)
        line = m.TRANSLATIONS_LINE.format(
            language=name, tag=variant.language, title=variant.title, readers=readers
        )
        lines.append(line + (m.TRANSLATIONS_MACHINE_MARK if variant.machine else ""))
    return Reply(text="\n".join(lines))


def _read_by(readers: Mapping[str, int], language: str) -> str:
    return m.READ_BY(readers.get(language, 0))


def language_lines(previewed: Previewed) -> list[str]:
    """The preview's languages: how many partners read each language and, for each language with no
    text of its own, a sentence saying they get the default text. Nothing when every partner reads
    the default language (or no partner has one)."""
    a, default = previewed.announcement, previewed.default_language
    by_language: dict[str, int] = {}
    for stored, count in previewed.reach.by_language.items():
        language = (stored or default).lower()
        by_language[language] = by_language.get(language, 0) + count
    if not by_language or set(by_language) == {default}:
        return []
    ordered = sorted(by_language.items(), key=lambda kv: (-kv[1], kv[0]))
    reads = [m.PREVIEW_LANGUAGE_READS(n, language=language_name(tag)) for tag, n in ordered]
    lines = [m.PREVIEW_LANGUAGES.format(languages=", ".join(reads))]
    missing = [
        (tag, n) for tag, n in ordered if pick(a.variants, tag) is None and not same_language(tag, default)
    ]
    drafts = {variant.language for variant in a.variants if variant.machine}
    for tag, n in missing:
        text = m.PREVIEW_LANGUAGE_FALLBACK(n, language=language_name(tag), default=language_name(default))
        drafted = next((t for t in fallbacks(tag) if t in drafts), None)
        hint = m.PREVIEW_LANGUAGE_DRAFT_HINT if drafted else m.PREVIEW_LANGUAGE_HINT
        lines.append(text + " " + hint.format(id=a.id, tag=drafted or tag))
    return lines
