"""The admin grammar's one rule (options and flags first, everything after `title:"…"` is the body),
`edit` with options, `reschedule`, `drafts`, examples dated from the clock, and DST notes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.commands import Broadcast, CommandError, Dashboard, Drafts, Edit, Reschedule
from bot.domain import Refusal, RefusalCode
from bot.grammar import MAX_BODY, MAX_TITLE, help_text, parse_admin, parse_partner
from bot.timezones import dst_shift
from bot.when import At, at_example, parse_at, today_in, with_examples
from tests.conftest import FakeClock

PROPERTY = settings(max_examples=300, deadline=None)


def _broadcast(text: str) -> Broadcast:
    result = parse_admin(text)
    assert isinstance(result, Broadcast), result
    return result


# --- broadcast: after the title, everything is body ------------------------------------------------


@pytest.mark.parametrize(
    ("after_title", "body"),
    [
        ("urgent fixes are rolling out tonight", "urgent fixes are rolling out tonight"),
        ("ack this please", "ack this please"),
        ('at:"2026-12-24 09:00" is when it starts', 'at:"2026-12-24 09:00" is when it starts'),
        ("tier:gold partners first", "tier:gold partners first"),
        ("topic:security too", "topic:security too"),
        ('title:"Second" and more', 'title:"Second" and more'),
    ],
)
def test_words_after_the_title_are_body_never_options(after_title: str, body: str) -> None:
    result = _broadcast(f'broadcast topic:pricing title:"Heads up" {after_title}')
    assert result.body == body
    assert (result.urgent, result.ack_required, result.send_at) == (False, False, None)
    assert result.audience.is_everyone()
    assert result.topics == ("pricing",)


def test_options_before_the_title_still_apply() -> None:
    result = _broadcast('broadcast urgent ack tier:gold at:"2026-12-24 09:00" topic:pricing title:"T" b')
    assert (result.urgent, result.ack_required, result.send_at) == (True, True, datetime(2026, 12, 24, 9))
    assert result.audience.tiers == {"gold"}


@pytest.mark.parametrize("word", ["Hello", "Urgent", "URGENT", "fixes", "Note:", "10:30", "#1"])
def test_a_word_before_the_title_is_refused_saying_where_the_body_goes(word: str) -> None:
    result = parse_admin(f'broadcast topic:pricing {word} title:"T" body')
    assert isinstance(result, CommandError), result
    assert f'"{word}" isn\'t an option or a flag' in result.message
    assert 'the body goes after `title:"…"`' in result.message


# Any text at all, including text that starts with option words, flags, quotes or colons.
body_starts = st.sampled_from(
    ["", "urgent ", "ack ", "tier:gold ", 'at:"2027-01-01 09:00" ', 'title:"x" ', "Note: ", "topic:a "]
)


@PROPERTY
@given(body_starts, st.text(max_size=400))
def test_the_parsed_body_is_what_the_admin_wrote(start: str, rest: str) -> None:
    written = start + rest
    result = parse_admin('broadcast topic:pricing tier:gold urgent title:"Heads up" ' + written)
    if not written.strip():
        assert result == CommandError(msg.BODY_EMPTY, Refusal(RefusalCode.MISSING, "body"))
        return
    assert isinstance(result, Broadcast), result
    # The rule stated in the help: only the whitespace around the body is dropped.
    assert result.body == written.strip()
    assert result.urgent and result.audience.tiers == {"gold"}


def test_the_help_states_the_rule() -> None:
    about = help_text("broadcast", admin=True, today=date(2026, 12, 3))
    assert "everything after the title is the body, exactly as written" in about
    assert "whitespace (spaces, tabs, line breaks) before its first and after its last" in about
    assert 'Everything after `title:"…"` is the body' in help_text(admin=True) or (
        'everything after `title:"…"` is the body' in help_text(admin=True)
    )


def test_body_limit_still_applies() -> None:
    result = parse_admin('broadcast topic:x title:"T" ' + "b" * (MAX_BODY + 1))
    assert isinstance(result, CommandError) and f"limit is {MAX_BODY}" in result.message


# --- edit ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("edit 3 Webinar moved to Friday", Edit(3, body="Webinar moved to Friday")),
        ("edit 3 Re:Webinar moved", Edit(3, body="Re:Webinar moved")),
        ("edit 3 Urgent: read this", Edit(3, body="Urgent: read this")),
        ('edit 3 title:"New"', Edit(3, title="New")),
        ('edit 3 title:"New" urgent fixes tonight', Edit(3, title="New", body="urgent fixes tonight")),
        ('edit 3 title:"New" tier:gold at:"x" first', Edit(3, title="New", body='tier:gold at:"x" first')),
        ('edit 3 at:"2026-12-24 09:00"', Edit(3, send_at=datetime(2026, 12, 24, 9))),
        (
            'edit 3 at:"2026-12-24 09:00 Europe/Berlin" title:"T" Body',
            Edit(3, title="T", body="Body", send_at=datetime(2026, 12, 24, 9), send_zone="Europe/Berlin"),
        ),
        (
            'edit 3 at:"2026-12-24 09:00 local" New body',
            Edit(3, body="New body", send_at=datetime(2026, 12, 24, 9), send_local=True),
        ),
    ],
)
def test_edit_forms(text: str, expected: Edit) -> None:
    assert parse_admin(text) == expected


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("edit 3 tier:gold", "tier:"),
        ("edit 3 topic:pricing New text", "topic:"),
        ("edit 3 region:emea", "region:"),
        ("edit 3 urgent fixes are rolling out", "urgent"),
        ("edit 3 ack", "ack"),
        ('edit 3 at:"2026-12-24 09:00" tier:gold', "tier:"),
    ],
)
def test_edit_refuses_options_it_cannot_apply_and_says_what_it_takes(text: str, word: str) -> None:
    result = parse_admin(text)
    assert isinstance(result, CommandError), result
    assert f'`edit` can\'t change "{word}"' in result.message
    assert '`at:"…"`' in result.message and '`title:"…"`' in result.message
    assert f'goes after the title: `edit 3 title:"<title>" {word}…`' in result.message


@pytest.mark.parametrize(
    ("text", "word", "meant"),
    [
        ("edit 3 regoin:emea", "regoin:", "region"),
        ('edit 3 titel:"New" text', "titel:", "title"),
        ("edit 3 tiers:gold", "tiers:", "tier"),
    ],
)
def test_edit_refuses_a_misspelt_option_instead_of_making_it_the_body(
    text: str, word: str, meant: str
) -> None:
    result = parse_admin(text)
    assert isinstance(result, CommandError), result
    assert result.message.startswith(f'"{word}" looks like a misspelt `{meant}:`, so I changed nothing.')
    assert f'goes after the title: `edit 3 title:"<title>" {word}…`' in result.message


def test_edit_with_a_bad_time_is_refused() -> None:
    result = parse_admin('edit 3 at:"tomorrow" New body')
    assert isinstance(result, CommandError) and "couldn't read the time" in result.message


# --- reschedule, drafts -------------------------------------------------------------------------------


def test_reschedule_and_drafts_parse() -> None:
    assert parse_admin('reschedule 3 at:"2026-12-24 09:00"') == Reschedule(3, datetime(2026, 12, 24, 9))
    assert parse_admin('reschedule #3 at:"2026-12-24 09:00 Asia/Tokyo"') == Reschedule(
        3, datetime(2026, 12, 24, 9), send_zone="Asia/Tokyo"
    )
    assert parse_admin('reschedule 3 at:"2026-12-24 09:00 local"') == Reschedule(
        3, datetime(2026, 12, 24, 9), send_local=True
    )
    assert parse_admin("drafts") == Drafts()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("reschedule", "Usage: `reschedule <id>"),
        ("reschedule 3", "Usage: `reschedule <id>"),
        ("reschedule 3 2026-12-24 09:00", "Usage: `reschedule <id>"),
        ('reschedule 3 title:"x"', "Usage: `reschedule <id>"),
        ('reschedule x at:"2026-12-24 09:00"', '"x" isn\'t an announcement number'),
        ('reschedule 3 at:"24/12/2026 09:00"', "ambiguous"),
        ('reschedule 3 at:"2026-12-24 09:00 Mars/Base"', '"Mars/Base" isn\'t a time zone'),
    ],
)
def test_reschedule_errors(text: str, fragment: str) -> None:
    result = parse_admin(text)
    assert isinstance(result, CommandError), result
    assert fragment in result.message


# --- examples dated from the clock ---------------------------------------------------------------------


def _examples(text: str) -> list[str]:
    return re.findall(r'at:"([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2})"', text)


@pytest.mark.parametrize(
    "now", [datetime(2026, 12, 3, 17, 0, tzinfo=UTC), datetime(2031, 2, 28, 23, 59, tzinfo=UTC)]
)
def test_examples_in_help_and_errors_are_in_the_future(now: datetime) -> None:
    clock = FakeClock(now)
    today = today_in(clock.now(), "Pacific/Kiritimati")  # UTC+14: the vendor's date runs ahead
    texts = [
        help_text("broadcast", admin=True, today=today),
        help_text("reschedule", admin=True, today=today),
        with_examples(msg.AT_FORMS, today),
    ]
    for bad in (
        'broadcast topic:x at: title:"T" b',
        'broadcast topic:x at:"soon" title:"T" b',
        "reschedule 1",
    ):
        error = parse_admin(bad, today=today)
        assert isinstance(error, CommandError), error
        texts.append(error.message)
    for text in texts:
        assert "{at_example}" not in text
        assert _examples(text), text
        for example in _examples(text):
            at = parse_at(example)
            assert isinstance(at, At), (text, at)
            assert at.wall.replace(tzinfo=ZoneInfo("Pacific/Kiritimati")) > clock.now(), text


def test_no_hard_coded_example_dates_left() -> None:
    for text in (*msg.ADMIN_ABOUT.values(), *msg.OPTION_EXAMPLES.values(), msg.AT_FORMS):
        assert "2025-" not in text and "2026-" not in text, text
    assert at_example(date(2026, 12, 31)) == '"2027-01-01 09:00"'


# --- DST -----------------------------------------------------------------------------------------------


def test_dst_shift_finds_gaps_and_overlaps() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    gap = dst_shift(datetime(2027, 3, 28, 2, 30), berlin)
    assert gap is not None and gap.gap and gap.shown == "03:00 CEST"
    assert gap.actual == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    overlap = dst_shift(datetime(2027, 10, 31, 2, 30), berlin)
    assert overlap is not None and not overlap.gap and overlap.shown == "02:30 CEST"
    assert dst_shift(datetime(2027, 3, 28, 4, 0), berlin) is None
    assert dst_shift(datetime(2027, 3, 28, 2, 30), ZoneInfo("UTC")) is None


# --- refusal codes: where an adapter places a grammar error, without reading its words -------------


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ('broadcast title:"T" Body.', Refusal(RefusalCode.MISSING, "topics")),
        ("broadcast topic:x", Refusal(RefusalCode.MISSING, "title")),
        ('broadcast topic:x title:" " Body.', Refusal(RefusalCode.MISSING, "title")),
        ('broadcast topic: title:"T" B.', Refusal(RefusalCode.MISSING, "topics")),
        ("partner set Acme tier:", Refusal(RefusalCode.MISSING, "tier")),
        ('broadcast topic:x title:"T"', Refusal(RefusalCode.MISSING, "body")),
        (f'broadcast topic:x title:"{"t" * (MAX_TITLE + 1)}" B.', Refusal(RefusalCode.TOO_LONG, "title")),
        ('broadcast topic:x title:"T" ' + "b" * (MAX_BODY + 1), Refusal(RefusalCode.TOO_LONG, "body")),
        ('broadcast topic:x ack title:"T" B.', Refusal(RefusalCode.ACK_NEEDS_URGENT, "urgent")),
        ('broadcast topic:x at:"next week" title:"T" B.', Refusal(RefusalCode.AT_INVALID, "at")),
        ('edit 3 at:"soonish"', Refusal(RefusalCode.AT_INVALID, "at")),
        ("edit 3 " + "b" * (MAX_BODY + 1), Refusal(RefusalCode.TOO_LONG, "body")),
        ("frobnicate", Refusal(RefusalCode.SYNTAX)),
        ('broadcast "unclosed', Refusal(RefusalCode.SYNTAX)),
    ],
)
def test_grammar_errors_carry_a_code_and_the_field_they_are_about(text: str, refusal: Refusal) -> None:
    result = parse_admin(text, today=date(2026, 11, 24))
    assert isinstance(result, CommandError), result
    assert result.refusal == refusal, result.message


def test_partner_grammar_errors_are_syntax_refusals() -> None:
    result = parse_partner("subscribe")
    assert isinstance(result, CommandError) and result.refusal == Refusal(RefusalCode.SYNTAX)


def test_engagement_and_quiet_parse() -> None:
    from bot.commands import Engagement, Quiet

    assert parse_admin("engagement") == Engagement()
    assert parse_admin("engagement topic:Security tier:Gold region:EMEA") == Engagement(
        "gold", "emea", "security"
    )
    assert parse_admin("quiet") == Quiet()
    for text, fragment in (
        ("engagement tier:gold,silver", "`engagement` scores one tier at a time"),
        ("engagement tier:", "`tier:` needs a value right after the colon, with no space, e.g. `tier:gold`."),
        (
            "engagement type:msp",
            'unknown option "type:" — `engagement` accepts `tier:`, `region:`, `topic:`.',
        ),
        ("engagement gold", "isn't an option — `engagement` takes only"),
        ("engagement tier:gold tier:silver", "`tier:` appears more than once"),
        ("quiet now", "Usage: `quiet`"),
    ):
        parsed = parse_admin(text)
        assert isinstance(parsed, CommandError) and fragment in parsed.message, (text, parsed)


def test_dashboard_parses_and_takes_nothing_after_it() -> None:
    assert parse_admin("dashboard") == Dashboard()
    refused = parse_admin("dashboard please")
    assert isinstance(refused, CommandError) and refused.message == "Usage: `dashboard`"
