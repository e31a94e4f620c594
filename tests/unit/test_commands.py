"""The command grammar: every form, every error path, and properties over arbitrary text."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.domain import Audience, DeliveryMode
from bot.grammar import (
    DEFAULT_NEWS,
    MAX_BODY,
    MAX_NEWS,
    MAX_TITLE,
    AdminHelp,
    Answer,
    Ask,
    Broadcast,
    Cancel,
    CommandError,
    Help,
    Invite,
    Join,
    ListSubscriptions,
    ListTopics,
    News,
    Questions,
    Send,
    SetMode,
    SetTimezone,
    ShowSettings,
    Stats,
    Subscribe,
    TopicAdd,
    TopicArchive,
    Unsubscribe,
    help_text,
    parse_admin,
    parse_partner,
)
from bot.lexer import MAX_ID, SLUG

# --- partner: every form ------------------------------------------------------------------------

PARTNER_OK = [
    ("", Help()),
    ("   \n ", Help()),
    ("help", Help()),
    ("HELP Subscribe", Help("subscribe")),
    ("help news extra words", Help("news")),
    ("topics", ListTopics()),
    ("Topics please", ListTopics()),
    ("subscribe security", Subscribe(("security",))),
    ("subscribe Security PRICING", Subscribe(("security", "pricing"))),
    ("subscribe security,pricing", Subscribe(("security", "pricing"))),
    ("subscribe security, pricing ,, release-notes", Subscribe(("security", "pricing", "release-notes"))),
    ("subscribe security pricing security", Subscribe(("security", "pricing"))),
    ('subscribe "security"', Subscribe(("security",))),
    ("subscribe all", Subscribe((), all=True)),
    ("subscribe ALL all", Subscribe((), all=True)),
    ("unsubscribe q3-2025", Unsubscribe(("q3-2025",))),
    ("unsubscribe a b,c", Unsubscribe(("a", "b", "c"))),
    ("unsubscribe all", Unsubscribe((), all=True)),
    ("list", ListSubscriptions()),
    ("news", News()),
    ("news 3", News(count=3)),
    ("news security", News("security")),
    ("news security 10", News("security", 10)),
    ("news 10 Security", News("security", 10)),
    ("news 20", News(count=MAX_NEWS)),
    ("news 1", News(count=1)),
    ("news 007", News(count=7)),
    ("ask Why?", Ask("Why?")),
    (
        "ask   When does\n*the new* price list\n\n  apply?  \n",
        Ask("When does\n*the new* price list\n\n  apply?"),
    ),
    ('ask Is "quoted unclosed fine?', Ask('Is "quoted unclosed fine?')),
    ("settings", ShowSettings()),
    ("settings mode immediate", SetMode(DeliveryMode.IMMEDIATE)),
    ("settings mode Daily", SetMode(DeliveryMode.DAILY)),
    ("SETTINGS MODE WEEKLY", SetMode(DeliveryMode.WEEKLY)),
    ("settings timezone Europe/Berlin", SetTimezone("Europe/Berlin")),
    ("settings tz America/New_York", SetTimezone("America/New_York")),
    ("join K7Q-2MZ", Join("K7Q-2MZ")),
    ("\u00a0join\u00a0abc ", Join("abc")),  # Slack sometimes sends no-break spaces
]


@pytest.mark.parametrize(("text", "expected"), PARTNER_OK)
def test_partner_forms(text: str, expected: object) -> None:
    assert parse_partner(text) == expected


# --- partner: every error path --------------------------------------------------------------------

PARTNER_ERRORS = [
    ("subscibe security", ['unknown command "subscibe"', 'did you mean "subscribe"?', "`help`"]),
    ("sub security", ['did you mean "subscribe"?']),
    ("unsub all", ['did you mean "unsubscribe"?']),
    ("xyzzy", ['unknown command "xyzzy".', "`help`"]),
    # `@partnerbot /partner help`: the slash command's name, said how to write it instead.
    ("/partner help", ['unknown command "/partner"', 'leave "/partner" out here', "e.g. `help`"]),
    ("help subscibe", ['did you mean "subscribe"?']),
    ("subscribe", ["Usage: `subscribe <topic> [<topic>…]`, or `subscribe all`"]),
    ("subscribe , ,", ["Usage: `subscribe"]),
    ("unsubscribe", ["Usage: `unsubscribe"]),
    ("subscribe all security", ["`subscribe all` stands on its own"]),
    ("subscribe sec!", ['"sec!" isn\'t a valid topic name', "`topics`"]),
    ("subscribe -security", ['"-security"']),
    ("subscribe " + "a" * 41, ["valid topic name"]),
    ('subscribe "two words"', ['"two words"']),
    ('subscribe "security', ['opening " without a closing quote']),
    ("subscribe \u201csecurity", ["opening \u201c without a closing quote"]),
    ("news 0", ["between 1 and 20", "you wrote 0"]),
    ("news 21", ["between 1 and 20"]),
    ("news -3", ["you wrote -3"]),
    ("news " + "9" * 5000, ["between 1 and 20", "…"]),
    ("news 3 4", ["at most one topic and one number"]),
    # Topics written as for `subscribe`: one topic is the rule, not "security," being no topic name.
    ("news security, pricing", ["at most one topic and one number", "`news security 10`"]),
    ("news security,pricing 3", ["at most one topic and one number"]),
    ("news 2025", ["between 1 and 20"]),  # an all-digit word is always the count
    ("news security pricing", ["at most one topic and one number"]),
    ("news bad_slug", ["valid topic name"]),
    ("ask", ["Write your question after `ask`"]),
    ("ask   \n ", ["Write your question"]),
    ("settings mod daily", ['unknown setting "mod"', 'did you mean "mode"?', "Usage:"]),
    ("settings color blue", ['unknown setting "color"', "`settings timezone"]),
    ("settings mode", ["Usage: `settings mode immediate|daily|weekly`"]),
    ("settings mode daily weekly", ["Usage: `settings mode"]),
    ("settings mode dayly", ['"dayly" isn\'t a delivery mode', "immediate|daily|weekly"]),
    ("settings timezone", ["Usage: `settings timezone <IANA name>`"]),
    ("settings timezone America/New York", ["no spaces", "America/New_York"]),
    ("join", ["Usage: `join <code>`"]),
    ("join abc def", ["Usage: `join <code>`"]),
    ('join ""', ["Usage: `join <code>`"]),
]


@pytest.mark.parametrize(("text", "fragments"), PARTNER_ERRORS)
def test_partner_errors(text: str, fragments: list[str]) -> None:
    result = parse_partner(text)
    assert isinstance(result, CommandError), result
    for fragment in fragments:
        assert fragment in result.message


# --- admin: every form ----------------------------------------------------------------------------

EVERYONE = Audience()

ADMIN_OK = [
    ("", AdminHelp()),
    ("help broadcast", AdminHelp("broadcast")),
    ('topic add pricing "Pricing"', TopicAdd("pricing", "Pricing")),
    ("topic add Pricing Pricing", TopicAdd("pricing", "Pricing")),
    (
        'topic add pricing "Pricing & plans" "Lists, discounts"',
        TopicAdd("pricing", "Pricing & plans", "Lists, discounts"),
    ),
    (
        "topic add pricing \u201cPricing\u201d \u2018Partner\u2019s guide\u2019",
        TopicAdd("pricing", "Pricing", "Partner\u2019s guide"),
    ),
    ("topic add pricing 'Pricing' \"He said 'hi'\"", TopicAdd("pricing", "Pricing", "He said 'hi'")),
    ("TOPIC ARCHIVE Pricing", TopicArchive("pricing")),
    ('invite "Acme GmbH" tier:gold', Invite("Acme GmbH", "gold")),
    ("invite Acme GmbH tier:Gold region:EMEA", Invite("Acme GmbH", "gold", region="emea")),
    (
        "invite \u201cO'Brien & Sons: IT\u201d language:DE type:MSP tier:silver region:dach",
        Invite("O'Brien & Sons: IT", "silver", type="msp", region="dach", language="de"),
    ),
    ("invite O'Brien tier:gold", Invite("O'Brien", "gold")),
    ("send 42", Send(42)),
    ("send #42", Send(42)),
    (f"cancel {MAX_ID}", Cancel(MAX_ID)),
    ("stats", Stats()),
    ("stats #7", Stats(7)),
    ("questions", Questions()),
    ("answer 12 Yes, from 1 July.", Answer(12, "Yes, from 1 July.")),
    ("answer #12   Yes.\n\n*See* the `docs`.  ", Answer(12, "Yes.\n\n*See* the `docs`.")),
]


@pytest.mark.parametrize(("text", "expected"), ADMIN_OK)
def test_admin_forms(text: str, expected: object) -> None:
    assert parse_admin(text) == expected


def _broadcast(text: str) -> Broadcast:
    result = parse_admin(text)
    assert isinstance(result, Broadcast), result
    return result


def test_broadcast_full() -> None:
    text = (
        "broadcast topic:pricing,Security tier:gold,platinum type:reseller region:EMEA,apac "
        'language:en urgent at:"2025-07-01 09:00" title:\u201cQ3 prices\u201d\n\n'
        "Hello *partners*,\n\n  - item one\n  - item `two`\n\nThanks!\n"
    )
    assert _broadcast(text) == Broadcast(
        topics=("pricing", "security"),
        audience=Audience(
            tiers=frozenset({"gold", "platinum"}),
            types=frozenset({"reseller"}),
            regions=frozenset({"emea", "apac"}),
            languages=frozenset({"en"}),
        ),
        title="Q3 prices",
        body="Hello *partners*,\n\n  - item one\n  - item `two`\n\nThanks!",
        urgent=True,
        send_at=datetime(2025, 7, 1, 9, 0),
    )


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        ('broadcast topic:x title:"Big news" topic:y Body', "Big news", "topic:y Body"),
        ('broadcast topic:x title:"T" regoin:emea body', "T", "regoin:emea body"),
        ('broadcast topic:x title:"T" Note:see below', "T", "Note:see below"),
        ("broadcast topic:x title:Launch Body text", "Launch", "Body text"),
        (
            'broadcast topic:x title:"Keep Case" Note: this stays in the body',
            "Keep Case",
            "Note: this stays in the body",
        ),
        (
            'broadcast topic:x title:"T" https://example.com/launch is live',
            "T",
            "https://example.com/launch is live",
        ),
        ('broadcast topic:x title:"T" Urgent patch: apply now', "T", "Urgent patch: apply now"),
        ('broadcast topic:x title:"T" "Quoted" opening, don\'t strip', "T", '"Quoted" opening, don\'t strip'),
        ('broadcast topic:x title:"T" 10:30 call, topic:y stays', "T", "10:30 call, topic:y stays"),
        ("broadcast topic:x title:'It\u2019s here' Body", "It\u2019s here", "Body"),
    ],
)
def test_broadcast_body_starts_after_last_option(text: str, title: str, body: str) -> None:
    result = _broadcast(text)
    assert (result.title, result.body, result.urgent) == (title, body, False)


def test_broadcast_defaults_and_limits() -> None:
    result = _broadcast('broadcast topic:x,x title:"' + "t" * MAX_TITLE + '" ' + "b" * MAX_BODY)
    assert result.topics == ("x",)
    assert result.audience.is_everyone()
    assert result.send_at is None
    assert len(result.body) == MAX_BODY
    assert _broadcast('broadcast topic:x at:"2025-12-31T23:59" title:T b').send_at == datetime(
        2025, 12, 31, 23, 59
    )


# --- admin: every error path ----------------------------------------------------------------------

ADMIN_ERRORS = [
    ("brodcast topic:x", ['unknown command "brodcast"', 'did you mean "broadcast"?', "`help`"]),
    ("/partner-admin help", ['unknown command "/partner-admin"', 'leave "/partner-admin" out here']),
    ("help sned", ['did you mean "send"?']),
    ("topic", ["Usage: `topic add"]),
    ("topic remove pricing", ['unknown `topic` action "remove"', "Usage:"]),
    ("topic archiv pricing", ['did you mean "archive"?']),
    ("topic add", ["Usage: `topic add <slug>"]),
    ("topic add pricing", ["Usage: `topic add <slug>"]),
    ("topic add Pric!ng Pricing", ['"Pric!ng" isn\'t a valid topic name']),
    ("topic add pricing Pricing and plans", ["Put the title and the description in quotes"]),
    ('topic add pricing "Pricing" "a" "b"', ["in quotes"]),
    ('topic add pricing ""', ["The title can't be empty"]),
    (
        'topic add pricing "' + "t" * (MAX_TITLE + 1) + '"',
        [f"{MAX_TITLE + 1} characters", f"{MAX_TITLE} or fewer"],
    ),
    ('topic add pricing "Pricing', ["without a closing quote"]),
    ("topic archive", ["Usage: `topic archive <slug>`"]),
    ("topic archive a b", ["Usage: `topic archive <slug>`"]),
    ("invite", ["Give the partner's name first"]),
    ("invite tier:gold", ["Give the partner's name first"]),
    ('invite "Acme"', ["`tier:<tier>`"]),
    ('invite "Acme" region:emea', ["`tier:<tier>`"]),
    ('invite "Acme" tier:gold,silver', ["one tier", "without commas"]),
    ('invite "Acme" tier:gold tier:silver', ["`tier:` appears more than once"]),
    ('invite "Acme" tier:', ["`tier:` needs a value", "tier:gold,platinum"]),
    ('invite "Acme" teir:gold', ['unknown option "teir:"', "`tier:`, `type:`, `region:`, `language:`"]),
    ('invite "Acme" tier:gold Ltd', ['"Ltd" isn\'t an option']),
    ('invite "Acme tier:gold', ["without a closing quote"]),
    ("broadcast", ["`topic:<slug>`"]),
    ('broadcast title:"T" body', ["`topic:<slug>`"]),
    ("broadcast topic:x body", ['"body" isn\'t an option or a flag', 'the body goes after `title:"…"`']),
    ("broadcast topic:x urgent", ['title with `title:"…"`']),
    ('broadcast topic:x title:"T"', ["has no text"]),
    ('broadcast topic:x title:"T"  \n\n ', ["has no text"]),
    (
        'broadcast topic:x title:"T" ' + "b" * (MAX_BODY + 1),
        [f"{MAX_BODY + 1} characters", f"limit is {MAX_BODY}"],
    ),
    ('broadcast topic:x title:"' + "t" * (MAX_TITLE + 1) + '" b', [f"keep it to {MAX_TITLE}"]),
    # An empty quoted value was typed right, only empty: no "with no space" hint that would mislead.
    ('broadcast topic:x title:"" b', ["The title can't be empty"]),
    ('broadcast topic:x title:"   " b', ["The title can't be empty"]),
    ('edit 3 title:"" b', ["The title can't be empty"]),
    ('broadcast topic:"" title:T b', ["`topic:` has nothing between its quotes", "`topic:pricing,security`"]),
    ('invite "Acme" tier:""', ["`tier:` has nothing between its quotes"]),
    ('broadcast topic:x title: "T" body', ["`title:` needs a value right after the colon"]),
    ("broadcast topic:, title:T b", ["`topic:` needs a value"]),
    ("broadcast topic:Bad! title:T b", ['"Bad!" isn\'t a valid topic name']),
    ('broadcast topic:x regoin:emea title:"T" body', ['unknown option "regoin:"', "`region:`", "`title:`"]),
    ('broadcast title:"T" topic:x body', ["`topic:<slug>`"]),
    # Before the title only options and flags: a body there is refused, never taken or dropped.
    ('broadcast topic:x Hello title:"T" body', ['"Hello" isn\'t an option or a flag', 'after `title:"…"`']),
    ('broadcast topic:x Urgent title:"T" body', ['did you mean "urgent"?', 'after `title:"…"`']),
    ('broadcast topic:x Note: see title:"T" body', ['"Note:" isn\'t an option', 'after `title:"…"`']),
    ("broadcast topic:x topic:y title:T b", ["`topic:` appears more than once"]),
    ('broadcast topic:x title:"Unclosed body', ["without a closing quote"]),
    (
        'broadcast topic:x at:"tomorrow 9am" title:T b',
        ['couldn\'t read the time "tomorrow 9am"', "YYYY-MM-DD HH:MM"],
    ),
    ('broadcast topic:x at:"2025-02-30 10:00" title:T b', ["couldn't read the time"]),
    ("broadcast topic:x at:2025-07-01 title:T b", ["couldn't read the time"]),
    ("send", ["Usage: `send <id>`"]),
    ("send x", ['"x" isn\'t an announcement number', "`send 42`"]),
    ("send 0", ["isn't an announcement number"]),
    ("send -1", ["isn't an announcement number"]),
    (f"send {MAX_ID + 1}", ["isn't an announcement number"]),
    ("send 1 2", ["Usage: `send <id>`"]),
    ("cancel", ["Usage: `cancel <id>`"]),
    ("cancel ##4", ["isn't an announcement number"]),
    ("stats x", ["`stats 42`"]),
    ("stats 1 2", ["Usage: `stats [<id>]`"]),
    ("answer", ["Usage: `answer <question id> <text>`"]),
    ("answer 12", ["Usage: `answer"]),
    ("answer twelve Yes", ['"twelve" isn\'t a question number']),
]


@pytest.mark.parametrize(("text", "fragments"), ADMIN_ERRORS)
def test_admin_errors(text: str, fragments: list[str]) -> None:
    result = parse_admin(text)
    assert isinstance(result, CommandError), result
    for fragment in fragments:
        assert fragment in result.message


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # A body typed without `title:"…"`: its first word is no near miss of an option.
        ("broadcast topic:x Patch now", None),
        ("broadcast topic:x Latest news", None),
        ('broadcast topic:x Urgent title:"T" body', "urgent"),
        ('broadcast topic:x titel "T" body', "title:"),
        ('broadcast topic:x topics:x title:"T" body', None),
        ('broadcast topic:x regoin: title:"T" body', "region:"),
    ],
)
def test_broadcast_suggests_only_near_misses(text: str, meant: str | None) -> None:
    result = parse_admin(text)
    assert isinstance(result, CommandError), result
    assert 'the body goes after `title:"…"`' in result.message or "unknown option" in result.message
    if meant is None:
        assert "did you mean" not in result.message, result.message
    else:
        assert f'did you mean "{meant}"?' in result.message, result.message


def test_long_bad_words_are_shortened_in_messages() -> None:
    result = parse_partner("x" * 500)
    assert isinstance(result, CommandError)
    assert len(result.message) < 200


# --- help -----------------------------------------------------------------------------------------


def test_help_covers_every_command() -> None:
    assert set(msg.PARTNER_USAGE) == set(msg.PARTNER_ABOUT)
    assert set(msg.ADMIN_USAGE) == set(msg.ADMIN_ABOUT)
    for command in msg.PARTNER_USAGE:
        assert parse_partner(f"help {command}") == Help(command)
        assert f"`{command}" in msg.PARTNER_HELP
        assert msg.PARTNER_USAGE[command] in help_text(command)
    for command in msg.ADMIN_USAGE:
        assert parse_admin(f"help {command}") == AdminHelp(command)
        assert f"`{command}" in msg.ADMIN_HELP
        # `{at_example}` slots are filled with a date after today (tests/unit/test_admin_grammar.py).
        about = msg.ADMIN_ABOUT[command].split(msg.AT_EXAMPLE_SLOT)
        assert all(part in help_text(command, admin=True) for part in about)


def test_help_names_every_at_form_the_readme_names() -> None:
    """`at:` takes `local` or an IANA zone (README's command list); the help and usage lines said only
    `[ local]`, and `reschedule`'s usage `[ local| <IANA zone>]` with a stray space."""
    readme_form = 'at:"YYYY-MM-DD HH:MM[ local|<IANA zone>]"'
    for text in (msg.ADMIN_HELP, msg.ADMIN_USAGE["broadcast"], msg.ADMIN_USAGE["reschedule"]):
        forms = re.findall(r'at:"YYYY-MM-DD HH:MM[^"]*"', text)
        assert forms and set(forms) == {readme_form}, forms


def test_broadcast_help_names_the_cta_addresses_the_grammar_takes() -> None:
    """`help broadcast` said "the address a full `https://…` one"; an `http://` address is taken too
    (README "Calls to action"), so the help names both."""
    about = help_text("broadcast", admin=True)
    assert "`http://…` or `https://…`" in about
    plain = parse_admin('broadcast topic:x cta:"Register|http://example.com/r" title:"T" B')
    assert isinstance(plain, Broadcast) and plain.ctas[0].url == "http://example.com/r"


def test_help_text_falls_back_to_the_reference() -> None:
    assert help_text() == msg.PARTNER_HELP
    assert help_text("nonsense", admin=True) == msg.ADMIN_HELP


def test_every_command_word_parses_to_something() -> None:
    for command in msg.PARTNER_USAGE:
        assert parse_partner(command) is not None
    for command in msg.ADMIN_USAGE:
        assert parse_admin(command) is not None


# --- properties -----------------------------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None)

GRAMMAR_WORDS = [
    *msg.PARTNER_USAGE,
    *msg.ADMIN_USAGE,
    "all", "add", "archive", "mode", "timezone", "daily", "urgent", "Urgent", "#42", "42", "0", "-1",
    "topic:", "tier:", "type:", "region:", "language:", "title:", "at:", "regoin:", "https://x.y",
    "topic:a,b", "tier:gold", 'title:"', "title:\u201c", 'at:"2025-07-01 09:00"', "security,pricing",
    '"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "\u201e", ",", ":", "::", "#", "\u00e9t\u00e9",
    "\u0130", "\U0001f389", "\u00a0", "\n", "\t", "*bold*", "`code`", "<!channel>",
]  # fmt: skip

grammar_texts = st.lists(st.one_of(st.sampled_from(GRAMMAR_WORDS), st.text(max_size=4)), max_size=12).flatmap(
    lambda words: st.sampled_from([" ", "", "\n", ","]).map(lambda sep: sep.join(words))
)

any_text = st.one_of(st.text(), grammar_texts)


def _is_result(result: object) -> bool:
    if isinstance(result, CommandError):
        return bool(result.message.strip())
    return True


@PROPERTY
@given(any_text)
def test_partner_never_raises(text: str) -> None:
    assert _is_result(parse_partner(text))
    assert _is_result(parse_partner("subscribe " + text))
    assert _is_result(parse_partner("news " + text))
    assert _is_result(parse_partner("settings " + text))


@PROPERTY
@given(any_text)
def test_admin_never_raises(text: str) -> None:
    assert _is_result(parse_admin(text))
    assert _is_result(parse_admin("broadcast " + text))
    assert _is_result(parse_admin("invite " + text))
    assert _is_result(parse_admin("topic add " + text))


slugs = st.from_regex(SLUG, fullmatch=True).filter(lambda slug: slug != "all")


def _any_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c for c, u in zip(word, upper, strict=True))
    )


@PROPERTY
@given(
    st.lists(slugs.flatmap(_any_case), min_size=1, max_size=8),
    st.lists(st.sampled_from([" ", ",", ", ", " , ", "\n", "  "]), min_size=8, max_size=8),
    st.sampled_from(["subscribe", "unsubscribe"]),
)
def test_topic_lists_round_trip(words: list[str], separators: list[str], command: str) -> None:
    text = command + " " + "".join(word + sep for word, sep in zip(words, separators, strict=False))
    result = parse_partner(text)
    assert isinstance(result, Subscribe | Unsubscribe)
    assert result.topics == tuple(dict.fromkeys(word.lower() for word in words))
    assert result.all is False


@PROPERTY
@given(
    st.one_of(st.none(), slugs.filter(lambda slug: not slug.isdigit() and slug != "search")),
    st.one_of(st.none(), st.integers(1, MAX_NEWS)),
    st.booleans(),
)
def test_news_in_any_order(topic: str | None, count: int | None, swap: bool) -> None:
    parts = [part for part in (topic, None if count is None else str(count)) if part is not None]
    text = "news " + " ".join(reversed(parts) if swap else parts)
    assert parse_partner(text) == News(topic, DEFAULT_NEWS if count is None else count)


@PROPERTY
@given(st.integers(1, MAX_ID), st.booleans(), st.sampled_from(["send", "cancel", "stats"]))
def test_ids_round_trip(number: int, hashed: bool, command: str) -> None:
    result = parse_admin(f"{command} {'#' if hashed else ''}{number}")
    assert isinstance(result, Send | Cancel | Stats)
    assert result.announcement_id == number


@PROPERTY
@given(st.text())
def test_ask_keeps_the_text(question: str) -> None:
    result = parse_partner("ask " + question)
    if question.strip():
        assert result == Ask(question.strip())
    else:
        assert isinstance(result, CommandError)


# The body's first word is prose here, so everything after the options must come back verbatim.
bodies = st.tuples(
    st.sampled_from(["Hello", "We're", "*Heads-up*", "> Note", "1.", "\U0001f389", "Note:", "https://x.y"]),
    st.sampled_from([" ", "\n", "  "]),
    st.text(max_size=300),
).map("".join)

options = st.permutations(["topic:pricing,security", "tier:Gold,platinum", "urgent", "region:emea"]).map(
    lambda order: [*order, 'title:"Q3 \u2018prices\u2019"']
)


@PROPERTY
@given(options, st.sampled_from([" ", "\n", "\n\n", " \t\n "]), bodies)
def test_broadcast_body_is_verbatim(option_order: list[str], separator: str, body: str) -> None:
    result = _broadcast("broadcast " + " ".join(option_order) + separator + body)
    assert result.body == body.strip()
    assert result.topics == ("pricing", "security")
    assert result.title == "Q3 \u2018prices\u2019"
    assert result.audience.tiers == {"gold", "platinum"}
    assert result.urgent
