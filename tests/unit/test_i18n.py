"""Plural forms are chosen by count (bot/i18n.py), never written as "channel(s)"."""

from __future__ import annotations

import pytest

from bot.i18n import Plural, ngettext

CHANNELS = Plural("{n} channel", "{n} channels")


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 channels"), (1, "1 channel"), (2, "2 channels"), (1000, "1,000 channels")]
)
def test_a_plural_picks_its_form_by_count(count: int, expected: str) -> None:
    assert CHANNELS(count) == expected


def test_other_values_fill_the_chosen_form() -> None:
    copies = Plural("{n} copy of #{id}", "{n} copies of #{id}")
    assert copies(1, id=7) == "1 copy of #7"
    assert copies(3, id=7) == "3 copies of #7"


def test_ngettext_is_gettexts_rule_for_english() -> None:
    assert ngettext("delivery", "deliveries", 1) == "delivery"
    assert ngettext("delivery", "deliveries", 0) == "deliveries"
