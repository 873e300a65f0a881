"""Pages over the matching and calendar services: a search box running the industry matcher
(``/ui/match``: industries and centers as cards, with why each matched) and the reporting calendar
(``/ui/calendar``: what each body must report or do, when it is due, what is overdue). They call the
same code as ``/match`` and ``/obligations``, so the pages and the API agree."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qigraph import obligations as calendar
from qigraph.matching import MatchError, get_matcher
from qigraph.matching.matcher import MAX_TEXT
from qigraph.matching.reasons import zh_of
from qigraph.namespaces import QID

from ..deps import StoreDep
from ..i18n import pick_lang
from ..ontology_doc import label as term_label
from ..web import href_for, render
from .lookups import STATES

router = APIRouter(prefix="/ui", tags=["web interface"], include_in_schema=False)
MATCH_LIMIT = 10
# The calendar's order: what needs attention first.
STATUS_ORDER = (calendar.OVERDUE, calendar.POSSIBLY_OVERDUE, calendar.UPCOMING, calendar.UNKNOWN, calendar.ON_EVENT,
                calendar.STANDING, calendar.PASSED, calendar.MET_LATE, calendar.MET)


def _name(labels: dict, lang: str) -> str:
    return labels.get(lang) or labels.get("zh") or ""


def match_card(hit: dict, lang: str) -> dict:
    """A matched center as a card of the explorer's kind, with why it matched."""
    state = hit.get("state") or "unknown"
    industries = [hit["industry"]] if hit.get("industry") else []
    return {
        "id": hit["id"], "iri": hit["iri"], "href": f"/ui/bodies/{hit['id']}", "name": _name(hit["label"], lang),
        "kind": _name(hit.get("kind_label") or {}, lang) or hit.get("kind") or "",
        "hosts": [{"name": h.get(f"label_{lang}") or h.get("label_zh") or h["iri"], "href": href_for(h["iri"])} for h in hit["hosts"]],
        "state": state, "state_label": term_label(str(STATES.get(state, STATES["unknown"])), lang),
        "district": hit.get("district"),
        "industries": [{"name": _name(i["label"], lang), "href": "/ui/industries?" + urlencode({"concept": i["iri"]})} for i in industries],
        "sources": [{"href": href_for(s), "external": not href_for(s).startswith("/"), "text": s} for s in hit["sources"]],
        "why": "；".join(hit["why_zh"]) if lang == "zh" else "; ".join(hit["why"]),
        "score": hit["score"],
    }


@router.get("/match", response_class=HTMLResponse)
def match_page(request: Request, store: StoreDep, text: str = "", code: str = "") -> HTMLResponse:
    lang = pick_lang(request)
    result, error, status = None, None, 200
    text, code = text.strip(), code.strip()
    if len(text) > MAX_TEXT:
        error, status = (f"描述最多 {MAX_TEXT} 个字符。" if lang == "zh" else f"The description takes at most {MAX_TEXT} characters."), 422
    elif text or code:
        matcher = get_matcher(store, key=str(request.app.state.settings.store))
        try:
            result = matcher.match(text, limit=MATCH_LIMIT, code=code or None)
        except MatchError as exc:
            error, status = (zh_of(exc.args[0]) if lang == "zh" else str(exc)), 422
    cards = [match_card(h, lang) for h in result["centers"]] if result else []
    return render(request, "match.html", status=status, text=text, code=code, result=result, error=error, cards=cards,
                  max_text=MAX_TEXT, api_href="/match?" + urlencode({k: v for k, v in (("text", text), ("code", code)) if v}))


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, store: StoreDep, status: str = "", body: str = "", today: str = "") -> HTMLResponse:
    lang = pick_lang(request)
    error, code = None, 200
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        day, code = dt.date.today(), 400
        error = (f"日期应写作 YYYY-MM-DD（收到 {today!r}）。" if lang == "zh" else f"Write the date as YYYY-MM-DD (got {today!r}).")
    body_iri = str(QID[f"body/{body}"]) if body else None
    if body_iri and not calendar.body_exists(store, body_iri):
        error, code, body_iri = (f"没有机构 {body!r}。" if lang == "zh" else f"There is no body {body!r}."), 404, None
    items = calendar.obligations(store, today=day, body=body_iri) if code == 200 else []
    counts = Counter(i["status"] for i in items)
    if status and status not in calendar.STATUSES:
        error, code = (f"status 应为 {', '.join(calendar.STATUSES)} 之一。" if lang == "zh"
                       else f"status must be one of {', '.join(calendar.STATUSES)}."), 400
    shown = [i for i in items if not status or i["status"] == status]
    shown.sort(key=lambda i: (STATUS_ORDER.index(i["status"]), i["due_by"] or "9999", i["body"]["id"]))
    for i in shown:
        i["body_href"] = f"/ui/bodies/{i['body']['id']}"
        i["clause_href"] = href_for(i["clause"]["iri"]) if i.get("clause") else None
    return render(request, "calendar.html", status=code, items=shown, counts=counts, statuses=STATUS_ORDER,
                  chosen=status, body=body, today=day.isoformat(), error=error,
                  api_href="/obligations?" + urlencode({k: v for k, v in (("status", status), ("body", body), ("today", today)) if v}))
