"""`partnerbot discord …`: the invite link with exactly the permissions partnerbot uses, and a forced
application-command sync. Registered by bot/cli as the `discord` sub-command; the Discord adapter
(adapters/discord) knows nothing of the CLI.

The rest of bot.cli is imported inside the commands, not at the top: bot.cli imports this module to
register it. discord.py is imported there too, so other `partnerbot` commands do not pay for loading it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.discord.invite import NEEDED, client_id_from_token, invite_permissions, invite_url

discord_cli = typer.Typer(help="Discord: the invite link, application commands.", no_args_is_help=True)


@discord_cli.command("invite-url")
def invite_url_command(
    client_id: Annotated[
        int | None, typer.Option(help="The application (client) id; read from DISCORD_TOKEN if omitted.")
    ] = None,
    explain: Annotated[bool, typer.Option(help="Also list each permission and why it is needed.")] = False,
) -> None:
    """Print the OAuth2 URL that adds partnerbot to a server with the permissions its features need."""
    from bot.cli import CliError, err, load_settings

    portal = "Developer Portal → General Information → Application ID"
    # A snowflake is a positive 64-bit integer: 0, -5 or a 25-digit number would make a dead link.
    if client_id is not None and not 0 < client_id < 2**64:
        raise CliError(f"--client-id {client_id} is not an application id: copy it from the {portal}", 2)
    if client_id is None:
        token = load_settings().discord_token
        if not token:
            raise CliError(f"give --client-id ({portal}) or set DISCORD_TOKEN", 2)
        client_id = client_id_from_token(token)
        if client_id is None:  # set, but not a bot token: saying "set DISCORD_TOKEN" would mislead
            raise CliError(
                f"DISCORD_TOKEN does not start with an application id, so give --client-id ({portal})", 2
            )
    typer.echo(invite_url(client_id))
    if explain:
        err.print(f"permissions {invite_permissions().value}:")
        for name, why in NEEDED.items():
            err.print(f"  • {name.replace('_', ' ')}: {why}")


@discord_cli.command("sync-commands")
def sync_commands_command() -> None:
    """Push the application commands to Discord now, changed or not (start-up syncs only changes)."""
    from adapters.discord.client import SyncRefused
    from bot.app import build_app, discord_adapter
    from bot.cli import CliError, load_settings, out, run_async

    settings = load_settings()
    if not settings.discord_token:
        raise CliError("DISCORD_TOKEN is not set, so there is nothing to sync (see .env.example)", 2)

    async def work() -> list[str]:
        app = await build_app(settings)
        try:
            return await discord_adapter(app).sync_commands(force=True)
        except SyncRefused as exc:
            if exc.token:
                raise CliError(f"Discord refused the token: {exc}. Check DISCORD_TOKEN.", 2) from exc
            raise CliError(f"Discord refused the sync: {exc}") from exc
        finally:
            await app.close()

    synced = run_async(work)
    out.print(f"Synced application commands: {', '.join(synced) or 'nothing to sync'}")
