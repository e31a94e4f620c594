"""The platform-neutral command grammar: text in, a typed command (bot/commands.py) or a friendly error out.

Every adapter (Slack `/partner`, Discord `/partner …`, @mentions, the local console) hands the text
here, so the grammar and its error messages exist once. Parsing never raises: any input gives a
command or a `CommandError` carrying a message with a way forward.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import replace
from datetime import date
from typing import Final, TypeVar

from bot import messages as msg
from bot.caps import CAP_OFF, MAX_CAP, MIN_CAP
from bot.commands import (
    DEFAULT_CALENDAR_WEEKS,
    DEFAULT_NEWS,
    MAX_BODY,
    MAX_CALENDAR_WEEKS,
    MAX_COMMENT,
    MAX_NEWS,
    MAX_TITLE,
    SERIES_ACTIONS,
    SYNTAX_ERROR,
    Acks,
    AdminCommand,
    AdminHelp,
    AdminTopics,
    Answer,
    Approve,
    Ask,
    AudienceDelete,
    AudienceList,
    AudienceSave,
    AudienceShow,
    Broadcast,
    Calendar,
    Cancel,
    CommandError,
    Dashboard,
    Drafts,
    Edit,
    Engagement,
    FaqEdit,
    FaqMark,
    Faqs,
    Help,
    Invite,
    Join,
    ListSubscriptions,
    ListTopics,
    News,
    PartnerCommand,
    PartnerRemove,
    PartnerSet,
    PartnerShow,
    Questions,
    Quiet,
    Recall,
    Reject,
    Reschedule,
    Scheduled,
    SearchNews,
    Send,
    SendTest,
    SeriesAction,
    SeriesEdit,
    SeriesList,
    SetLanguage,
    SetMode,
    SetQuietHours,
    SetTimezone,
    SetWeeklyCap,
    ShowSettings,
    Stats,
    Subscribe,
    TopicAdd,
    TopicApproval,
    TopicArchive,
    TopicUnarchive,
    Translate,
    TranslateAccept,
    TranslateDraft,
    TranslateRemove,
    Translations,
    Unsubscribe,
)
from bot.domain.announcements import Audience
from bot.domain.conversation import Refusal, RefusalCode
from bot.domain.cta import CallToAction, CtaRefused, parse_ctas
from bot.domain.directory import DeliveryMode
from bot.domain.search import MAX_QUERY, MAX_TERMS, MIN_PREFIX, QueryProblem, parse_query
from bot.domain.series import Recurrence
from bot.i18n import normalised
from bot.lexer import (
    NUMBER,
    OPTION,
    Token,
    UnclosedQuote,
    as_id,
    as_option,
    as_slug,
    closest,
    comma_list,
    read_all,
    read_token,
    read_word,
    read_words,
)
from bot.presenter.refusals import cta_refused, refusal_reply
from bot.recurrence import parse_every, parse_until
from bot.timezones import QuietHours, parse_quiet
from bot.when import At, at_example, parse_at, with_examples

# --- Parsing -----------------------------------------------------------------------------------

MAX_PARTNER_NAME = 200
MAX_ATTRIBUTE = 40
MAX_LANGUAGE = 20
_SHOWN = 40  # how much of a bad word an error message repeats
_INVITE_KEYS = ("tier", "type", "region", "language")
_BROADCAST_KEYS = (
    "topic",
    "tier",
    "type",
    "region",
    "language",
    "title",
    "at",
    "cta",
    "attach",
    "audience",
    "every",
    "until",
)
# Options a broadcast may repeat, in order: `cta:"Label|URL"` up to MAX_CTAS times, `attach:<path>`
# once per file.
_REPEATABLE = ("cta", "attach")
_FILTER_KEYS = ("tier", "type", "region", "language")
_AUDIENCE_KEYS = (*_FILTER_KEYS, "topic")
_AUDIENCE_ACTIONS = ("save", "list", "show", "delete")
_PARTNER_SET_KEYS = ("tier", "type", "region", "language", "timezone")
_BROADCAST_FLAGS = ("urgent", "ack")  # `ack`: partners must acknowledge (urgent announcements only)
_EDIT_KEYS = ("title", "at")
# `translate <id> <lang> draft|accept` (machine drafts) and `remove`: a word alone after the language.
_MACHINE_ACTIONS = ("draft", "accept", "remove")
UPDATE_SENT = "update-sent"  # `translate … update-sent title:"…"`: edit the copies already delivered
_UPDATE_SENT_WORDS = (UPDATE_SENT, "--update-sent")
# The date of the admin's "today" (the injected clock, vendor time zone) for examples in messages.
_TODAY: ContextVar[date | None] = ContextVar("partnerbot_grammar_today", default=None)

_T = TypeVar("_T")


class _Invalid(Exception):
    """Raised inside the parser to stop at the first problem; the public functions return it."""

    def __init__(self, message: str, refusal: Refusal | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.refusal = refusal or SYNTAX_ERROR


def parse_partner(text: str) -> PartnerCommand | CommandError:
    """Parse the text of `/partner <text>`; an empty text asks for help."""
    return _guarded(_parse_partner, text)


def parse_admin(text: str, *, today: date | None = None) -> AdminCommand | CommandError:
    """Parse the text of `/partner-admin <text>`; an empty text asks for help. `today` (the clock's
    date in the vendor time zone) dates the examples in error messages; None: the system clock's."""
    reset = _TODAY.set(today)
    try:
        return _guarded(_parse_admin, text)
    finally:
        _TODAY.reset(reset)


def help_text(command: str = "", *, admin: bool = False, today: date | None = None) -> str:
    """The full command reference, or the usage and purpose of one command (`help <command>`);
    examples of `at:"…"` are dated the day after `today`."""
    usage, about = (msg.ADMIN_USAGE, msg.ADMIN_ABOUT) if admin else (msg.PARTNER_USAGE, msg.PARTNER_ABOUT)
    key = command.strip().lower()
    if key not in usage:
        text = msg.ADMIN_HELP if admin else msg.PARTNER_HELP
    else:
        text = msg.COMMAND_HELP.format(usage=usage[key], about=about[key])
    return with_examples(text, today)


def _at_example() -> str:
    return at_example(_TODAY.get())


def _guarded(parse: Callable[[str], _T], text: str) -> _T | CommandError:
    try:
        return parse(text)
    except _Invalid as invalid:
        return CommandError(invalid.message, invalid.refusal)
    except UnclosedQuote as unclosed:
        return CommandError(msg.UNCLOSED_QUOTE.format(quote=unclosed.quote))


def _parse_partner(text: str) -> PartnerCommand:
    word = read_word(text, 0)
    if word is None:
        return Help()
    handler = _PARTNER.get(word.text.lower())
    if handler is None:
        raise _Invalid(_unknown_command(word.text, _PARTNER))
    return handler(text, word.end)


def _parse_admin(text: str) -> AdminCommand:
    word = read_word(text, 0)
    if word is None:
        return AdminHelp()
    handler = _ADMIN.get(word.text.lower())
    if handler is None:
        raise _Invalid(_unknown_command(word.text, _ADMIN))
    return handler(text, word.end)


# --- shared pieces ---

_SLASH_NAMES = frozenset({"/partner", "/partner-admin", "partner-admin"})


def _shown(word: str) -> str:
    return word if len(word) <= _SHOWN else word[:_SHOWN] + "…"


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    suggestion = closest(word, choices)
    return msg.DID_YOU_MEAN.format(suggestion=suggestion) if suggestion else "."


def _unknown_command(word: str, commands: Iterable[str]) -> str:
    if word.lower() in _SLASH_NAMES:  # the slash command's own name: say what to write instead
        hint = msg.SLASH_NAME_AS_COMMAND.format(word=word)
        return msg.UNKNOWN_COMMAND.format(word=_shown(word), did_you_mean=hint)
    return msg.UNKNOWN_COMMAND.format(word=_shown(word), did_you_mean=_did_you_mean(word, commands))


def _usage_error(usage: str) -> _Invalid:
    return _Invalid(msg.USAGE.format(usage=usage))


def _slug(word: str, *, partner: bool) -> str:
    slug = as_slug(word)
    if slug is None:
        hint = msg.TOPICS_POINTER if partner else ""
        raise _Invalid(msg.BAD_SLUG.format(slug=_shown(word)) + hint)
    return slug


def _slugs(words: Iterable[str], *, partner: bool) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_slug(word, partner=partner) for word in words))


def _help_topic(text: str, pos: int, commands: Mapping[str, object]) -> str:
    word = read_word(text, pos)
    if word is None:
        return ""
    if word.text.lower() not in commands:
        raise _Invalid(_unknown_command(word.text, commands))
    return word.text.lower()


def _parse_id(word: str, what: str, example: str) -> int:
    number = as_id(word)
    if number is None:
        raise _Invalid(msg.ID_INVALID.format(value=_shown(word), what=what, example=example))
    return number


def _optional_id(text: str, pos: int, command: str) -> int | None:
    words = read_words(text, pos)
    if len(words) > 1:
        raise _usage_error(msg.ADMIN_USAGE[command])
    if not words:
        return None
    return _parse_id(words[0], msg.ANNOUNCEMENT_ID, f"{command} 42")


def _required_id(text: str, pos: int, command: str) -> int:
    number = _optional_id(text, pos, command)
    if number is None:
        raise _usage_error(msg.ADMIN_USAGE[command])
    return number


# --- partner commands ---


def _partner_help(text: str, pos: int) -> Help:
    return Help(_help_topic(text, pos, _PARTNER))


def _topic_selection(text: str, pos: int, command: str) -> tuple[tuple[str, ...], bool]:
    words = comma_list(read_words(text, pos))
    if not words:
        raise _usage_error(msg.PARTNER_USAGE[command])
    if any(word.lower() == "all" for word in words):
        if {word.lower() for word in words} != {"all"}:
            raise _Invalid(msg.ALL_ON_ITS_OWN.format(command=command))
        return (), True
    return _slugs(words, partner=True), False


def _subscribe(text: str, pos: int) -> Subscribe:
    topics, everything = _topic_selection(text, pos, "subscribe")
    return Subscribe(topics, all=everything)


def _unsubscribe(text: str, pos: int) -> Unsubscribe:
    topics, everything = _topic_selection(text, pos, "unsubscribe")
    return Unsubscribe(topics, all=everything)


def _news(text: str, pos: int) -> News | SearchNews:
    first = read_word(text, pos)
    if first is not None and first.text.lower() == "search":
        return _search(text[first.end :])
    topic: str | None = None
    count: int | None = None
    for word in read_words(text, pos):
        if NUMBER.fullmatch(word) is None:
            # `news security, pricing` (written like `subscribe`): one topic, said so, rather than
            # refusing "security," as a topic name.
            if topic is not None or "," in word:
                raise _Invalid(msg.NEWS_TOO_MANY)
            topic = _slug(word, partner=True)
            continue
        if count is not None:
            raise _Invalid(msg.NEWS_TOO_MANY)
        # Bounding the length first keeps int() away from huge digit strings.
        count = int(word) if len(word.lstrip("+-0")) <= 3 else MAX_NEWS + 1
        if not 1 <= count <= MAX_NEWS:
            raise _Invalid(msg.NEWS_COUNT.format(max=MAX_NEWS, value=_shown(word)))
    return News(topic, DEFAULT_NEWS if count is None else count)


def _search(words: str) -> SearchNews:
    """`news search <words>`: the words parsed into a search, or how to write one."""
    parsed = parse_query(words)
    if isinstance(parsed, QueryProblem):
        raise _Invalid(search_problem(parsed))
    return SearchNews(" ".join(words.split()), parsed)


def search_problem(problem: QueryProblem) -> str:
    """What was wrong with a search and how to write one (also for Discord's `search:` option)."""
    problem_text = msg.SEARCH_PROBLEMS[problem.value].format(max=MAX_QUERY, min=MIN_PREFIX, terms=MAX_TERMS)
    return problem_text + " " + msg.SEARCH_HOW


def _ask(text: str, pos: int) -> Ask:
    question = text[pos:].strip()
    if not question:
        raise _Invalid(msg.ASK_EMPTY)
    return Ask(question)


def _settings(
    text: str, pos: int
) -> ShowSettings | SetMode | SetTimezone | SetQuietHours | SetWeeklyCap | SetLanguage:
    word = read_word(text, pos)
    if word is None:
        return ShowSettings()
    setting = word.text.lower()
    values = read_words(text, word.end)
    if setting == "mode":
        return SetMode(_mode(values))
    if setting in ("timezone", "tz"):
        if not values:
            raise _usage_error(msg.SETTINGS_TIMEZONE_USAGE)
        if len(values) > 1:
            raise _Invalid(msg.TIMEZONE_ONE_WORD)
        return SetTimezone(values[0])
    if setting == "quiet":
        return SetQuietHours(_quiet(values))
    if setting == "cap":
        return SetWeeklyCap(_cap(values))
    if setting in ("language", "lang"):
        return SetLanguage(_language(values))
    did_you_mean = _did_you_mean(setting, ("mode", "timezone", "quiet", "cap", "language"))
    raise _Invalid(
        msg.UNKNOWN_SETTING.format(
            word=_shown(word.text), did_you_mean=did_you_mean, usage=msg.PARTNER_USAGE["settings"]
        )
    )


def _quiet(values: list[str]) -> QuietHours | None:
    if not values:
        raise _usage_error(msg.SETTINGS_QUIET_USAGE)
    if len(values) == 1 and values[0].lower() == "off":
        return None
    typed = " ".join(values)
    quiet = parse_quiet(typed.replace(" ", ""))
    if quiet is None:
        raise _Invalid(msg.QUIET_INVALID.format(value=_shown(typed)))
    return quiet


def _language(values: list[str]) -> str | None:
    if len(values) != 1:
        raise _usage_error(msg.SETTINGS_LANGUAGE_USAGE)
    if values[0].lower() == "off":
        return None
    tag = normalised(values[0])
    if tag is None or len(tag) > MAX_LANGUAGE:
        raise _Invalid(msg.LANGUAGE_INVALID.format(value=_shown(values[0])))
    return tag


def _cap(values: list[str]) -> int | None:
    """`settings cap 3`, `settings cap off` (CAP_OFF), `settings cap default` (None)."""
    if len(values) != 1:
        raise _usage_error(msg.SETTINGS_CAP_USAGE)
    value = values[0].lower()
    if value == "off":
        return CAP_OFF
    if value == "default":
        return None
    # Bounding the length first keeps int() away from huge digit strings.
    if NUMBER.fullmatch(value) is None or len(value.lstrip("+-0")) > 3:
        raise _Invalid(msg.CAP_INVALID.format(value=_shown(values[0]), min=MIN_CAP, max=MAX_CAP))
    cap = int(value)
    if not MIN_CAP <= cap <= MAX_CAP:
        raise _Invalid(msg.CAP_INVALID.format(value=_shown(values[0]), min=MIN_CAP, max=MAX_CAP))
    return cap


def _mode(values: list[str]) -> DeliveryMode:
    if len(values) != 1:
        raise _usage_error(msg.SETTINGS_MODE_USAGE)
    value = values[0].lower()
    if value not in {mode.value for mode in DeliveryMode}:
        raise _Invalid(msg.MODE_INVALID.format(value=_shown(values[0])))
    return DeliveryMode(value)


def _join(text: str, pos: int) -> Join:
    words = read_words(text, pos)
    if len(words) != 1:
        raise _usage_error(msg.PARTNER_USAGE["join"])
    return Join(words[0])


_PARTNER: Final[Mapping[str, Callable[[str, int], PartnerCommand]]] = {
    "help": _partner_help,
    "topics": lambda text, pos: ListTopics(),
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "list": lambda text, pos: ListSubscriptions(),
    "news": _news,
    "ask": _ask,
    "settings": _settings,
    "join": _join,
}


# --- admin commands ---


def _admin_help(text: str, pos: int) -> AdminHelp:
    return AdminHelp(_help_topic(text, pos, _ADMIN))


def _topic(text: str, pos: int) -> TopicAdd | TopicArchive | TopicUnarchive | TopicApproval:
    word = read_word(text, pos)
    if word is None:
        raise _usage_error(msg.ADMIN_USAGE["topic"])
    action = word.text.lower()
    tokens = read_all(text, word.end)
    if action == "add":
        return _topic_add(tokens)
    if action == "archive":
        if len(tokens) != 1:
            raise _usage_error(msg.TOPIC_ARCHIVE_USAGE)
        return TopicArchive(_slug(tokens[0].text, partner=False))
    if action == "unarchive":
        if len(tokens) != 1:
            raise _usage_error(msg.TOPIC_UNARCHIVE_USAGE)
        return TopicUnarchive(_slug(tokens[0].text, partner=False))
    if action == "require-approval":
        return _topic_approval(tokens)
    did_you_mean = _did_you_mean(action, ("add", "archive", "unarchive", "require-approval"))
    raise _Invalid(
        msg.UNKNOWN_TOPIC_ACTION.format(
            word=_shown(word.text), did_you_mean=did_you_mean, usage=msg.ADMIN_USAGE["topic"]
        )
    )


def _topic_approval(tokens: list[Token]) -> TopicApproval:
    """`topic require-approval <slug>` or `topic require-approval <slug> off`."""
    if not 1 <= len(tokens) <= 2 or (len(tokens) == 2 and tokens[1].text.lower() != "off"):
        raise _usage_error(msg.TOPIC_APPROVAL_USAGE)
    return TopicApproval(_slug(tokens[0].text, partner=False), required=len(tokens) == 1)


def _reject(text: str, pos: int) -> Reject:
    """`reject <id> <comment>`: the comment is the rest of the line, as written (one quoted phrase
    loses its quotes)."""
    word = read_word(text, pos)
    comment = text[word.end :].strip() if word else ""
    if word is None or not comment:
        raise _usage_error(msg.ADMIN_USAGE["reject"])
    announcement_id = _parse_id(word.text, msg.ANNOUNCEMENT_ID, msg.REJECT_EXAMPLE)
    token = read_token(comment, 0)
    if token is not None and token.quoted and token.end == len(comment):
        comment = token.text.strip()
    if not comment:
        raise _usage_error(msg.ADMIN_USAGE["reject"])
    if len(comment) > MAX_COMMENT:
        raise _Invalid(msg.VALUE_TOO_LONG.format(what=msg.COMMENT_WHAT, max=MAX_COMMENT))
    return Reject(announcement_id, comment)


def _topic_add(tokens: list[Token]) -> TopicAdd:
    if len(tokens) < 2:
        raise _usage_error(msg.TOPIC_ADD_USAGE)
    slug = _slug(tokens[0].text, partner=False)
    # An unquoted second word is most likely the rest of a title typed without quotes.
    if len(tokens) > 3 or (len(tokens) == 3 and not tokens[2].quoted):
        raise _Invalid(msg.TOPIC_TITLE_QUOTES)
    title = _title(tokens[1].text, empty=msg.TITLE_EMPTY)
    description = tokens[2].text.strip() if len(tokens) == 3 else ""
    return TopicAdd(slug, title, description)


def _title(value: str, *, empty: str) -> str:
    title = value.strip()
    if not title:
        raise _Invalid(empty, Refusal(RefusalCode.MISSING, "title"))
    if len(title) > MAX_TITLE:
        raise _Invalid(
            msg.TITLE_TOO_LONG.format(length=len(title), max=MAX_TITLE),
            Refusal(RefusalCode.TOO_LONG, "title"),
        )
    return title


def _add_option(
    options: dict[str, str],
    option: tuple[str, str],
    command: str,
    keys: tuple[str, ...],
    *,
    quoted: bool = False,
) -> None:
    key, value = option
    if key not in keys:
        accepted = ", ".join(f"`{name}:`" for name in keys)
        raise _Invalid(msg.OPTION_UNKNOWN.format(key=_shown(key), command=command, keys=accepted))
    if key in options:
        raise _Invalid(msg.OPTION_TWICE.format(key=key))
    if not comma_list([value]):
        field = "topics" if key == "topic" else key  # the names `Refusal.field` uses
        if key == "title" and quoted:  # `title:""` was typed right, only empty: say that, not "no space"
            raise _Invalid(msg.TITLE_EMPTY, Refusal(RefusalCode.MISSING, field))
        example = with_examples(msg.OPTION_EXAMPLES[key], _TODAY.get())
        empty = msg.OPTION_QUOTED_EMPTY if quoted else msg.OPTION_EMPTY
        raise _Invalid(empty.format(key=key, example=example), Refusal(RefusalCode.MISSING, field))
    # Topics are lower-cased by slug validation, which quotes them as typed when they are wrong.
    options[key] = value.strip() if key in ("title", "at", "topic", "timezone") else value.strip().lower()


def _invite(text: str, pos: int) -> Invite:
    names: list[str] = []
    options: dict[str, str] = {}
    for token in read_all(text, pos):
        option = as_option(text, token)
        if option is None and options:
            keys = ", ".join(f"`{key}:`" for key in _INVITE_KEYS)
            raise _Invalid(msg.NOT_AN_OPTION.format(word=_shown(token.text), keys=keys))
        if option is None:
            names.append(token.text.strip())
        else:
            _add_option(options, option, "invite", _INVITE_KEYS, quoted=token.quoted)
    name = " ".join(part for part in names if part)
    if not name:
        raise _Invalid(msg.NAME_MISSING)
    if "tier" not in options:
        raise _Invalid(msg.TIER_MISSING)
    if len(name) > MAX_PARTNER_NAME:
        raise _Invalid(msg.VALUE_TOO_LONG.format(what="the partner name", max=MAX_PARTNER_NAME))
    for key, value in options.items():
        if "," in value:
            raise _Invalid(msg.ONE_VALUE.format(key=key))
        # The partner table's column widths: a longer value would be refused by PostgreSQL.
        limit = MAX_LANGUAGE if key == "language" else MAX_ATTRIBUTE
        if len(value) > limit:
            raise _Invalid(msg.VALUE_TOO_LONG.format(what=f"`{key}:`", max=limit))
    return Invite(name, options["tier"], **{key: options.get(key, "") for key in _INVITE_KEYS[1:]})


def _partner_admin(text: str, pos: int) -> PartnerShow | PartnerSet | PartnerRemove:
    """`partner "<name>"`, `partner set "<name>" key:value…`, `partner remove "<name>"`. An unquoted
    first word `set`/`remove` is the action; a partner called "Set" is shown with `partner "Set"`."""
    first = read_token(text, pos)
    if first is None:
        raise _usage_error(msg.ADMIN_USAGE["partner"])
    action = first.text.lower() if not first.quoted else ""
    if action == "set":
        name, options = _name_and_options(text, first.end, "partner set", _PARTNER_SET_KEYS)
        if not options:
            raise _Invalid(msg.PARTNER_SET_NOTHING.format(name=name))
        for key, value in options.items():
            if "," in value:
                raise _Invalid(msg.ONE_VALUE.format(key=key))
        return PartnerSet(name, tuple(options.items()))
    if action == "remove":
        name, _ = _name_and_options(text, first.end, "partner remove", ())
        return PartnerRemove(name)
    name, _ = _name_and_options(text, pos, "partner", ())
    return PartnerShow(name)


def _name_and_options(text: str, pos: int, command: str, keys: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """A partner name (quoted, or plain words) and then only `key:value` options from `keys`."""
    names: list[str] = []
    options: dict[str, str] = {}
    for token in read_all(text, pos):
        option = as_option(text, token) if keys else None
        if option is None and options:
            accepted = ", ".join(f"`{key}:`" for key in keys)
            raise _Invalid(msg.NOT_AN_OPTION.format(word=_shown(token.text), keys=accepted))
        if option is None:
            names.append(token.text.strip())
        else:
            _add_option(options, option, command, keys, quoted=token.quoted)
    name = " ".join(part for part in names if part)
    if not name:
        raise _Invalid(msg.PARTNER_NAME_MISSING)
    if len(name) > MAX_PARTNER_NAME:
        raise _Invalid(msg.VALUE_TOO_LONG.format(what="the partner name", max=MAX_PARTNER_NAME))
    return name, options


def _broadcast(text: str, pos: int) -> Broadcast:
    """Options and flags, in any order, up to `title:"…"`; everything after the title is the body."""
    options: dict[str, str] = {}
    flags: set[str] = set()
    ctas: list[str] = []
    attach: list[str] = []
    while "title" not in options and (word := read_word(text, pos)) is not None:
        # Only the lower-case flags: "Urgent" is prose, refused below with a pointer to `urgent`.
        if word.text in _BROADCAST_FLAGS:
            flags.add(word.text)
            pos = word.end
            continue
        found = _option_at(text, word, _BROADCAST_KEYS)
        if found is None:
            raise _Invalid(
                msg.BODY_BEFORE_TITLE.format(
                    word=_shown(word.text), did_you_mean=_broadcast_word_meant(word.text)
                )
            )
        token, option = found
        if option[0] in _REPEATABLE:
            if option[0] == "attach":
                attach.append(_attach_path(option[1]))
            else:
                ctas.append(option[1])
        else:
            _add_option(options, option, "broadcast", _BROADCAST_KEYS, quoted=token.quoted)
        pos = token.end
    if "ack" in flags and "urgent" not in flags:
        raise _Invalid(msg.ACK_NEEDS_URGENT, Refusal(RefusalCode.ACK_NEEDS_URGENT, "urgent"))
    if attach and "every" in options:
        raise _Invalid(msg.EVERY_NO_FILES, Refusal(RefusalCode.SYNTAX, "attach"))
    broadcast = _build_broadcast(options, "urgent" in flags, text[pos:].strip(), ack="ack" in flags)
    if ctas:
        broadcast = replace(broadcast, ctas=_ctas(ctas))
    return replace(broadcast, attach=tuple(attach)) if attach else broadcast


def _broadcast_word_meant(word: str) -> str:
    """The did-you-mean for a word before the title that is no option or flag. A word with no colon is
    matched against the option names only when it is nearly one (`titel` → `title:`): a loose match
    would offer `attach:` for "Patch", the first word of a body typed without `title:"…"`."""
    flags_and_options = (*_BROADCAST_FLAGS, *(f"{key}:" for key in _BROADCAST_KEYS))
    if ":" in word:
        return _did_you_mean(word, flags_and_options)
    near = difflib.get_close_matches(word.lower(), _BROADCAST_KEYS, n=1, cutoff=0.8)
    if near:
        return msg.DID_YOU_MEAN.format(suggestion=f"{near[0]}:")
    return _did_you_mean(word, _BROADCAST_FLAGS)


def _attach_path(value: str) -> str:
    """One `attach:<path>` (quote a path with spaces: `attach:"Price list.pdf"`)."""
    path = value.strip()
    if not path:
        example = msg.OPTION_EXAMPLES["attach"]
        raise _Invalid(
            msg.OPTION_EMPTY.format(key="attach", example=example), Refusal(RefusalCode.MISSING, "attach")
        )
    return path


def _ctas(written: list[str]) -> tuple[CallToAction, ...]:
    """The `cta:` options in the order written (bot/domain/cta.py has the rules)."""
    if any(not value.strip() for value in written):
        raise _Invalid(msg.CTA_EMPTY, Refusal(RefusalCode.MISSING, "cta"))
    ctas = parse_ctas(written)
    if isinstance(ctas, CtaRefused):
        refused = cta_refused(ctas, count=len(written))
        raise _Invalid(refusal_reply(refused).text, refused.refusal)
    return ctas


def _option_at(text: str, word: Token, keys: tuple[str, ...]) -> tuple[Token, tuple[str, str]] | None:
    """The `key:value` option starting at `word` (its value may be quoted), or None when the word is
    no option: no `key:` at its start, or a bare `Word:` whose key is not one of `keys` ("Note:")."""
    match = OPTION.match(word.text)
    if match is None or (match.end() == len(word.text) and match.group(1).lower() not in keys):
        return None
    token = read_token(text, word.start)
    option = as_option(text, token) if token else None
    if token is None or option is None:  # not expected: read_word saw `key:` right here
        return None
    return token, option


def _build_broadcast(options: dict[str, str], urgent: bool, body: str, *, ack: bool = False) -> Broadcast:
    saved = _audience_name(options["audience"]) if "audience" in options else None
    if saved is not None and (beside := [key for key in _FILTER_KEYS if key in options]):
        # A saved audience is the whole audience: a filter beside it would be silently overridden.
        shown = ", ".join(f"`{key}:`" for key in beside)
        raise _Invalid(
            msg.BROADCAST_AUDIENCE_CONFLICT.format(name=saved, keys=shown),
            Refusal(RefusalCode.SYNTAX, "audience"),
        )
    if "topic" not in options and saved is None:
        raise _Invalid(msg.BROADCAST_TOPIC_MISSING, Refusal(RefusalCode.MISSING, "topics"))
    topics = _slugs(comma_list([options["topic"]]), partner=False) if "topic" in options else ()
    if "title" not in options:
        raise _Invalid(msg.BROADCAST_TITLE_MISSING, Refusal(RefusalCode.MISSING, "title"))
    title = _title(options["title"], empty=msg.TITLE_EMPTY)
    if not body:
        raise _Invalid(msg.BODY_EMPTY, Refusal(RefusalCode.MISSING, "body"))
    if len(body) > MAX_BODY:
        raise _Invalid(_body_too_long(body), Refusal(RefusalCode.TOO_LONG, "body"))
    audience = Audience(
        tiers=frozenset(comma_list([options.get("tier", "")])),
        types=frozenset(comma_list([options.get("type", "")])),
        regions=frozenset(comma_list([options.get("region", "")])),
        languages=frozenset(comma_list([options.get("language", "")])),
    )
    at = _send_at(options["at"]) if "at" in options else None
    every, until = _every(options)
    return Broadcast(
        topics,
        audience,
        title,
        body,
        urgent=urgent,
        send_at=at.wall if at else None,
        send_zone=at.zone if at else None,
        send_local=at.local if at else False,
        ack_required=ack,
        saved_audience=saved,
        every=every,
        until=until,
    )


def _every(options: dict[str, str]) -> tuple[Recurrence | None, date | None]:
    """`every:"…"` and `until:"…"`: a recurring series' rule and last date."""
    if "every" not in options:
        if "until" in options:
            raise _Invalid(msg.UNTIL_WITHOUT_EVERY, Refusal(RefusalCode.SYNTAX, "until"))
        return None, None
    if "at" in options:
        raise _Invalid(msg.EVERY_WITH_AT, Refusal(RefusalCode.SYNTAX, "at"))
    rule = parse_every(options["every"])
    if isinstance(rule, str):
        raise _Invalid(rule, Refusal(RefusalCode.SYNTAX, "every"))
    until = parse_until(options["until"]) if "until" in options else None
    if isinstance(until, str):
        raise _Invalid(until, Refusal(RefusalCode.SYNTAX, "until"))
    return rule, until


def _send_at(value: str) -> At:
    at = parse_at(value, today=_TODAY.get())
    if isinstance(at, str):
        raise _Invalid(at, Refusal(RefusalCode.AT_INVALID, "at"))
    return at


def _body_too_long(body: str) -> str:
    return msg.BODY_TOO_LONG.format(length=len(body), max=MAX_BODY)


def _edit(text: str, pos: int) -> Edit:
    """`edit <id> [at:"…"] [title:"…"] [<new body…>]`: the broadcast rule — options first, everything
    after the title is the body. Options `edit` can't apply (`tier:`, `urgent`…) are refused."""
    word = read_word(text, pos)
    if word is None:
        raise _usage_error(msg.ADMIN_USAGE["edit"])
    announcement_id = _parse_id(word.text, msg.ANNOUNCEMENT_ID, 'edit 42 title:"New title"')
    pos = word.end
    options: dict[str, str] = {}
    while "title" not in options and (nxt := read_word(text, pos)) is not None:
        found = _option_at(text, nxt, _BROADCAST_KEYS)
        if found is not None and found[1][0] not in _BROADCAST_KEYS:
            _refuse_misspelt_option(found[1][0], announcement_id)
            found = None  # `Re:Webinar …`: not a word `broadcast` knows, so prose
        if nxt.text in _BROADCAST_FLAGS or (found is not None and found[1][0] not in _EDIT_KEYS):
            shown = nxt.text if found is None else f"{found[1][0]}:"
            raise _Invalid(msg.EDIT_REFUSES.format(word=_shown(shown), id=announcement_id))
        if found is None:
            break  # the body starts here
        token, option = found
        _add_option(options, option, "edit", _EDIT_KEYS, quoted=token.quoted)
        pos = token.end
    title = _title(options["title"], empty=msg.TITLE_EMPTY) if "title" in options else None
    at = _send_at(options["at"]) if "at" in options else None
    body = text[pos:].strip() or None
    if title is None and body is None and at is None:
        raise _Invalid(msg.EDIT_NOTHING)
    if body is not None and len(body) > MAX_BODY:
        raise _Invalid(_body_too_long(body), Refusal(RefusalCode.TOO_LONG, "body"))
    return Edit(
        announcement_id,
        title=title,
        body=body,
        send_at=at.wall if at else None,
        send_zone=at.zone if at else None,
        send_local=at.local if at else False,
    )


def _translate(text: str, pos: int) -> Translate | TranslateDraft | TranslateAccept | TranslateRemove:
    """`translate <id> <language> [update-sent] title:"…" <body…>`: the broadcast rule — the flag
    first, then the title; everything after the title is the body, exactly as written. Or
    `translate <id> <language> draft|accept|remove` (machine drafts, removal), with nothing after."""
    word = read_word(text, pos)
    if word is None:
        raise _usage_error(msg.ADMIN_USAGE["translate"])
    announcement_id = _parse_id(word.text, msg.ANNOUNCEMENT_ID, msg.TRANSLATE_EXAMPLE)
    tag = read_word(text, word.end)
    if tag is None or OPTION.match(tag.text):
        raise _Invalid(msg.TRANSLATE_LANGUAGE_MISSING, Refusal(RefusalCode.MISSING, "language"))
    if len(tag.text) > MAX_LANGUAGE:
        refusal = Refusal(RefusalCode.TOO_LONG, "language")
        raise _Invalid(msg.TRANSLATE_LANGUAGE_TOO_LONG.format(max=MAX_LANGUAGE), refusal)
    action = read_word(text, tag.end)
    if action is not None and action.text.lower() in _MACHINE_ACTIONS:
        if text[action.end :].strip():
            shown = msg.TRANSLATE_WORD_AFTER_ACTION.format(
                action=action.text.lower(), id=announcement_id, language=tag.text
            )
            raise _Invalid(shown, Refusal(RefusalCode.SYNTAX))
        kinds: dict[str, type[TranslateDraft | TranslateAccept | TranslateRemove]] = {
            "draft": TranslateDraft,
            "accept": TranslateAccept,
            "remove": TranslateRemove,
        }
        return kinds[action.text.lower()](announcement_id, tag.text)
    pos, update_sent, title = tag.end, False, None
    while title is None and (nxt := read_word(text, pos)) is not None:
        if nxt.text.lower() in _UPDATE_SENT_WORDS and not update_sent:
            update_sent, pos = True, nxt.end
            continue
        found = _option_at(text, nxt, ("title",))
        if found is None or found[1][0] != "title":
            if nxt.text.lower().startswith("title"):
                raise _Invalid(msg.TRANSLATE_TITLE_MISSING, Refusal(RefusalCode.MISSING, "title"))
            refusal = Refusal(RefusalCode.MISSING, "title")
            raise _Invalid(msg.TRANSLATE_WORD_BEFORE_TITLE.format(word=_shown(nxt.text)), refusal)
        title = _title(found[1][1], empty=msg.TITLE_EMPTY)
        pos = found[0].end
    if title is None:
        raise _Invalid(msg.TRANSLATE_TITLE_MISSING, Refusal(RefusalCode.MISSING, "title"))
    body = text[pos:].strip()
    if not body:
        raise _Invalid(msg.TRANSLATE_BODY_EMPTY, Refusal(RefusalCode.MISSING, "body"))
    if len(body) > MAX_BODY:
        raise _Invalid(_body_too_long(body), Refusal(RefusalCode.TOO_LONG, "body"))
    last = body.split()[-1]
    if last.lower() in _UPDATE_SENT_WORDS:  # the issue's `… --update-sent`: a flag typed at the end
        shown = msg.TRANSLATE_FLAG_AT_END.format(word=last, id=announcement_id, language=tag.text)
        raise _Invalid(shown, Refusal(RefusalCode.SYNTAX, "body"))
    return Translate(announcement_id, tag.text, title, body, update_sent=update_sent)


def _refuse_misspelt_option(key: str, announcement_id: int) -> None:
    """`regoin:emea` is an option typed wrong, not the first words of a new body: refuse it rather than
    replace the body with it. Only near misses count, so prose such as `Re:` or `Note:` stays body."""
    close = difflib.get_close_matches(key, _BROADCAST_KEYS, n=1, cutoff=0.75)
    if close:
        word = f"{key}:"
        raise _Invalid(msg.EDIT_MISSPELT.format(word=_shown(word), suggestion=close[0], id=announcement_id))


def _reschedule(text: str, pos: int) -> Reschedule:
    """`reschedule <id> at:"…"`."""
    tokens = read_all(text, pos)
    option = as_option(text, tokens[1]) if len(tokens) == 2 else None
    if option is None or option[0] != "at":
        raise _Invalid(with_examples(msg.RESCHEDULE_USAGE, _TODAY.get()))
    announcement_id = _parse_id(tokens[0].text, msg.ANNOUNCEMENT_ID, f"reschedule 42 at:{_at_example()}")
    options: dict[str, str] = {}
    _add_option(options, option, "reschedule", ("at",), quoted=tokens[1].quoted)
    at = _send_at(options["at"])
    return Reschedule(announcement_id, at.wall, send_zone=at.zone, send_local=at.local)


def _answer(text: str, pos: int) -> Answer:
    word = read_word(text, pos)
    reply = text[word.end :].strip() if word else ""
    if word is None or not reply:
        raise _usage_error(msg.ADMIN_USAGE["answer"])
    question_id = _parse_id(word.text, msg.QUESTION_ID, "answer 12 Yes, from 1 July.")
    return Answer(question_id, reply)


_FAQ_KEYS = ("question", "answer")
MAX_FAQ_TEXT = 3000


def _faq(text: str, pos: int) -> FaqMark | FaqEdit:
    """`faq <question id> [on|off]` or `faq <question id> [question:"…"] [answer:"…"]`."""
    tokens = read_all(text, pos)
    if not tokens:
        raise _usage_error(msg.ADMIN_USAGE["faq"])
    question_id = _parse_id(tokens[0].text, msg.QUESTION_ID, "faq 12")
    rest = tokens[1:]
    if not rest:
        return FaqMark(question_id)
    if len(rest) == 1 and as_option(text, rest[0]) is None and rest[0].text.lower() in ("on", "off"):
        return FaqMark(question_id, on=rest[0].text.lower() == "on")
    options: dict[str, str] = {}
    for token in rest:
        option = as_option(text, token)
        if option is None or option[0] not in _FAQ_KEYS:
            raise _Invalid(msg.FAQ_NOT_AN_OPTION.format(word=_shown(token.text), id=question_id))
        key, value = option
        if key in options:
            raise _Invalid(msg.FAQ_TWICE.format(key=key))
        if not value.strip():
            raise _Invalid(msg.FAQ_EMPTY.format(key=key, id=question_id))
        if len(value) > MAX_FAQ_TEXT:
            raise _Invalid(msg.FAQ_TOO_LONG.format(key=key, max=MAX_FAQ_TEXT))
        options[key] = value.strip()
    return FaqEdit(question_id, options.get("question"), options.get("answer"))


_ENGAGEMENT_KEYS = ("tier", "region", "topic")
_ENGAGEMENT_EXAMPLES = {"tier": "gold", "region": "emea", "topic": "pricing"}


def _engagement(text: str, pos: int) -> Engagement:
    """`engagement [tier:<tier>] [region:<region>] [topic:<slug>]`, in any order, one value each."""
    options: dict[str, str] = {}
    for token in read_all(text, pos):
        option = as_option(text, token)
        if option is None:
            keys = ", ".join(f"`{key}:`" for key in _ENGAGEMENT_KEYS)
            raise _Invalid(msg.ENGAGEMENT_NOT_AN_OPTION.format(word=_shown(token.text), keys=keys))
        key, value = option
        if key in _ENGAGEMENT_KEYS and "," in value:
            raise _Invalid(msg.ENGAGEMENT_ONE_VALUE.format(key=key, example=_ENGAGEMENT_EXAMPLES[key]))
        if key in _ENGAGEMENT_KEYS and not value.strip():
            raise _Invalid(msg.OPTION_EMPTY.format(key=key, example=_ENGAGEMENT_EXAMPLES[key]))
        _add_option(options, option, "engagement", _ENGAGEMENT_KEYS)
    topic = _slug(options["topic"], partner=False) if "topic" in options else None
    return Engagement(options.get("tier"), options.get("region"), topic)


def _quiet_admin(text: str, pos: int) -> Quiet:
    word = read_word(text, pos)
    if word is not None:
        raise _usage_error(msg.ADMIN_USAGE["quiet"])
    return Quiet()


def _audience_name(word: str) -> str:
    """A saved audience's name: one slug-like word (letters, digits, dashes; up to 40), any case."""
    name = as_slug(word)
    if name is None:
        raise _Invalid(
            msg.AUDIENCE_NAME_INVALID.format(name=_shown(word)), Refusal(RefusalCode.SYNTAX, "audience")
        )
    return name


def _audience(text: str, pos: int) -> AudienceSave | AudienceList | AudienceShow | AudienceDelete:
    """`audience save <name> key:value…`, `audience list`, `audience show|delete <name>`."""
    word = read_word(text, pos)
    action = word.text.lower() if word else ""
    if word is None or action not in _AUDIENCE_ACTIONS:
        if word is None:
            raise _usage_error(msg.ADMIN_USAGE["audience"])
        did_you_mean = _did_you_mean(action, _AUDIENCE_ACTIONS)
        raise _Invalid(
            msg.UNKNOWN_AUDIENCE_ACTION.format(
                word=_shown(word.text), did_you_mean=did_you_mean, usage=msg.ADMIN_USAGE["audience"]
            )
        )
    tokens = read_all(text, word.end)
    if action == "list":
        if tokens:
            raise _usage_error(msg.AUDIENCE_LIST_USAGE)
        return AudienceList()
    if not tokens:
        raise _usage_error(msg.AUDIENCE_USAGES[action])
    name = _audience_name(tokens[0].text)
    if action == "save":
        return _audience_save(text, name, tokens[1:])
    if len(tokens) > 1:
        raise _usage_error(msg.AUDIENCE_USAGES[action])
    return AudienceShow(name) if action == "show" else AudienceDelete(name)


def _audience_save(text: str, name: str, tokens: list[Token]) -> AudienceSave:
    options: dict[str, str] = {}
    for token in tokens:
        option = as_option(text, token)
        if option is None:
            keys = ", ".join(f"`{key}:`" for key in _AUDIENCE_KEYS)
            raise _Invalid(msg.AUDIENCE_NOT_AN_OPTION.format(word=_shown(token.text), keys=keys))
        _add_option(options, option, "audience save", _AUDIENCE_KEYS, quoted=token.quoted)
    if not options:
        raise _Invalid(msg.AUDIENCE_SAVE_NOTHING.format(name=name))
    audience = Audience.of({key: comma_list([options[key]]) for key in _FILTER_KEYS if key in options})
    topics = _slugs(comma_list([options["topic"]]), partner=False) if "topic" in options else ()
    return AudienceSave(name, audience, topics)


def _series(text: str, pos: int) -> SeriesList | SeriesAction | SeriesEdit:
    """`series`, `series start|pause|resume|end <id>`, `series edit <id> [title:"…"] [<body…>]`."""
    word = read_word(text, pos)
    if word is None:
        return SeriesList()
    action = word.text.lower()
    if action == "edit":
        return _series_edit(text, word.end)
    if action not in SERIES_ACTIONS:
        did_you_mean = _did_you_mean(action, (*SERIES_ACTIONS, "edit"))
        raise _Invalid(
            msg.SERIES_UNKNOWN_ACTION.format(
                word=_shown(word.text), did_you_mean=did_you_mean, usage=msg.SERIES_USAGE
            )
        )
    words = read_words(text, word.end)
    if len(words) != 1:
        raise _usage_error(msg.SERIES_USAGE)
    return SeriesAction(action, _parse_id(words[0], msg.SERIES_ID, f"series {action} 3"))


def _series_edit(text: str, pos: int) -> SeriesEdit:
    """The broadcast rule: `title:"…"` first, everything after it is the body, as written."""
    word = read_word(text, pos)
    if word is None:
        raise _usage_error(msg.SERIES_USAGE)
    series_id = _parse_id(word.text, msg.SERIES_ID, 'series edit 3 title:"Weekly update"')
    pos = word.end
    title = None
    nxt = read_word(text, pos)
    found = _option_at(text, nxt, ("title",)) if nxt is not None else None
    if found is not None and found[1][0] == "title":  # any other `word:` starts the body
        title = _title(found[1][1], empty=msg.TITLE_EMPTY)
        pos = found[0].end
    body = text[pos:].strip() or None
    if title is None and body is None:
        raise _Invalid(msg.SERIES_EDIT_NOTHING)
    if body is not None and len(body) > MAX_BODY:
        raise _Invalid(_body_too_long(body), Refusal(RefusalCode.TOO_LONG, "body"))
    return SeriesEdit(series_id, title=title, body=body)


def _calendar(text: str, pos: int) -> Calendar:
    """`calendar [<weeks>]` (a trailing `weeks` is allowed: `calendar 4 weeks`)."""
    words = read_words(text, pos)
    if len(words) == 2 and words[1].lower() in ("week", "weeks"):
        words = words[:1]
    if not words:
        return Calendar(DEFAULT_CALENDAR_WEEKS)
    if len(words) > 1:
        raise _usage_error(msg.ADMIN_USAGE["calendar"])
    value = words[0]
    weeks = int(value) if NUMBER.fullmatch(value) and len(value.lstrip("+-0")) <= 2 else 0
    if not 1 <= weeks <= MAX_CALENDAR_WEEKS:
        raise _Invalid(msg.CALENDAR_WEEKS_INVALID.format(max=MAX_CALENDAR_WEEKS, value=_shown(value)))
    return Calendar(weeks)


def _no_arguments(text: str, pos: int, command: str, parsed: Faqs) -> Faqs:
    if read_word(text, pos) is not None:
        raise _usage_error(msg.ADMIN_USAGE[command])
    return parsed


def _dashboard(text: str, pos: int) -> Dashboard:
    if read_word(text, pos) is not None:
        raise _usage_error(msg.ADMIN_USAGE["dashboard"])
    return Dashboard()


_ADMIN: Final[Mapping[str, Callable[[str, int], AdminCommand]]] = {
    "help": _admin_help,
    "topic": _topic,
    "topics": lambda text, pos: AdminTopics(),
    "invite": _invite,
    "partner": _partner_admin,
    "broadcast": _broadcast,
    "send": lambda text, pos: Send(_required_id(text, pos, "send")),
    "cancel": lambda text, pos: Cancel(_required_id(text, pos, "cancel")),
    "edit": _edit,
    "recall": lambda text, pos: Recall(_required_id(text, pos, "recall")),
    "scheduled": lambda text, pos: Scheduled(),
    "stats": lambda text, pos: Stats(_optional_id(text, pos, "stats")),
    "acks": lambda text, pos: Acks(_required_id(text, pos, "acks")),
    "questions": lambda text, pos: Questions(),
    "answer": _answer,
    "reschedule": _reschedule,
    "drafts": lambda text, pos: Drafts(),
    "engagement": _engagement,
    "quiet": _quiet_admin,
    "dashboard": _dashboard,
    "audience": _audience,
    "test": lambda text, pos: SendTest(_required_id(text, pos, "test")),
    "translate": _translate,
    "translations": lambda text, pos: Translations(_required_id(text, pos, "translations")),
    "series": _series,
    "calendar": _calendar,
    "approve": lambda text, pos: Approve(_required_id(text, pos, "approve")),
    "reject": _reject,
    "faq": _faq,
    "faqs": lambda text, pos: _no_arguments(text, pos, "faqs", Faqs()),
}
