"""GET /obligations: the reporting calendar — what each QI body must do, when it falls due, and what
is overdue given the recorded events and today's date (see qigraph.obligations)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from qigraph import obligations as calendar
from qigraph.namespaces import QID

from ..deps import StoreDep
from ..problems import Problem

router = APIRouter(prefix="/obligations", tags=["obligations"])
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@router.get("", summary="The reporting calendar: obligations of QI bodies, their due dates and what is overdue")
async def list_obligations(
    store: StoreDep,
    body: Annotated[str | None, Query(description="a body id (mimc-smart-lighting) or IRI; all bodies if left out")] = None,
    due_before: Annotated[dt.date | None, Query(description="only items due (at the latest) before this date; "
                                                            "items whose due date is unknown are left out")] = None,
    overdue: Annotated[bool | None, Query(description="true: only overdue items; false: only the others")] = None,
    status: Annotated[str | None, Query(description=f"only items with this status: {', '.join(calendar.STATUSES)}")] = None,
    today: Annotated[dt.date | None, Query(description="the date to judge by (default: the server's today)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="page size")] = 100,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> dict[str, Any]:
    """Each item names the body, the obligation (with its type and labels), the period, the due date
    at the precision the sources allow (``due``; ``due_from``/``due_by`` as days), the status, a note
    in Chinese and English saying how the date follows from the clause and the recorded events, and
    the clause with its quote and document. A due date the sources do not allow is ``null`` with
    status ``due-date-unknown``."""
    iri = None
    if body:
        if body.startswith(("http://", "https://")):
            iri = body
        elif _ID.match(body):
            iri = str(QID[f"body/{body}"])
        if iri is None or not await run_in_threadpool(calendar.body_exists, store, iri):
            raise Problem(404, "Unknown body", f"there is no QI body {body!r}; GET /centers lists them")
    if status is not None and status not in calendar.STATUSES:
        raise Problem(400, "Bad parameter", f"status must be one of {', '.join(calendar.STATUSES)} (got {status!r})")
    today = today or dt.date.today()
    items = await run_in_threadpool(lambda: calendar.obligations(store, today=today, body=iri))
    if due_before is not None:
        items = [i for i in items if i["due_by"] is not None and i["due_by"] < due_before.isoformat()]
    if overdue is not None:
        items = [i for i in items if i["overdue"] is overdue]
    if status is not None:
        items = [i for i in items if i["status"] == status]
    return {"today": today.isoformat(), "total": len(items), "limit": limit, "offset": offset,
            "items": items[offset:offset + limit]}
