"""The grammar of saved audiences and test sends: `audience save|list|show|delete`, `broadcast
audience:<name>`, `test <id>` — typed commands or friendly errors, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.commands import (
    AudienceDelete,
    AudienceList,
    AudienceSave,
    AudienceShow,
    Broadcast,
    CommandError,
    SendTest,
)
from bot.domain import Audience, RefusalCode
from bot.grammar import parse_admin
from bot.lexer import MAX_ID, SLUG
from tests.unit.test_commands import any_text

PROPERTY = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("audience list", AudienceList()),
        ("AUDIENCE List", AudienceList()),
        ("audience show emea-gold", AudienceShow("emea-gold")),
        ("audience show EMEA-Gold", AudienceShow("emea-gold")),
        ("audience delete emea-gold", AudienceDelete("emea-gold")),
        (
            "audience save emea-gold tier:gold region:emea",
            AudienceSave("emea-gold", Audience(tiers=frozenset({"gold"}), regions=frozenset({"emea"}))),
        ),
        (
            "audience save q3 tier:Gold,platinum type:msp language:de topic:pricing,security",
            AudienceSave(
                "q3",
                Audience(
                    tiers=frozenset({"gold", "platinum"}),
                    types=frozenset({"msp"}),
                    languages=frozenset({"de"}),
                ),
                ("pricing", "security"),
            ),
        ),
        ("audience save sec topic:security", AudienceSave("sec", Audience(), ("security",))),
        ("test 42", SendTest(42)),
        ("test #7", SendTest(7)),
    ],
)
def test_forms(text: str, expected: object) -> None:
    assert parse_admin(text) == expected


def test_broadcast_to_a_saved_audience() -> None:
    parsed = parse_admin('broadcast audience:EMEA-gold title:"Patch" Body text.')
    assert isinstance(parsed, Broadcast)
    assert parsed.saved_audience == "emea-gold" and parsed.topics == () and parsed.audience.is_everyone()
    with_topic = parse_admin('broadcast topic:security audience:emea-gold urgent title:"Patch" Body.')
    assert isinstance(with_topic, Broadcast)
    assert with_topic.topics == ("security",) and with_topic.urgent
    # After the title, `audience:` is body text like every other option.
    body = parse_admin('broadcast topic:security title:"Patch" audience:emea-gold is the body.')
    assert isinstance(body, Broadcast) and body.saved_audience is None and body.body.startswith("audience:")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('broadcast audience:emea-gold tier:gold title:"X" Body.', "so `tier:` can't go beside it"),
        (
            'broadcast region:emea audience:emea-gold language:en title:"X" Body.',
            "so `region:`, `language:` can't go beside it",
        ),
        ('broadcast audience:"EMEA gold" title:"X" Body.', "can't be an audience name"),
        ('broadcast audience: title:"X" Body.', "`audience:` needs a value"),
        ('broadcast title:"X" Body.', "Say which topics"),
        ("audience", "Usage: `audience save <name>"),
        ("audience sav x tier:gold", 'unknown `audience` action "sav" — did you mean "save"?'),
        ("audience list all", "Usage: `audience list`"),
        ("audience show", "Usage: `audience show <name>`"),
        ("audience show a b", "Usage: `audience show <name>`"),
        ("audience delete", "Usage: `audience delete <name>`"),
        ("audience save", "Usage: `audience save <name>"),
        ("audience save emea-gold", "at least one filter"),
        ("audience save tier:gold", "can't be an audience name"),
        ('audience save "Emea Gold" tier:gold', "can't be an audience name"),
        ("audience save x" + "y" * 40 + " tier:gold", "can't be an audience name"),
        ("audience save g tier:gold gold", "isn't an option"),
        ("audience save g tier:gold tier:silver", "`tier:` appears more than once"),
        ("audience save g at:tomorrow", 'unknown option "at:"'),
        ("audience save g tier:", "`tier:` needs a value"),
        ("audience save g topic:Not_a_slug", "isn't a valid topic name"),
        ("test", "Usage: `test <id>`"),
        ("test abc", "isn't an announcement number"),
        ("test 1 2", "Usage: `test <id>`"),
    ],
)
def test_errors(text: str, fragment: str) -> None:
    parsed = parse_admin(text)
    assert isinstance(parsed, CommandError), parsed
    assert fragment in parsed.message, parsed.message


def test_the_conflict_and_the_bad_name_point_at_the_audience_field() -> None:
    for text in ('broadcast audience:g tier:gold title:"X" B.', 'broadcast audience:"a b" title:"X" B.'):
        parsed = parse_admin(text)
        assert isinstance(parsed, CommandError)
        assert parsed.refusal.code is RefusalCode.SYNTAX and parsed.refusal.field == "audience"


def test_help_names_the_new_commands() -> None:
    assert "`audience save <name>" in msg.ADMIN_HELP and "`test <id>`" in msg.ADMIN_HELP
    assert "[audience:<name>]" in msg.ADMIN_USAGE["broadcast"]


@PROPERTY
@given(any_text)
def test_never_raises(text: str) -> None:
    for prefix in ("audience ", "audience save ", "audience save g ", "test ", "broadcast audience:g "):
        parsed = parse_admin(prefix + text)
        assert not isinstance(parsed, CommandError) or parsed.message.strip()


names = st.from_regex(SLUG, fullmatch=True)
values = st.lists(
    st.sampled_from(["gold", "silver", "platinum", "emea", "na", "msp"]), min_size=1, max_size=3
)


@PROPERTY
@given(names, st.sampled_from(["tier", "type", "region", "language"]), values, st.booleans())
def test_save_round_trips(name: str, key: str, picked: list[str], upper: bool) -> None:
    written = ",".join(v.upper() if upper else v for v in picked)
    parsed = parse_admin(f"audience save {name.upper() if upper else name} {key}:{written}")
    assert parsed == AudienceSave(name, Audience.of({key: picked}))


@PROPERTY
@given(st.integers(1, MAX_ID), st.booleans())
def test_test_ids_round_trip(number: int, hashed: bool) -> None:
    assert parse_admin(f"test {'#' if hashed else ''}{number}") == SendTest(number)
