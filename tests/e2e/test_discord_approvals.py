"""Approval before send on Discord (issue 19), against the fake Discord: Send on a preview answers
with the approval request (Approve / Request changes) in the admin channel; the author cannot approve;
a member who is not an admin is refused (and audited); an admin by role approves and it goes out;
Request changes opens a modal; an edit after the request voids it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot import messages as m
from storage.tables import AuditRow
from tests.e2e.discord_world import DiscordWorld, discord_world, eventually
from tests.fakes.discord import Interaction, Member, Message
from tests.fakes.discord_rest import walk_components


@asynccontextmanager
async def approving(database_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(database_url, partners=("acme",), settings={"approval": "broadcasts"}) as w:
        await w.add_topic("security", "Security advisories")
        await w.link(w.acme, tier="gold")
        await w.subscribe(w.acme, "security")
        yield w


def custom_ids(message: Message) -> list[str]:
    return [c["custom_id"] for c in walk_components(message.components) if "custom_id" in c]


def press(world: DiscordWorld, message: Message, custom_id: str, user: Member) -> Interaction:
    return world.fake.push_component(message.id, custom_id, user_id=user.user.id)


async def requested(world: DiscordWorld, title: str = "Gateway patch") -> tuple[int, Message]:
    """alice's preview, Send pressed: the approval request that answers it."""
    options = {"topics": "security", "title": title, "body": "Patch by Friday."}
    interaction = world.fake.push_slash_command(
        "partner-admin broadcast", options, channel_id=world.admin_channel.id, user_id=world.admin.user.id
    )
    await world.answer(interaction)
    draft = world.fake.messages[interaction.original_message_id or 0]
    aid = int(custom_ids(draft)[0].rsplit(":", 1)[1])
    (request,) = await world.followups(press(world, draft, f"pb:announcement_send:{aid}", world.admin), 1)
    return aid, request


async def private_answer(world: DiscordWorld, interaction: Interaction) -> str:
    answer: dict[str, Any] = await world.answer(interaction)
    return str(answer.get("content", ""))


async def test_author_cannot_approve_non_admin_refused_role_admin_sends(database_url: str) -> None:
    async with approving(database_url) as world:
        aid, request = await requested(world)
        assert "awaits approval" in request.content and not request.ephemeral
        approve, reject = f"pb:announcement_approve:{aid}", f"pb:announcement_reject:{aid}"
        assert custom_ids(request) == [approve, reject]
        assert world.bot_posts(world.acme.channel) == []

        own = await world.followups(press(world, request, approve, world.admin), 1)
        assert own[0].ephemeral and own[0].content.startswith(f"You asked for announcement #{aid} yourself")
        refused = await world.followups(press(world, request, approve, world.staff), 1)
        assert refused[0].ephemeral and "Only configured partnerbot admins" in refused[0].content

        async def audited() -> bool:
            async with world.app.engine.connect() as conn:
                rows = (await conn.execute(AuditRow.__table__.select())).mappings().all()
            return any(
                r["user_id"] == str(world.staff.user.id)
                and not r["allowed"]
                and f"approve {aid}" in r["detail"]
                for r in rows
            )

        await eventually(audited)
        assert world.bot_posts(world.acme.channel) == []

        (approved,) = await world.followups(press(world, request, approve, world.role_admin), 1)
        assert f"approved announcement #{aid}" in approved.content and not approved.ephemeral
        await world.fake.wait_for(lambda: request.components == [])
        await world.wait_posts(world.acme.channel)
        await world.delivered(aid, 1)


async def test_request_changes_modal_and_an_edit_voids_the_request(database_url: str) -> None:
    async with approving(database_url) as world:
        aid, request = await requested(world)
        pressed = press(world, request, f"pb:announcement_reject:{aid}", world.role_admin)
        modal = await world.fake.interaction_response(pressed.id)
        assert modal["type"] == 9 and modal["data"]["title"] == m.REJECT_FORM_TITLE
        submit = world.fake.push_modal_submit(pressed.id, {"comment": "Say which versions."})
        (decision,) = await world.followups(submit, 1)
        assert "Say which versions." in decision.content and not decision.ephemeral
        await world.fake.wait_for(lambda: request.components == [])

        # Sent again, then edited before anyone approves: that request no longer stands.
        resend = world.fake.push_slash_command(
            "partner-admin send",
            {"announcement": aid},
            channel_id=world.admin_channel.id,
            user_id=world.admin.user.id,
        )
        assert "awaits approval" in str(await world.answer(resend))
        again = world.fake.messages[resend.original_message_id or 0]
        edit = {"announcement": aid, "title": "Gateway patch 2"}
        await world.slash("partner-admin edit", edit, channel=world.admin_channel, user=world.admin)
        approve = press(world, again, f"pb:announcement_approve:{aid}", world.role_admin)
        (stale,) = await world.followups(approve, 1)
        assert stale.ephemeral and stale.content == m.APPROVAL_STALE.format(id=aid)
        announcement = await world.app.stores.announcements.get(aid)
        assert announcement is not None and announcement.status.value == "draft"
