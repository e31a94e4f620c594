"""Every dashboard table exports to CSV: streamed row by row (the csv module), never built in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiohttp import web

from bot.safety import spreadsheet_safe

# Rows written per network write: small enough to keep memory flat, large enough to be quick.
_FLUSH_EVERY = 500


async def csv_response(
    request: web.Request, filename: str, header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> web.StreamResponse:
    """A CSV download of `rows` under `header` (UTF-8, a header row, RFC 4180 quoting; text a
    spreadsheet would run as a formula starts with an apostrophe, `bot.safety.spreadsheet_safe`)."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
    )
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    count = 0
    async for row in rows:
        writer.writerow(["" if value is None else spreadsheet_safe(value) for value in row])
        count += 1
        if count % _FLUSH_EVERY == 0:
            await response.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response
