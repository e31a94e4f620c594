"""The whole loop on a real database (SQLite and PostgreSQL) through the local adapter."""

from __future__ import annotations

from tests.harness import Harness


async def test_broadcast_reaches_exactly_the_matching_channels(harness: Harness) -> None:
    await harness.admin('topic add security "Security advisories"')
    await harness.admin('topic add pricing "Pricing"')
    await harness.join("acme", "Acme", tier="gold")
    await harness.join("birch", "Birch", tier="silver")
    await harness.join("cedar", "Cedar", tier="gold")
    await harness.subscribe("acme", "security")
    await harness.subscribe("birch", "security")
    await harness.subscribe("cedar", "pricing")

    preview = await harness.admin('broadcast topic:security tier:gold title:"Patch" Patch now.')
    assert "1 channel of 1 partner" in preview.text
    sent = await harness.admin("send 1")
    assert not sent.is_error, sent.text
    await harness.deliver()

    assert [len(harness.posts(c)) for c in ("acme", "birch", "cedar")] == [1, 0, 0]
    assert "Patch now." in harness.posts("acme")[0].text
    # Sending again is refused, and re-running the worker posts nothing new.
    again = await harness.admin("send 1")
    assert again.is_error
    assert "sending" in again.text or "sent" in again.text
    await harness.deliver()
    assert len(harness.posts("acme")) == 1
