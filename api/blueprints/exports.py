"""``GET /api/v1/exports/trace``: the regulator's sortable trace export (CSV or XLSX), staff
only, streamed."""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint

from core.i18n import T
from api.http import query_params
from api.openapi import operation, query
from api.regulator import require_staff
from core.errors import InvalidInput
from profiles.export import event_rows, matching_batches, parse_query, related_batches
from profiles.export_formats import csv_chunks, xlsx_file

bp = Blueprint("exports")
TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
READ = 64 * 1024


def _format(request, params: dict[str, str]) -> str:
    wanted = params.get("format")
    if wanted is None:
        accept = request.headers.get("accept", "")
        wanted = "xlsx" if "spreadsheetml" in accept else "csv"
    if wanted not in TYPES:
        raise InvalidInput(T("format 须为 csv 或 xlsx"), field="format", code="invalid_format")
    return wanted


@bp.get("/api/v1/exports/trace")
@operation("get", "/api/v1/exports/trace", summary="Every event of the matching batches and "
           "of the batches linked to them through inputs (backward and forward), one row per "
           "event with its key data elements, as CSV or XLSX (staff only: the exchange "
           "token, a supervisor, or a handler for its district's producers)", tag="exports",
           params=[query("product_id", "with from and to: the batches produced in the range"),
                   query("from", "first production day (2026-01-01)"),
                   query("to", "last production day"),
                   query("lot", "or: the batches with this lot (and product_id, if given)"),
                   query("format", "csv (default) or xlsx; also from Accept"),
                   query("cursor", "next page (see the Link header and X-Next-Cursor)")],
           responses={200: "text/csv or XLSX; when more batches match than one answer "
                           "covers (GONGZHI_EXPORT_PAGE_BATCHES), Link: <...>; rel=\"next\""},
           errors={400: "export_query_missing, invalid_date, invalid_range, invalid_key, "
                        "invalid_cursor, invalid_format",
                   401: "token_missing, staff_token_invalid",
                   403: "staff_only, outside_jurisdiction"})
async def trace_export(request):
    staff = await require_staff(request)
    params = query_params(request)
    kind = _format(request, params)
    asked = parse_query(params, page=request.app.ctx.settings.export_page_batches)
    matched, next_cursor = await matching_batches(asked, staff)
    related = await related_batches([b["batch_id"] for b in matched])
    headers = {"Content-Disposition": f'attachment; filename="trace-{asked.describe()}.'
                                      f'{kind}"', "Cache-Control": "no-store",
               "X-Matched-Batches": str(len(matched)), "X-Related-Batches": str(len(related))}
    if next_cursor:
        following = urlencode({**params, "cursor": next_cursor})
        headers["Link"] = f'</api/v1/exports/trace?{following}>; rel="next"'
        headers["X-Next-Cursor"] = next_cursor
    response = await request.respond(content_type=TYPES[kind], headers=headers)
    if kind == "csv":
        async for chunk in csv_chunks(event_rows(related)):
            await response.send(chunk)
    else:
        with await xlsx_file(event_rows(related)) as spool:
            while chunk := spool.read(READ):
                await response.send(chunk)
    await response.eof()
