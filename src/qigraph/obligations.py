"""The reporting calendar: for each QI body, the obligations that fall due, when, and which are
overdue given the recorded lifecycle events and today's date.

Nothing here knows a document's words. The duties come from the graph (the named query
``obligations-of-body``): each requirement's timing as ``data/requirements.yaml`` states it —
recurrence, yearly due date, durations, working days after an event — and the lifecycle event it
runs from (``qi:startsWithEvent``) and the events that end it (``qi:endsWithEvent``). The body's
recorded events date them. Dates in the sources are often only a year or a month, so a due date
is an interval (``due_from``…``due_by``) written at the precision the sources allow; a date the
sources do not give makes the due date unknown, and the item says so.

Statuses: ``upcoming`` (due today or later); ``overdue`` (a time limit has passed and no event
that ends it is recorded); ``possibly-overdue`` (past the usual limit, within the extended one
whose condition the graph does not know); ``met`` / ``met-late`` (the ending event is recorded,
on time or after); ``passed`` (the date has passed, and the graph records no reports or
evaluations, so it cannot say whether this one was done); ``due-date-unknown``; ``on-event``
(due a set time after an event such as a major change); ``standing`` (a duty without a date).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from qigraph.catalog_queries import load_catalog
from qigraph.loaders.bodies import _FORWARD, EVENT_TYPE
from qigraph.namespaces import QI, sparql_prologue

UPCOMING, OVERDUE, POSSIBLY_OVERDUE, MET, MET_LATE = "upcoming", "overdue", "possibly-overdue", "met", "met-late"
PASSED, UNKNOWN, ON_EVENT, STANDING = "passed", "due-date-unknown", "on-event", "standing"
STATUSES = (UPCOMING, OVERDUE, POSSIBLY_OVERDUE, MET, MET_LATE, PASSED, UNKNOWN, ON_EVENT, STANDING)
# Events that happen to some bodies only: a duty running from one applies only once it is recorded.
# Every other start event (approval, naming…) is a stage each body of the program goes through.
_OCCASIONAL = {str(QI.Rectification), str(QI.Revocation)}
# How far along its lifecycle each event type puts a body (the ranks the body loader derives states from).
_STAGE = {str(EVENT_TYPE[name]): rank for name, (rank, _state) in _FORWARD.items()}

_EVENTS = sparql_prologue() + """
SELECT ?body ?type ?date WHERE { ?body qi:hasEvent ?e . ?e qi:eventType ?type . OPTIONAL { ?e dcterms:date ?date } }"""
_BODIES = sparql_prologue() + """
SELECT ?body ?zh ?en ?state WHERE {
  ?body a/rdfs:subClassOf* qi:QualityInfrastructureBody ; rdfs:label ?zh , ?en ; qi:state ?state .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en") }"""
_IS_BODY = sparql_prologue() + "SELECT ?b WHERE { ?b a/rdfs:subClassOf* qi:QualityInfrastructureBody } LIMIT 1"
_LABELS = sparql_prologue() + """
SELECT ?s ?zh ?en WHERE { { ?s a qi:EventType } UNION { ?s a qi:PolicyDocument } UNION { ?s a qi:Program }
  ?s rdfs:label ?zh , ?en . FILTER(LANG(?zh) = "zh" && LANG(?en) = "en") }"""


@dataclass(frozen=True)
class Span:
    """A date known to the day, month or year: the interval of days it may be."""

    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, text: str) -> Span:
        """
        >>> Span.parse("2022-05")
        Span(first=datetime.date(2022, 5, 1), last=datetime.date(2022, 5, 31))
        """
        parts = [int(x) for x in text.split("-")]
        if len(parts) == 1:
            return cls(dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31))
        if len(parts) == 2:
            return cls(dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], calendar.monthrange(*parts)[1]))
        day = dt.date(*parts)
        return cls(day, day)

    def plus(self, duration: str, times: int = 1) -> Span:
        years, months, days = _duration(duration)
        return Span(_add(self.first, years * times, months * times, days * times),
                    _add(self.last, years * times, months * times, days * times))

    def text(self) -> str:
        """The span at the precision it has: a day, a month, a year, or first/last.

        >>> Span.parse("2024-06").plus("P12M").text()
        '2025-06'
        """
        f, last = self.first, self.last
        if f == last:
            return f.isoformat()
        if f.day == 1 and (f.year, f.month) == (last.year, last.month) and last.day == calendar.monthrange(f.year, f.month)[1]:
            return f"{f.year:04d}-{f.month:02d}"
        if (f.month, f.day, last.month, last.day) == (1, 1, 12, 31) and f.year == last.year:
            return f"{f.year:04d}"
        return f"{f.isoformat()}/{last.isoformat()}"


def _duration(text: str) -> tuple[int, int, int]:
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", text)
    if not m:
        raise ValueError(f"unsupported duration {text!r}")
    return tuple(int(g or 0) for g in m.groups())  # type: ignore[return-value]


def _add(day: dt.date, years: int, months: int, days: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + years + month0 // 12, month0 % 12 + 1
    moved = dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    # a month-end stays a month-end (31 May + 6 months is 30 Nov, the end of the span)
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        moved = dt.date(year, month, calendar.monthrange(year, month)[1])
    return moved + dt.timedelta(days=days)


def _rows(result: dict) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items() if v["value"] != ""} for b in result["results"]["bindings"]]


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


class _Context:
    """Everything the rules read, fetched from the store once."""

    def __init__(self, store, body: str | None):
        query = load_catalog()["obligations-of-body"]
        bindings = {"body": query.bind({"body": body})["body"]} if body else None
        self.duties = _rows(store.select(query.sparql, bindings=bindings))
        self.events: dict[str, list[tuple[str, Span | None]]] = {}
        for r in _rows(store.select(_EVENTS)):
            self.events.setdefault(r["body"], []).append((r["type"], Span.parse(r["date"]) if r.get("date") else None))
        self.bodies = {r["body"]: r for r in _rows(store.select(_BODIES))}
        self.labels = {r["s"]: {"zh": r["zh"], "en": r["en"]} for r in _rows(store.select(_LABELS))}

    def label(self, iri: str) -> dict[str, str]:
        return self.labels.get(iri, {"zh": _local(iri), "en": _local(iri)})

    def dated(self, body: str, event_type: str) -> list[Span]:
        return sorted((d for t, d in self.events.get(body, []) if t == event_type and d), key=lambda s: s.first)

    def recorded(self, body: str, event_type: str) -> bool:
        return any(t == event_type for t, _d in self.events.get(body, []))

    def before_stage(self, body: str, event_type: str) -> bool:
        """The recorded events show the body has not reached this stage yet (e.g. still in preparation)."""
        reached = [_STAGE[t] for t, _d in self.events.get(body, []) if t in _STAGE]
        return bool(reached) and event_type in _STAGE and max(reached) < _STAGE[event_type]


def _human(duration: str) -> tuple[str, str]:
    """
    >>> _human("P2Y"), _human("P6M")
    (('2年', '2 years'), ('6个月', '6 months'))
    """
    years, months, days = _duration(duration)
    zh = "".join(f"{n}{u}" for n, u in ((years, "年"), (months, "个月"), (days, "天")) if n)
    en = " ".join(f"{n} {u}{'s' if n > 1 else ''}" for n, u in ((years, "year"), (months, "month"), (days, "day")) if n)
    return zh, en


def _item(ctx: _Context, duty: dict[str, str], *, period: str | None = None, due: Span | None = None,
          status: str, note: tuple[str, str], extended_due: Span | None = None, earliest: Span | None = None,
          met_on: Span | None = None) -> dict[str, Any]:
    body = ctx.bodies.get(duty["body"], {})
    return {
        "body": {"iri": duty["body"], "id": _local(duty["body"]), "label": {"zh": body.get("zh"), "en": body.get("en")},
                 "state": _local(body["state"]) if body.get("state") else None},
        "obligation": {"iri": duty["obligation"], "id": _local(duty["obligation"]), "type": _local(duty["type"]),
                       "label": {"zh": duty["label"], "en": duty["labelEn"]}},
        "program": {"iri": duty["program"], "label": ctx.label(duty["program"])},
        "period": period,
        "due": due.text() if due else None,
        "due_from": due.first.isoformat() if due else None,
        "due_by": due.last.isoformat() if due else None,
        "extended_due": extended_due.text() if extended_due else None,
        "earliest": earliest.text() if earliest else None,
        "met_on": met_on.text() if met_on else None,
        "status": status,
        "overdue": status == OVERDUE,
        "note": {"zh": note[0], "en": note[1]},
        "clause": {"iri": duty["clause"], "quote": duty["quote"],
                   "document": {"iri": duty.get("document"), "title": ctx.label(duty["document"]) if duty.get("document") else None}},
    }


def _status_by_date(due: Span, today: dt.date) -> str:
    return UPCOMING if due.last >= today else PASSED


def _obligation_items(ctx: _Context, duty: dict[str, str], today: dt.date) -> list[dict[str, Any]]:
    body = duty["body"]
    start_type = duty.get("startsWith")
    end_types = duty.get("endsWith", "").split()
    start_label = ctx.label(start_type) if start_type else None
    if start_type in _OCCASIONAL and not ctx.recorded(body, start_type):
        return []  # e.g. a rectification period: no rectification is recorded
    if start_type and not ctx.recorded(body, start_type) and ctx.before_stage(body, start_type):
        return []  # e.g. the annual report of an established center, for a center still in preparation
    starts = ctx.dated(body, start_type) if start_type else []
    # the latest start counts (a project named again starts a new cycle)
    start = starts[-1] if starts else None
    ends = sorted((d for t in end_types for d in ctx.dated(body, t)), key=lambda s: s.first)
    end_recorded = any(ctx.recorded(body, t) for t in end_types)
    revoked = ctx.dated(body, str(QI.Revocation))
    stop = revoked[0] if revoked else None

    def unknown_start() -> dict[str, Any]:
        recorded = ctx.recorded(body, start_type)
        zh = f"起算事件“{start_label['zh']}”{'已记录但无日期' if recorded else '未记录'}，无法确定截止日期"
        en = f"the event it runs from ({start_label['en']}) is {'recorded without a date' if recorded else 'not recorded'}, so the due date is unknown"
        return _item(ctx, duty, status=UNKNOWN, note=(zh, en))

    # A time limit from an event: preparation, rectification.
    if duty.get("maxDuration") and start_type:
        if not start:
            if ends:
                return [_item(ctx, duty, status=MET, met_on=ends[0],
                              note=(f"已记录结束事件；起算事件“{start_label['zh']}”日期未记录",
                                    f"the ending event is recorded; the date of {start_label['en']} is not"))]
            return [unknown_start()]
        due = start.plus(duty["maxDuration"])
        extended = start.plus(duty["extendedMaxDuration"]) if duty.get("extendedMaxDuration") else None
        earliest = start.plus(duty["minDuration"]) if duty.get("minDuration") else None
        limit = extended or due
        zh = f"自{start_label['zh']}（{start.text()}）起一般不超过{_human(duty['maxDuration'])[0]}"
        en = f"normally at most {_human(duty['maxDuration'])[1]} from {start_label['en']} ({start.text()})"
        if earliest:
            zh += f"（不少于{_human(duty['minDuration'])[0]}）"
            en += f" (at least {_human(duty['minDuration'])[1]})"
        if extended:
            zh += f"，{duty.get('extensionCondition', '满足条件')}的可延长至{_human(duty['extendedMaxDuration'])[0]}"
            en += f", {_human(duty['extendedMaxDuration'])[1]} if the extension condition holds"
        if ends:
            late = ends[0].first > limit.last
            return [_item(ctx, duty, due=due, extended_due=extended, earliest=earliest, met_on=ends[0],
                          status=MET_LATE if late else MET, note=(zh + "；已记录结束事件", en + "; the ending event is recorded"))]
        if end_recorded:
            return [_item(ctx, duty, due=due, extended_due=extended, earliest=earliest, status=MET,
                          note=(zh + "；结束事件已记录但无日期", en + "; the ending event is recorded without a date"))]
        if not end_types:
            status = _status_by_date(limit, today)
        elif limit.last < today:
            status = OVERDUE
        elif due.last < today:
            status = POSSIBLY_OVERDUE
        else:
            status = UPCOMING
        if status in (OVERDUE, POSSIBLY_OVERDUE):
            zh += "；按已记录的事件，期满仍未记录结束事件"
            en += "; by the recorded events, the period has run out with no ending event recorded"
        return [_item(ctx, duty, due=due, extended_due=extended, earliest=earliest, status=status, note=(zh, en))]

    # A recurring duty: yearly on a date, each calendar year, or every N years from an event.
    if duty.get("recurrence") and start_type:
        if not start:
            return [unknown_start()]
        end = ends[0] if ends else None
        items = []
        recurrence = duty["recurrence"]
        if recurrence == "P1Y":
            for year in range(start.first.year, today.year + 2):
                if duty.get("dueDate"):
                    month, day = (int(x) for x in duty["dueDate"].lstrip("-").split("-"))
                    due = Span(dt.date(year, month, day), dt.date(year, month, day))
                    note = (f"每年{month}月{day}日前（自{start_label['zh']} {start.text()} 起）",
                            f"due each year by {duty['dueDate']} from {start_label['en']} ({start.text()})")
                elif duty.get("minTimesPerYear"):
                    due = Span(dt.date(year, 12, 31), dt.date(year, 12, 31))
                    note = (f"每年至少 {duty['minTimesPerYear']} 次，于当年内完成", f"at least {duty['minTimesPerYear']} times within each calendar year")
                else:
                    due = None
                    note = ("条款要求每年报送，未规定日期", "due every year; the clause sets no date")
                period_end = due or Span(dt.date(year, 12, 31), dt.date(year, 12, 31))
                if start.last > period_end.last:
                    continue  # the body started after this year's date
                if (end and end.first <= period_end.first) or (stop and stop.first <= period_end.first):
                    break
                if due is None:
                    if year > today.year:
                        break
                    items.append(_item(ctx, duty, period=str(year), status=UNKNOWN, note=note))
                    continue
                items.append(_item(ctx, duty, period=str(year), due=due, status=_status_by_date(due, today), note=note))
                if due.last >= today:
                    break
            return items
        k = 1
        while True:
            due = start.plus(recurrence, k)
            if (end and end.first <= due.first) or (stop and stop.first <= due.first):
                break
            items.append(_item(ctx, duty, due=due, status=_status_by_date(due, today),
                               note=(f"每{_human(recurrence)[0]}一次（自{start_label['zh']} {start.text()} 起第 {k} 次）",
                                     f"every {_human(recurrence)[1]} from {start_label['en']} ({start.text()}): occurrence {k}")))
            if due.last >= today or k > 100:
                break
            k += 1
        return items

    # Due a set time after an event the calendar cannot foresee (a major change).
    if duty.get("withinWorkingDays") or duty.get("trigger"):
        within = duty.get("withinWorkingDays")
        trigger = duty.get("trigger", "")
        return [_item(ctx, duty, status=ON_EVENT,
                      note=(f"{trigger}时，{'于 ' + within + ' 个工作日内' if within else '及时'}报告；未记录此类事件",
                            f"due {'within ' + within + ' working days' if within else 'promptly'} after the event ({trigger}); no such event is recorded"))]
    if start_type:
        zh, en = f"自{start_label['zh']}起", f"from {start_label['en']}"
        if end_types:
            zh += f"至{'或'.join(ctx.label(t)['zh'] for t in end_types)}期间"
            en += f" until {' or '.join(ctx.label(t)['en'] for t in end_types)}"
        return [_item(ctx, duty, status=STANDING, note=(zh + "，条款未规定日期", en + "; the clause sets no date"))]
    return [_item(ctx, duty, status=STANDING, note=("条款未规定日期或周期", "the clause sets no date or period"))]


def obligations(store, *, today: dt.date, body: str | None = None) -> list[dict[str, Any]]:
    """Every obligation item of every body (or of one body), in due-date order, unknown dates last.

    Args:
        store: the built graph (anything with ``select(query, bindings=)``).
        today: the date that decides what is upcoming and what is overdue.
        body: a body IRI, to list only its obligations.

    Returns:
        JSON-ready items: body, obligation, program, period, due date (``due`` at the precision the
        sources allow, ``due_from``/``due_by`` as days), status, a note in Chinese and English, and
        the clause with its quote and document.
    """
    ctx = _Context(store, body)
    items = [item for duty in ctx.duties for item in _obligation_items(ctx, duty, today)]
    items.sort(key=lambda i: (i["due_by"] is None, i["due_by"] or "", i["body"]["id"], i["obligation"]["id"], i["period"] or ""))
    return items


def body_exists(store, body: str) -> bool:
    """Whether the IRI names a QI body of the graph."""
    return bool(store.select(_IS_BODY, bindings={"b": URIRef(body)})["results"]["bindings"])
