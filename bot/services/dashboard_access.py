"""Who may open the web dashboard, and the one-time links that let them in.

The dashboard trusts the same people the chat does: the admin users and the members of the admin
groups (PARTNERBOT_ADMIN_USERS, PARTNERBOT_ADMIN_GROUPS). A sign-in link is a random token shown once;
only its SHA-256 is stored, so a leaked database does not open the dashboard.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.refs import UserRef
from bot.ports.audit import AuditStore
from bot.ports.clock import Clock
from bot.ports.dashboard import SignInLinks

# Where the dashboard's own actions are audited (the audit log's "channel").
DASHBOARD_CHANNEL = "dashboard"
# Where a one-time link is redeemed, under the public base URL (adapters/web/pages/signin.py).
SIGN_IN_PATH = "/dashboard/signin/link"


@dataclass(frozen=True, slots=True)
class AccessPorts:
    links: SignInLinks
    audit: AuditStore


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DashboardAccess:
    def __init__(self, ports: AccessPorts, clock: Clock, *, link_ttl: timedelta, base_url: str = "") -> None:
        self._ports = ports
        self._clock = clock
        self.link_ttl = link_ttl
        # PARTNERBOT_PUBLIC_URL (or the HTTP listener's address), without a trailing slash.
        self.base_url = base_url.rstrip("/")

    async def issue_link(self, admin: UserRef, *, via: str) -> str:
        """A new one-time token for `admin` (the caller has checked that they are one); audited."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        await self._ports.links.create(
            token_hash=token_hash(token), admin=admin, now=now, expires=now + self.link_ttl
        )
        await self._ports.audit.record(
            user=admin, channel=via, action="dashboard-link", detail="", allowed=True, now=now
        )
        return token

    async def sign_in_url(self, admin: UserRef, *, via: str) -> str:
        """A new one-time sign-in link for `admin`, as the full address to open (audited)."""
        token = await self.issue_link(admin, via=via)
        return f"{self.base_url}{SIGN_IN_PATH}?token={token}"

    async def redeem(self, token: str) -> UserRef | None:
        """The admin the link was issued to, once; None for an unknown, used or expired link."""
        if not token or len(token) > 200:
            return None
        return await self._ports.links.consume(token_hash=token_hash(token), now=self._clock.now())

    async def audit(self, admin: UserRef, action: str, detail: str = "", *, allowed: bool = True) -> None:
        """Record a dashboard action (sign-in, sign-out, refusal, answer) in the audit log."""
        await self._ports.audit.record(
            user=admin,
            channel=DASHBOARD_CHANNEL,
            action=action,
            detail=detail,
            allowed=allowed,
            now=self._clock.now(),
        )
