"""`partnerbot discord …`: the invite link with exactly the permissions partnerbot uses, and a forced
application-command sync. Registered by bot/cli as the `discord` sub-command.

bot.cli is imported inside the commands, not at the top: bot.cli imports this module to register it.
discord.py is imported there too, so other `partnerbot` commands do not pay for loading it.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

import typer

if TYPE_CHECKING:
    import discord

discord_cli = typer.Typer(help="Discord: the invite link, application commands.", no_args_is_help=True)

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


@discord_cli.command("invite-url")
def invite_url_command(
    client_id: Annotated[
        int | None, typer.Option(help="The application (client) id; read from DISCORD_TOKEN if omitted.")
    ] = None,
    explain: Annotated[bool, typer.Option(help="Also list each permission and why it is needed.")] = False,
) -> None:
    """Print the OAuth2 URL that adds partnerbot to a server with the permissions its features need."""
    from bot.cli import CliError, err, load_settings

    if client_id is None:
        token = load_settings().discord_token
        client_id = client_id_from_token(token) if token else None
        if client_id is None:
            raise CliError(
                "give --client-id (Developer Portal → General Information) or set DISCORD_TOKEN", 2
            )
    typer.echo(invite_url(client_id))
    if explain:
        err.print(f"permissions {invite_permissions().value}:")
        for name, why in NEEDED.items():
            err.print(f"  • {name.replace('_', ' ')}: {why}")


@discord_cli.command("sync-commands")
def sync_commands_command() -> None:
    """Push the application commands to Discord now, changed or not (start-up syncs only changes)."""
    import discord

    from adapters.discord.client import build_discord_adapter
    from bot.app import build_app
    from bot.cli import CliError, load_settings, out, run_async

    settings = load_settings()
    if not settings.discord_token:
        raise CliError("DISCORD_TOKEN is not set, so there is nothing to sync (see .env.example)", 2)

    async def work() -> list[str]:
        app = await build_app(settings)
        try:
            return await build_discord_adapter(app).sync_commands(force=True)
        except discord.LoginFailure as exc:
            raise CliError(f"Discord refused the token: {exc}. Check DISCORD_TOKEN.", 2) from exc
        except discord.HTTPException as exc:
            raise CliError(f"Discord refused the sync: {exc}") from exc
        finally:
            await app.close()

    synced = run_async(work)
    out.print(f"Synced application commands: {', '.join(synced) or 'nothing to sync'}")
