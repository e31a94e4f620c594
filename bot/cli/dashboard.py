"""`partnerbot dashboard`: serve the web dashboard alone; `partnerbot dashboard link`: a one-time
sign-in link for it (README "Dashboard")."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.app import App, dashboard_access
from bot.cli import CliError, _log_to_stderr, err, load_settings, run_async, warn, with_app
from bot.domain.refs import Platform, UserRef

dashboard_cli = typer.Typer(
    help="The web dashboard: `partnerbot dashboard` serves it alone, `dashboard link` signs you in.",
    invoke_without_command=True,
)

# Who a link is for when no --admin is given: whoever runs the CLI on the server.
OPERATOR = UserRef(Platform.LOCAL, "", "operator", "operator (command line)")
SIGN_IN_PATH = "/dashboard/signin/link"


@dashboard_cli.callback()
def serve(ctx: typer.Context) -> None:
    """Serve the dashboard at PARTNERBOT_HTTP_HOST:PARTNERBOT_HTTP_PORT/dashboard/ (no chat adapters,
    no worker), for a SQLite install without tokens or a read replica."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.app import serve_dashboard

    settings = load_settings()
    if not settings.secret_key.strip(" ,"):
        warn(
            "PARTNERBOT_SECRET_KEY is not set, so dashboard sessions end when this process stops "
            "and other processes do not accept them; set it (see .env.example) to keep them."
        )
    _log_to_stderr(settings.log_format)
    try:
        run_async(lambda: serve_dashboard(settings))
    except ValueError as exc:  # a sign-in method turned on without its credentials: one line
        raise CliError(f"configuration error — {exc}", 2) from exc
    except OSError as exc:
        raise CliError(
            f"cannot listen on {settings.http_host}:{settings.http_port} — {exc.strerror or exc}. "
            "Set PARTNERBOT_HTTP_PORT to a free port.",
            2,
        ) from exc


@dashboard_cli.command("link")
def link(
    admin: Annotated[
        str | None,
        typer.Option(
            help="Whom the link signs in, as platform:user-id (e.g. slack:U0123ABCD); "
            "default: the operator of this server."
        ),
    ] = None,
) -> None:
    """Print a one-time sign-in link to the dashboard (valid PARTNERBOT_DASHBOARD_LINK_MINUTES)."""
    settings = load_settings()
    who = _admin(admin) if admin else OPERATOR
    if admin and who.key() not in settings.admin_users:
        warn(
            f"{who.key()} is not in PARTNERBOT_ADMIN_USERS; the link signs them in anyway, because "
            "you asked for it on the server."
        )

    async def work(a: App) -> str:
        return await dashboard_access(a).issue_link(who, via="cli")

    token = run_async(lambda: with_app(settings, work))
    print(f"{settings.web().base_url()}{SIGN_IN_PATH}?token={token}")
    err.print(
        f"It signs in once, within {settings.dashboard_link_minutes:g} minutes.",
        markup=False,
        highlight=False,
    )


def _admin(value: str) -> UserRef:
    platform, _, user = value.strip().partition(":")
    names = ", ".join(p.value for p in Platform)
    if not user or platform not in {p.value for p in Platform}:
        raise CliError(f"--admin must look like slack:U0123ABCD (platform:user-id; platforms: {names})", 2)
    return UserRef(Platform(platform), "", user.strip(), "")
