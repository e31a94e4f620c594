"""The invite link with exactly the permissions partnerbot uses (`partnerbot discord invite-url`, in
bot/cli/discord.py). discord.py is imported inside the functions, so the CLI does not pay for loading
it until a Discord command runs."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    import discord

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
SCOPES = ("bot", "applications.commands")
# Each permission partnerbot's features need, and why; nothing else (no Administrator, no Manage
# Messages, no Mention Everyone — every post is sent with allowed_mentions empty anyway).
NEEDED: dict[str, str] = {
    "view_channel": "see the partner channels it is used in and receive their events",
    "send_messages": "post announcements, digests and answers",
    "embed_links": "announcements are embeds, which Discord hides without it",
    "read_message_history": "after a timeout, find the message an earlier attempt posted (no duplicates)",
    "create_public_threads": "open the thread under an announcement for the answer to a question",
    "send_messages_in_threads": "post answers into that thread, and questions into admin threads",
}
# Not needed: add_reactions (partnerbot only reads reactions; that is the GUILD_MESSAGE_REACTIONS
# intent), use_application_commands (a member permission, not the bot's).


def invite_permissions() -> discord.Permissions:
    import discord

    return discord.Permissions(**dict.fromkeys(NEEDED, True))


def invite_url(client_id: int) -> str:
    query = {
        "client_id": str(client_id),
        "scope": " ".join(SCOPES),
        "permissions": str(invite_permissions().value),
        "integration_type": "0",  # installed to a server, not to a user
    }
    return f"{AUTHORIZE_URL}?{urlencode(query)}"


def client_id_from_token(token: str) -> int | None:
    """A bot token starts with the bot's user id in base64; for applications created since 2020 that
    is also the application (client) id. https://discord.com/developers/docs/reference#authentication"""
    head = token.strip().split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(decoded) if decoded.isdigit() else None
