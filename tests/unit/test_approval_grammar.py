"""The grammar of approval before send: `approve <id>`, `reject <id> <comment>` and
`topic require-approval <slug> [off]`; the parser never raises, and a comment is kept as written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.commands import MAX_COMMENT, Approve, CommandError, Reject, TopicApproval
from bot.grammar import help_text, parse_admin

PROPERTY = settings(max_examples=300, deadline=None)


def test_approve_and_reject_parse() -> None:
    assert parse_admin("approve 42") == Approve(42)
    assert parse_admin("APPROVE  7 ") == Approve(7)
    assert parse_admin("reject 42 Name the regions.") == Reject(42, "Name the regions.")
    assert parse_admin('reject 42 "Name the regions."') == Reject(42, "Name the regions.")
    # Quotes that are part of the comment stay: only one quoted phrase standing alone loses them.
    assert parse_admin('reject 42 "Q3" is wrong') == Reject(42, '"Q3" is wrong')
    assert parse_admin("reject 3 don't send yet") == Reject(3, "don't send yet")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("approve", msg.USAGE.format(usage=msg.ADMIN_USAGE["approve"])),
        ("approve 1 2", msg.USAGE.format(usage=msg.ADMIN_USAGE["approve"])),
        ("reject", msg.USAGE.format(usage=msg.ADMIN_USAGE["reject"])),
        ("reject 5", msg.USAGE.format(usage=msg.ADMIN_USAGE["reject"])),
        ('reject 5 ""', msg.USAGE.format(usage=msg.ADMIN_USAGE["reject"])),
        ("topic require-approval", msg.USAGE.format(usage=msg.TOPIC_APPROVAL_USAGE)),
        ("topic require-approval security on", msg.USAGE.format(usage=msg.TOPIC_APPROVAL_USAGE)),
        ("topic require-approval a b c", msg.USAGE.format(usage=msg.TOPIC_APPROVAL_USAGE)),
    ],
)
def test_incomplete_commands_get_their_usage(text: str, expected: str) -> None:
    result = parse_admin(text)
    assert isinstance(result, CommandError) and result.message == expected


def test_refusals_name_the_problem() -> None:
    bad_id = parse_admin("approve x7")
    assert isinstance(bad_id, CommandError) and bad_id.message.startswith(
        '"x7" isn\'t an announcement number'
    )
    bad_reject = parse_admin("reject seven Fix it")
    assert isinstance(bad_reject, CommandError) and msg.REJECT_EXAMPLE in bad_reject.message
    long = parse_admin("reject 1 " + "x" * (MAX_COMMENT + 1))
    assert isinstance(long, CommandError)
    assert long.message == msg.VALUE_TOO_LONG.format(what=msg.COMMENT_WHAT, max=MAX_COMMENT)
    unclosed = parse_admin('reject 1 "Fix the date')
    assert isinstance(unclosed, CommandError) and "closing quote" in unclosed.message
    bad_slug = parse_admin("topic require-approval Sec_urity")
    assert isinstance(bad_slug, CommandError) and "isn't a valid topic name" in bad_slug.message
    misspelt = parse_admin("topic require-aproval security")
    assert isinstance(misspelt, CommandError) and 'did you mean "require-approval"' in misspelt.message


def test_topic_require_approval_and_off() -> None:
    assert parse_admin("topic require-approval security") == TopicApproval("security")
    assert parse_admin("topic require-approval Security OFF") == TopicApproval("security", required=False)


def test_help_lists_the_commands() -> None:
    assert "`approve <id>`" in help_text(admin=True) and "`topic require-approval" in help_text(admin=True)
    assert help_text("reject", admin=True).startswith(msg.ADMIN_USAGE["reject"])
    assert "approval" in help_text("send", admin=True)


@PROPERTY
@given(st.integers(min_value=1, max_value=10**12), st.text(max_size=300))
def test_a_comment_is_kept_as_written_and_parsing_never_raises(number: int, comment: str) -> None:
    result = parse_admin(f"reject {number} {comment}")
    if isinstance(result, Reject):
        assert result.announcement_id == number
        assert 0 < len(result.comment) <= MAX_COMMENT and result.comment == result.comment.strip()
        # Every character written is kept, but for the quotes around one quoted phrase.
        assert result.comment in comment
    else:
        assert isinstance(result, CommandError) and result.message


@PROPERTY
@given(st.text(max_size=200))
def test_approval_commands_never_raise(rest: str) -> None:
    for verb in ("approve", "reject", "topic require-approval"):
        result = parse_admin(f"{verb} {rest}")
        assert isinstance(result, Approve | Reject | TopicApproval | CommandError), result
