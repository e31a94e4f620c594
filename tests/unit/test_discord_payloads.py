"""DiscordSender builds a Part's payload once and gives each post its own copy with its own nonce."""

from __future__ import annotations

from dataclasses import replace

import discord
from discord.http import handle_message_parameters

from adapters.discord import translate as tr
from adapters.discord.sender import PAYLOADS_KEPT, DiscordSender
from adapters.discord.views import static_view
from bot.domain import AnnouncementPost, ChannelRef, Outgoing, Platform

POST = AnnouncementPost(
    delivery_id=7, announcement_id=3, title="Patch", body="Update now.", topics=("security",), urgent=False
)


def _sender() -> DiscordSender:
    return DiscordSender(discord.Client(intents=discord.Intents.none()))


async def test_each_post_gets_the_payload_discord_py_builds_with_its_own_nonce() -> None:
    sender = _sender()
    [part] = tr.render_outgoing(Outgoing(ChannelRef(Platform.DISCORD, "g", "1"), POST))
    first = sender._params(part, nonce="d7-0")
    second = sender._params(part, nonce="d8-0")
    expected = handle_message_parameters(
        embeds=list(part.embeds),
        view=static_view(part.components),
        nonce="d7-0",
        allowed_mentions=discord.AllowedMentions.none(),
    )
    assert first.payload == expected.payload
    assert second.payload == {**expected.payload, "nonce": "d8-0"}
    assert first.payload is not second.payload and not first.files
    edit = sender._params(part, nonce=None)  # an edit carries no nonce
    assert edit.payload is not None and "nonce" not in edit.payload and "enforce_nonce" not in edit.payload
    await sender._client.close()


async def test_it_keeps_the_payloads_of_a_bounded_number_of_parts() -> None:
    sender = _sender()
    for n in range(PAYLOADS_KEPT + 10):
        [part] = tr.render_outgoing(
            Outgoing(ChannelRef(Platform.DISCORD, "g", "1"), replace(POST, title=f"Patch {n}"))
        )
        sender._params(part, nonce=f"d{n}-0")
    assert len(sender._payloads) == PAYLOADS_KEPT
    await sender._client.close()
