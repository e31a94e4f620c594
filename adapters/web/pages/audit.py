"""The audit log: every admin action (chat, CLI, dashboard), newest first, filterable, in CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiohttp import web

from adapters.web.deps import deps
from adapters.web.export import csv_response
from adapters.web.render import page
from bot.domain.dashboard import AuditQuery

PAGE_SIZE = 50
CSV_HEADER = ("id", "at", "platform", "user_id", "user_name", "where", "action", "detail", "allowed")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/audit", show, name="audit")
    router.add_get("/audit.csv", export, name="audit-csv")


def query_of(request: web.Request) -> AuditQuery:
    """The filters from the address, so a filtered page is a link another admin can open."""
    before = request.query.get("before", "")
    return AuditQuery(
        action=request.query.get("action") or None,
        user=request.query.get("user") or None,
        refused_only=request.query.get("refused") == "1",
        before=int(before) if before.isdigit() else None,
        limit=PAGE_SIZE,
    )


async def show(request: web.Request) -> web.StreamResponse:
    query = query_of(request)
    entries = await deps(request).views.audit.page(query)
    older = entries[-1].id if len(entries) == PAGE_SIZE else None
    filters = {"action": query.action, "user": query.user, "refused": "1" if query.refused_only else None}
    return page(request, "audit.html", title="Audit log", entries=entries, older=older, filters=filters)


async def export(request: web.Request) -> web.StreamResponse:
    query = query_of(request)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for e in deps(request).views.audit.export(query):
            yield (
                e.id,
                e.at.isoformat(),
                e.user.platform.value,
                e.user.user,
                e.user.display_name,
                e.channel,
                e.action,
                e.detail,
                "yes" if e.allowed else "no",
            )

    return await csv_response(request, "partnerbot-audit.csv", CSV_HEADER, rows())
