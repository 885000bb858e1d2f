"""``model/list``: the catalog the backend serves (or the built-in list), a page at a time."""

from __future__ import annotations

from ..context import Context, Reply
from ..errors import InvalidRequest
from ..protocol import models as p

PAGE = 100


async def list_models(ctx: Context, params: p.ModelListParams) -> Reply[p.ModelListResponse]:
    entries = await ctx.threads.catalog.entries()
    default = entries[0].slug if entries else None
    shown = [e for e in entries if params.include_hidden or not e.hidden]
    try:
        start = int(params.cursor) if params.cursor else 0
    except ValueError as exc:
        raise InvalidRequest(f"invalid cursor: {params.cursor}") from exc
    size = params.limit or PAGE
    page = shown[start : start + size]
    after = start + size
    return Reply(
        p.ModelListResponse(
            data=[entry.model(entry.slug == default) for entry in page],
            next_cursor=str(after) if after < len(shown) else None,
        )
    )
