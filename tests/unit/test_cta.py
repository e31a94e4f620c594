"""Calls to action in the core: the rules (bot/domain/cta.py), the grammar's `cta:"Label|URL"`, the
preview and stats as the presenter words them, and the signed redirect tokens (bot/services/cta.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.commands import Broadcast, CommandError
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    ChannelRef,
    Platform,
    Priority,
    Reach,
    RefusalCode,
    UserRef,
)
from bot.domain.analytics import AnnouncementStats
from bot.domain.cta import (
    MAX_CTA_LABEL,
    MAX_CTA_URL,
    CallToAction,
    CtaClicks,
    CtaProblem,
    CtaRefused,
    check_ctas,
    is_web_url,
    parse_cta,
    parse_ctas,
)
from bot.grammar import help_text, parse_admin
from bot.presenter import present
from bot.results import Previewed, StatsShown
from bot.services.cta import CtaLinks, CtaTarget, buttons

PROPERTY = settings(max_examples=300, deadline=None)
WEBINAR = "https://example.com/webinar"


# --- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (f"Register now|{WEBINAR}", CallToAction("Register now", WEBINAR)),
        (f"  Register   now |  {WEBINAR}  ", CallToAction("Register now", WEBINAR)),
        (
            "Docs|http://docs.example.com:8080/a?b=c#d",
            CallToAction("Docs", "http://docs.example.com:8080/a?b=c#d"),
        ),
        (
            "A|https://example.com/x|y",
            CallToAction("A", "https://example.com/x|y"),
        ),  # the first `|` ends the label
    ],
)
def test_a_cta_is_a_label_and_a_web_address(written: str, expected: CallToAction) -> None:
    assert parse_cta(written) == expected


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("Register now", CtaProblem.FORM),
        (f"|{WEBINAR}", CtaProblem.LABEL),
        (f"   |{WEBINAR}", CtaProblem.LABEL),
        ("x" * (MAX_CTA_LABEL + 1) + f"|{WEBINAR}", CtaProblem.LABEL),
        ("Go|", CtaProblem.URL),
        ("Go|example.com", CtaProblem.URL),
        ("Go|ftp://example.com/file", CtaProblem.URL),
        ("Go|javascript:alert(1)", CtaProblem.URL),
        ("Go|https://", CtaProblem.URL),
        ("Go|https:///path-only", CtaProblem.URL),
        ("Go|https://exa mple.com", CtaProblem.URL),
        ("Go|https://example.com:port/", CtaProblem.URL),
        ("Go|https://example.com/\x00", CtaProblem.URL),
        ("Go|https://example.com/" + "a" * MAX_CTA_URL, CtaProblem.URL_TOO_LONG),
    ],
)
def test_what_a_cta_may_not_be(written: str, problem: CtaProblem) -> None:
    refused = parse_cta(written)
    assert isinstance(refused, CtaRefused) and refused.problem is problem


def test_the_longest_label_and_url_pass() -> None:
    url = "https://example.com/" + "a" * (MAX_CTA_URL - len("https://example.com/"))
    assert parse_cta("x" * MAX_CTA_LABEL + "|" + url) == CallToAction("x" * MAX_CTA_LABEL, url)


def test_up_to_three_in_order() -> None:
    three = [f"{n}|https://example.com/{n}" for n in ("One", "Two", "Three")]
    assert [c.label for c in parse_ctas(three)] == ["One", "Two", "Three"]  # type: ignore[union-attr]
    assert parse_ctas([*three, "Four|https://example.com/4"]) == CtaRefused(CtaProblem.TOO_MANY)


def test_structured_input_meets_the_same_rules() -> None:
    assert check_ctas([CallToAction(" Go  now ", WEBINAR)]) == (CallToAction("Go now", WEBINAR),)
    assert isinstance(check_ctas([CallToAction("A|B", WEBINAR)]), CtaRefused)
    assert isinstance(check_ctas([CallToAction("Go", "mailto:x@example.com")]), CtaRefused)


@given(st.text(max_size=200))
@PROPERTY
def test_is_web_url_never_raises_and_accepts_only_http(text: str) -> None:
    if is_web_url(text):
        assert text.lower().startswith(("http://", "https://"))


# --- the grammar ------------------------------------------------------------------------------------


def test_cta_options_come_before_the_title_in_the_order_written() -> None:
    result = parse_admin(
        f'broadcast topic:events cta:"Register now|{WEBINAR}" urgent cta:"Agenda|https://example.com/a" '
        'title:"Webinar" Join us.'
    )
    assert isinstance(result, Broadcast), result
    assert result.ctas == (
        CallToAction("Register now", WEBINAR),
        CallToAction("Agenda", "https://example.com/a"),
    )
    assert result.urgent and result.body == "Join us."


def test_a_cta_after_the_title_is_body() -> None:
    result = parse_admin(f'broadcast topic:events title:"Webinar" cta:"Go|{WEBINAR}" is the syntax.')
    assert isinstance(result, Broadcast) and result.ctas == ()
    assert result.body == f'cta:"Go|{WEBINAR}" is the syntax.'


@pytest.mark.parametrize(
    ("ctas", "code", "words"),
    [
        ('cta:"Register now"', RefusalCode.CTA_FORM, "has no `|`"),
        (f'cta:"|{WEBINAR}"', RefusalCode.CTA_LABEL, "1 to 75 characters"),
        ('cta:"Go|www.example.com"', RefusalCode.CTA_URL, "`www.example.com` is not a web address"),
        ('cta:"Go|https://example.com/' + "a" * MAX_CTA_URL + '"', RefusalCode.TOO_LONG, "the limit is 1900"),
        (
            " ".join([f'cta:"{n}|{WEBINAR}"' for n in "ABCD"]),
            RefusalCode.CTA_TOO_MANY,
            "up to 3 calls to action",
        ),
        ('cta:""', RefusalCode.MISSING, "`cta:` needs a label and an address"),
    ],
)
def test_a_wrong_cta_is_refused_with_the_form_to_use(ctas: str, code: RefusalCode, words: str) -> None:
    result = parse_admin(f'broadcast topic:events {ctas} title:"Webinar" Join us.')
    assert isinstance(result, CommandError), result
    assert result.refusal.code is code and result.refusal.field == "cta"
    assert words in result.message


def test_edit_keeps_the_ctas_and_says_it_cannot_change_them() -> None:
    result = parse_admin(f'edit 3 cta:"Go|{WEBINAR}" New text.')
    assert isinstance(result, CommandError) and "can't change" in result.message


def test_the_help_names_cta() -> None:
    assert 'cta:"<label>|<https://…>"' in help_text(admin=True)
    assert "Register now|https://example.com/webinar" in help_text("broadcast", admin=True)


_LABEL = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters='|"\\'), min_size=1, max_size=40
)


@given(
    st.lists(st.tuples(_LABEL, st.from_regex(r"[a-z]{1,12}(/[a-z0-9]{0,10})?", fullmatch=True)), max_size=3)
)
@PROPERTY
def test_written_ctas_come_back_as_written(pairs: list[tuple[str, str]]) -> None:
    """Every CTA written (quoted) before the title is parsed back, label tidied, URL as written."""
    written = [(label, f"https://{host}.example.com") for label, host in pairs]
    options = " ".join(f'cta:"{label}|{url}"' for label, url in written)
    result = parse_admin(f'broadcast topic:events {options} title:"T" Body.')
    if any(not " ".join(label.split()) for label, _ in written):
        assert isinstance(result, CommandError)
        return
    assert isinstance(result, Broadcast), result
    assert result.ctas == tuple(CallToAction(" ".join(label.split()), url) for label, url in written)
    assert result.body == "Body."


# --- the presenter -----------------------------------------------------------------------------------


def _announcement(ctas: tuple[CallToAction, ...]) -> Announcement:
    return Announcement(
        id=4,
        title="Webinar",
        body="Join us.",
        topics=("events",),
        audience=Audience(),
        priority=Priority.NORMAL,
        status=AnnouncementStatus.DRAFT,
        author=UserRef(Platform.SLACK, "T1", "U1"),
        origin=ChannelRef(Platform.SLACK, "T1", "C1"),
        created_at=datetime(2026, 12, 4, tzinfo=UTC),
        ctas=ctas,
    )


def test_the_preview_lists_the_buttons_and_the_draft_carries_them() -> None:
    ctas = (CallToAction("Register now", WEBINAR), CallToAction("Agenda", "https://example.com/a"))
    reach = Reach(
        channels=2, partners=2, by_platform={"slack": 2}, by_tier={"gold": 2}, by_region={"emea": 2}
    )
    reply = present(Previewed(_announcement(ctas), reach, ()))
    assert (
        f"{msg.CTA_PREVIEW_HEADER}\n• **Register now** → {WEBINAR}\n• **Agenda** → https://example.com/a"
        in reply.text
    )
    assert reply.draft is not None and reply.draft.ctas == ctas
    assert msg.CTA_PREVIEW_HEADER in reply.draft.summary
    plain = present(Previewed(_announcement(()), reach, ()))
    assert msg.CTA_PREVIEW_HEADER not in plain.text


def test_stats_show_clicks_per_cta_with_real_plurals() -> None:
    stats = AnnouncementStats(
        announcement_id=4,
        title="Webinar",
        status=AnnouncementStatus.SENT,
        targeted=3,
        delivered=3,
        failed=0,
        pending=0,
        in_digest=0,
        reactions={},
        questions_asked=0,
        questions_answered=0,
        reach_by_tier={"gold": 2, "silver": 1},
        reach_by_region={"emea": 3},
        failures_by_reason={},
        ctas=(
            CtaClicks(1, "Register now", WEBINAR, 3, {"gold": 2, "silver": 1}, {"emea": 3}),
            CtaClicks(2, "Agenda", "https://example.com/a", 1, {"gold": 1}, {"emea": 1}),
            CtaClicks(3, "FAQ", "https://example.com/f", 0, {}, {}),
        ),
    )
    text = present(StatsShown(stats)).text
    assert "**Register now**: 3 clicks (by tier: gold 2, silver 1; by region: emea 3)" in text
    assert "**Agenda**: 1 click (by tier: gold 1; by region: emea 1)" in text
    assert "**FAQ**: 0 clicks\n" in text + "\n"


# --- redirect tokens -------------------------------------------------------------------------------


def test_a_token_names_its_target_and_nothing_else_reads() -> None:
    links = CtaLinks("https://pb.example.com/", [b"k" * 32])
    target = CtaTarget(announcement_id=12, number=2, delivery_id=345)
    link = links.link(target)
    assert link.startswith("https://pb.example.com/r/12.2.345.") and len(link) < 100
    token = link.rsplit("/", 1)[1]
    assert links.read(token) == target
    a, n, d, signature = token.split(".")
    for forged in (
        f"{a}.1.{d}.{signature}",
        f"13.{n}.{d}.{signature}",
        f"{a}.{n}.346.{signature}",
        f"{a}.{n}.{d}.{signature[:-1]}A" if signature[-1] != "A" else f"{a}.{n}.{d}.{signature[:-1]}B",
        token + ".",
        "",
        "0.1.1." + signature,
    ):
        assert links.read(forged) is None, forged
    assert CtaLinks("https://pb.example.com", [b"other" * 8]).read(token) is None


def test_a_rotated_key_still_reads_old_links_and_signs_with_the_new() -> None:
    old, new = b"o" * 32, b"n" * 32
    token = CtaLinks("https://pb", [old]).token(CtaTarget(1, 1, 1))
    rotated = CtaLinks("https://pb", [new, old])
    assert rotated.read(token) == CtaTarget(1, 1, 1)
    assert rotated.token(CtaTarget(1, 1, 1)) != token


@given(st.text(max_size=120))
@PROPERTY
def test_reading_any_text_never_raises(text: str) -> None:
    assert CtaLinks("https://pb", [b"k" * 32]).read(text) is None


def test_buttons_carry_a_link_only_when_links_are_on() -> None:
    ctas = (CallToAction("Go", WEBINAR),)
    assert buttons(ctas, announcement_id=1, delivery_id=9, links=None)[0].href == WEBINAR
    linked = buttons(ctas, announcement_id=1, delivery_id=9, links=CtaLinks("https://pb", [b"k" * 32]))
    assert linked[0].number == 1 and linked[0].href.startswith("https://pb/r/1.1.9.")
    with pytest.raises(ValueError):
        CtaLinks("https://pb", [])
