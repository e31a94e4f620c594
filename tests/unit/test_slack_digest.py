"""Slack rendering of a digest: Block Kit while it fits, one text beyond that, refused rather than cut."""

from __future__ import annotations

import pytest

from adapters.slack.translate import DIGEST_EVENT, MessageTooLong, digest_message
from bot.domain import DigestItem, DigestPost


def _digest(items: int, body: str = "Update **now**.") -> DigestPost:
    return DigestPost(
        digest_id=7,
        period_label="Daily digest · Wednesday 25 November 2026",
        items=tuple(DigestItem(i, f"Title {i}", body, ("security",)) for i in range(1, items + 1)),
    )


def test_small_digest_is_block_kit_with_metadata() -> None:
    message = digest_message(_digest(2), key="g7")
    assert message["metadata"] == {"event_type": DIGEST_EVENT, "event_payload": {"key": "g7", "digest_id": 7}}
    text = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    assert "2 announcements" in text and "*Title 2*" in text and "Update *now*." in text


def test_many_items_fall_back_to_one_text_with_everything() -> None:
    message = digest_message(_digest(20), key="g7")
    assert "blocks" not in message
    assert all(f"*Title {i}*" in message["text"] for i in range(1, 21))


def test_a_digest_beyond_slacks_text_limit_is_refused_not_truncated() -> None:
    with pytest.raises(MessageTooLong):
        digest_message(_digest(20, body="x" * 2_500), key="g7")
