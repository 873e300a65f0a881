"""The validation page for data stewards (``/ui/validate``): upload a file or paste text, choose its
format, and read the SHACL report grouped by clause and by shape, in the page's language. It is a
plain HTML form (it works with JavaScript off) posting to this page, which runs the same code as
``POST /validate``. A parse error is shown with its line and column and the input is kept in the
form, so nothing is lost. The page also shows the built graph's own status (the report of
``GET /validate``) and what the reporting calendar has due and overdue."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from qigraph import obligations as calendar
from qigraph import uploads
from qigraph.validation import ValidationError, validate_record

from ..deps import StoreDep
from ..web import render
from .validate import _curie, _href, graph_report, kept_graph_report, upload_clauses

router = APIRouter(prefix="/ui", tags=["web interface"], include_in_schema=False)

# The format chooser: key -> (media type, label). "auto" takes the format from the file's suffix.
FORMATS = {
    "turtle": ("text/turtle", "Turtle (.ttl)"),
    "jsonld": ("application/ld+json", "JSON-LD (.jsonld)"),
    "nt": ("application/n-triples", "N-Triples (.nt)"),
    "yaml": ("application/yaml", "YAML (.yaml)"),
    "csv": ("text/csv", "CSV (.csv)"),
}
_BY_MEDIA = {media: key for key, (media, _label) in FORMATS.items()}
MAX_UPLOAD = 2 * 1024 * 1024  # bytes: a steward's records, not a whole graph
MAX_KEPT = 200_000  # characters of an uploaded file copied back into the text box after an error
# The calendar's statuses a steward is shown here, what needs attention first.
CALENDAR_STATUSES = (calendar.OVERDUE, calendar.POSSIBLY_OVERDUE, calendar.UPCOMING)


class PageError(Exception):
    """What the page says instead of a report: zh and en text, the parser's own words, where."""

    def __init__(self, status: int, zh: str, en: str, *, detail: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(en)
        self.status, self.text, self.detail, self.line, self.column = status, {"zh": zh, "en": en}, detail, line, column


def _where(line: int | None, column: int | None) -> dict[str, str]:
    if not line:
        return {"zh": "", "en": ""}
    return {"zh": f"第 {line} 行" + (f"第 {column} 列" if column else ""),
            "en": f"line {line}" + (f", column {column}" if column else "")}


def _input_error(exc: uploads.InputError, fmt_label: str) -> PageError:
    """An upload error in the page's words; the parser's or loader's own message is kept as the detail."""
    where = _where(exc.line, exc.column)
    if exc.kind == "record":
        zh = "记录有误" + (f"（{where['zh']}）" if where["zh"] else "") + "：请按下方说明修改后重新提交。"
        en = "A record is malformed" + (f" ({where['en']})" if where["en"] else "") + ": fix it as said below and submit again."
        return PageError(422, zh, en, detail=exc.message, line=exc.line, column=exc.column)
    zh = f"无法按 {fmt_label} 解析输入" + (f"：错误在{where['zh']}" if where["zh"] else "") + "。"
    en = f"The input does not parse as {fmt_label}" + (f": the error is at {where['en']}" if where["en"] else "") + "."
    return PageError(400, zh, en, detail=exc.message, line=exc.line, column=exc.column)


def _excerpt(text: str, line: int | None, column: int | None) -> dict | None:
    """The line an error is on, with a caret under its column, for the page to show."""
    lines = text.splitlines()
    if not line or not 1 <= line <= len(lines):
        return None
    return {"line": line, "text": lines[line - 1], "caret": " " * max((column or 1) - 1, 0) + "^" if column else None}


def sniff(text: str) -> str:
    r"""The format pasted text most likely is, for the chooser's "automatic": body records start with
    ``bodies:`` (YAML) or the CSV header, JSON-LD with a bracket; anything else is read as Turtle
    (which N-Triples is a part of). The page names the format it assumed if the text does not parse.

    >>> sniff("bodies:\n- id: x"), sniff("id,name_zh,kind\n"), sniff(' [{"@id": "x"}]'), sniff("<a> <b> <c> .")
    ('yaml', 'csv', 'jsonld', 'turtle')
    """
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith(("{", "[")):
        return "jsonld"
    if start.startswith(("bodies:", "---")):
        return "yaml"
    if start.split("\n", 1)[0].replace(" ", "").startswith("id,"):
        return "csv"
    return "turtle"


def _calendar_counts(store, today: dt.date) -> Counter:
    return Counter(i["status"] for i in calendar.obligations(store, today=today))


def _page(request: Request, store, *, status: int = 200, compute_graph: bool = True, **context) -> HTMLResponse:
    today = dt.date.today()
    # The whole-graph report takes seconds to a minute the first time each day; the page's GET waits
    # for it, an upload's answer shows it only if it is there already (with a link to compute it).
    graph = graph_report(request, store, reference=today) if compute_graph else kept_graph_report(request, reference=today)
    counts = _calendar_counts(store, today)
    return render(request, "validate.html", status=status, formats=FORMATS, graph=graph, today=today.isoformat(),
                  calendar_counts=counts, calendar_statuses=CALENDAR_STATUSES, report_curie=_curie, report_href=_href,
                  **{"text": "", "fmt": "auto", "report": None, "error": None, "excerpt": None, "filename": None,
                     **context})


@router.get("/validate", response_class=HTMLResponse)
def validate_page(request: Request, store: StoreDep) -> HTMLResponse:
    return _page(request, store)


def _read_upload(file: UploadFile | None) -> tuple[bytes, str | None]:
    if file is None or not file.filename:
        return b"", None
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise PageError(413, f"文件超过 {MAX_UPLOAD // 1024 // 1024} MB，请拆分后分别校验。",
                        f"The file is larger than {MAX_UPLOAD // 1024 // 1024} MB; split it and validate the parts.")
    return data, file.filename


@router.post("/validate", response_class=HTMLResponse)
def validate_submitted(request: Request, store: StoreDep, text: Annotated[str, Form()] = "",
                       format: Annotated[str, Form()] = "auto", file: Annotated[UploadFile | None, File()] = None
                       ) -> HTMLResponse:
    kept, fmt, filename = text, format if format in FORMATS or format == "auto" else "auto", None
    checked = text  # the text that was parsed, for the excerpt of a parse error (None: not shown as text)
    try:
        body, filename = _read_upload(file)
        if filename:
            # The file's text goes back into the text box, so that nothing is lost if it has to be fixed.
            try:
                checked = body.decode("utf-8")
                kept = checked if len(checked) <= MAX_KEPT else kept
            except UnicodeDecodeError:
                checked = None
            if fmt == "auto":
                try:
                    fmt = _BY_MEDIA[uploads.media_type_for(Path(filename))]
                except uploads.InputError:
                    raise PageError(415, f"无法从文件名 {filename} 判断格式：请在“格式”中选择，或使用后缀 "
                                    f"{'、'.join(sorted(uploads.SUFFIXES))}。",
                                    f"Cannot tell the format of {filename} from its name: choose it under “Format”, or use "
                                    f"one of the suffixes {', '.join(sorted(uploads.SUFFIXES))}.") from None
        else:
            body = text.encode("utf-8")
            if fmt == "auto":
                fmt = sniff(text)
        if not body.strip():
            raise PageError(400, "请上传文件或粘贴要校验的数据。", "Upload a file or paste the data to validate.")
        media, fmt_label = FORMATS[fmt]
        try:
            data = uploads.read(body, media)
        except uploads.InputError as exc:
            raise _input_error(exc, fmt_label.split(" ")[0]) from None
        try:
            report = validate_record(data, store, merge=not uploads.is_record_type(media),
                                     clause_info=upload_clauses(request, store))
        except ValidationError as exc:
            raise PageError(500, "校验未能运行。", "The validation could not run.", detail=str(exc)) from None
    except PageError as exc:
        excerpt = _excerpt(checked, exc.line, exc.column) if exc.line and checked is not None else None
        return _page(request, store, status=exc.status, compute_graph=False, text=kept, fmt=fmt, error=exc, excerpt=excerpt,
                     filename=filename)
    return _page(request, store, compute_graph=False, text=kept, fmt=fmt, report=report, filename=filename)

