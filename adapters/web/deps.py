"""What the dashboard is built from, handed over by the composition root (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from adapters.web.settings import WebSettings
from adapters.web.signins import PlatformSignIns
from bot.core import PartnerBot
from bot.ports.clock import Clock
from bot.ports.dashboard import DashboardViews
from bot.services.dashboard_access import DashboardAccess
from bot.settings import Admins


@dataclass(frozen=True, slots=True)
class DashboardDeps:
    views: DashboardViews
    access: DashboardAccess
    bot: PartnerBot  # answers to questions go through the same relay as a chat answer
    admins: Admins
    clock: Clock
    settings: WebSettings
    # 32 bytes that sign and encrypt the session cookie (derived from PARTNERBOT_SECRET_KEY).
    session_key: bytes
    # Sign in with Slack / Discord, each when configured (adapters/web/oauth.py).
    signins: PlatformSignIns = field(default_factory=PlatformSignIns)


DEPS: web.AppKey[DashboardDeps] = web.AppKey("partnerbot_dashboard", DashboardDeps)


def deps(request: web.Request) -> DashboardDeps:
    """The dashboard's dependencies, from any request handled under /dashboard/."""
    return request.config_dict[DEPS]
