from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.safety import ZWSP, neutralize_mentions


def test_every_mention_form_is_defused_but_readable() -> None:
    text = (
        "hi <!channel> <!here|here> <!everyone> @everyone @here <@U123|bob> <@&999> <!subteam^S1|@partners>"
    )
    safe = neutralize_mentions(text)
    assert "<!" not in safe and "<@" not in safe
    assert f"@{ZWSP}everyone" in safe and f"@{ZWSP}bob" in safe and f"@{ZWSP}partners" in safe


@given(st.text())
def test_no_output_can_ping(text: str) -> None:
    safe = neutralize_mentions(text)
    assert not re.search(r"<[!@]", safe)
    assert not re.search(r"@(everyone|here|channel)\b", safe, re.IGNORECASE)
