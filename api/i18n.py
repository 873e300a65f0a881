"""The web interface's two languages: which one a request gets, and the interface's words in each.

Chinese is the default. A ``lang`` query parameter chooses (and the response remembers it in a
``lang`` cookie); otherwise the cookie; otherwise the browser's Accept-Language; otherwise Chinese.
Data (labels, clause texts) come from the graph in the chosen language where the graph has it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from .conneg import by_preference

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"
# HTML lang attribute values: the interface's Chinese is Simplified Chinese.
HTML_LANG = {"zh": "zh-Hans", "en": "en"}


def _normalise(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    for lang in LANGS:
        if value == lang or value.startswith((lang + "-", lang + "_")):
            return lang
    return None


def accept_language(header: str | None) -> str | None:
    """The first of our languages in an Accept-Language header, by the client's preference.

    >>> accept_language("en-GB,en;q=0.9,zh-CN;q=0.8")
    'en'
    >>> accept_language("fr, zh-TW;q=0.5, en;q=0.4")
    'zh'
    >>> accept_language("fr") is None
    True
    """
    for q, tag in by_preference(header):
        if q > 0 and _normalise(tag):
            return _normalise(tag)
    return None


def pick_lang(request: Request) -> str:
    """The language of the page a request gets: ``?lang=``, the ``lang`` cookie, Accept-Language, Chinese."""
    return (_normalise(request.query_params.get("lang")) or _normalise(request.cookies.get(COOKIE))
            or accept_language(request.headers.get("accept-language")) or DEFAULT)


def chosen_lang(request: Request) -> str | None:
    """The language a request chose explicitly with ``?lang=``, to remember in the cookie."""
    return _normalise(request.query_params.get("lang"))


# The interface's words. Keys are short English phrases, so templates read naturally.
MESSAGES: dict[str, tuple[str, str]] = {
    "site": ("上海质量基础设施知识图谱", "Shanghai Quality Infrastructure Knowledge Graph"),
    "skip": ("跳到正文", "Skip to content"),
    "home": ("首页", "Home"),
    "workbench": ("查询工作台", "Query workbench"),
    "industries": ("产业浏览", "Industry explorer"),
    "ontology": ("本体文档", "Ontology"),
    "api docs": ("API 文档", "API docs"),
    "match": ("产业匹配", "Industry matching"),
    "calendar": ("报送日历", "Reporting calendar"),
    "match intro": ("描述企业的产品、技术或经营范围（中文或英文），或输入国民经济行业代码（GB/T 4754-2017），查找相关的产业、机构、任务和条款。",
                    "Describe what a business makes or does (a product, a technology, a business scope; Chinese or English), or give a GB/T 4754-2017 industry code, to find the industries, centers, tasks and clauses that concern it."),
    "description": ("描述", "Description"),
    "industry code": ("行业代码（可选）", "Industry code (optional)"),
    "search": ("匹配", "Match"),
    "matched industries": ("匹配的产业", "Matched industries"),
    "matched centers": ("相关机构", "Related centers"),
    "matched tasks": ("相关任务", "Related tasks"),
    "matched clauses": ("相关条款", "Related clauses"),
    "codes": ("行业代码", "Industry codes"),
    "score": ("相关度", "score"),
    "matched words": ("匹配词", "matched words"),
    "nothing matched": ("没有匹配结果。", "Nothing matched."),
    "calendar intro": ("各机构按所属建设类别应履行的报告和时限义务：到期日由条款和已记录的建设事件推出；日期不明的如实标明。",
                       "What each body must report or do under its program's clauses; due dates follow from the clauses and the recorded lifecycle events, and say so where they cannot be known."),
    "as of": ("判断日期", "As of"),
    "all statuses": ("全部状态", "All statuses"),
    "filter": ("筛选", "Filter"),
    "body id": ("机构 ID（可选）", "Body id (optional)"),
    "obligation": ("义务", "Obligation"),
    "due": ("到期", "Due"),
    "status": ("状态", "Status"),
    "note": ("说明", "Note"),
    "clause": ("条款", "Clause"),
    "no obligations": ("没有符合条件的义务。", "No obligation fits."),
    "status:overdue": ("已逾期", "Overdue"),
    "status:possibly-overdue": ("可能逾期", "Possibly overdue"),
    "status:upcoming": ("即将到期", "Upcoming"),
    "status:due-date-unknown": ("到期日不明", "Due date unknown"),
    "status:on-event": ("事件触发", "On event"),
    "status:standing": ("持续义务", "Standing"),
    "status:passed": ("日期已过", "Date passed"),
    "status:met-late": ("逾期完成", "Met late"),
    "status:met": ("已完成", "Met"),
    "switch": ("English", "中文"),
    "switch label": ("切换到英文", "Switch to Chinese"),
    "home intro": ("上海质量基础设施（检验检测中心、产业计量测试中心、集成服务项目、功能性平台）、承建单位、服务产业、主管部门、2026年重点任务及相关政策条款。每条事实均可追溯到条款或公开来源。",
                   "Shanghai's quality infrastructure (testing centers, industrial metrology centers, integrated service projects, functional platforms), their hosts, the industries they serve, the agencies, the 2026 key tasks and the policy clauses behind them. Every fact points to its clause or public source."),
    "in the graph": ("图谱中有：", "In the graph:"),
    "bodies": ("机构", "bodies"),
    "tasks": ("项任务", "tasks"),
    "documents": ("份政策文件", "policy documents"),
    "agencies": ("个部门", "agencies"),
    "triples": ("条三元组", "triples"),
    "workbench intro": ("用 SPARQL 查询知识图谱，或从下方的命名查询开始。", "Query the graph with SPARQL, or start from one of the named queries."),
    "industries intro": ("各产业体系的层级，括号内为服务该产业（含下级和映射产业）的机构数。点击产业查看机构。",
                         "The industry schemes as trees; the number is how many bodies serve the industry (narrower and mapped industries included). Choose one to see its bodies."),
    "ontology intro": ("qigraph 本体（qi:）的类和属性，由 ontology/qigraph.ttl 生成。使用数为图谱中的实例数或三元组数。",
                       "The classes and properties of the qigraph ontology (qi:), generated from ontology/qigraph.ttl. Usage is the number of instances or statements in the graph."),
    "query": ("查询", "Query"),
    "run": ("运行", "Run"),
    "run hint": ("Ctrl+Enter 运行", "Ctrl+Enter runs"),
    "named queries": ("命名查询", "Named queries"),
    "parameters": ("参数", "Parameters"),
    "open in workbench": ("在工作台中编辑", "Edit in the workbench"),
    "results": ("结果", "Results"),
    "rows": ("行", "rows"),
    "took": ("用时", "took"),
    "ms": ("毫秒", "ms"),
    "download": ("下载", "Download"),
    "chart": ("图表", "Chart"),
    "showing first": ("仅显示前 {shown} 行，共 {total} 行；下载可得全部结果。", "Showing the first {shown} of {total} rows; the downloads have them all."),
    "no rows": ("没有结果。", "No results."),
    "ask true": ("是（true）", "Yes (true)"),
    "ask false": ("否（false）", "No (false)"),
    "graph result": ("图结果（Turtle）", "Graph result (Turtle)"),
    "error": ("出错：", "Error:"),
    "bar chart of": ("条形图：{value} 按 {label}", "Bar chart: {value} by {label}"),
    "schemes": ("产业体系", "Industry schemes"),
    "choose industry": ("请在左侧选择一个产业。", "Choose an industry on the left."),
    "bodies serving": ("服务“{label}”的机构", "Bodies serving “{label}”"),
    "none serving": ("图谱中没有服务该产业的机构。", "No body in the graph serves this industry."),
    "kind": ("类型", "Kind"),
    "host": ("承建单位", "Host"),
    "host unknown": ("承建单位不详（公开来源未载明）", "Host unknown (no public source names it)"),
    "state": ("建设状态", "State"),
    "district": ("所在区", "District"),
    "unknown": ("不详", "unknown"),
    "industries served": ("服务产业", "Industries"),
    "sources": ("来源", "Sources"),
    "approved by": ("批准部门", "Approved by"),
    "lifecycle": ("建设历程", "Lifecycle"),
    "date unknown": ("日期不明", "date unknown"),
    "no events": ("公开来源中没有该机构的建设事件。", "No lifecycle event of this body is in the public sources."),
    "tasks concerning": ("涉及该机构的 2026 年重点任务", "2026 key tasks that concern this body"),
    "no tasks": ("没有直接涉及该机构的任务。", "No task names this body."),
    "clauses concerning": ("相关条款", "Clauses that concern it"),
    "clauses note": ("该机构所属建设类别的要求及其所引条款，以及作为该机构来源的条款。",
                     "The requirements of the program for its kind, with their clauses, and the clauses cited as its sources."),
    "cited clauses": ("作为来源的条款", "Clauses cited as its sources"),
    "no clauses": ("没有相关条款。", "No clause concerns it."),
    "task": ("任务", "Task"),
    "requirement": ("要求", "Requirement"),
    "linked data": ("关联数据", "Linked data"),
    "linked from": ("被引用", "Linked from"),
    "why matched": ("匹配原因", "Why it matched"),
    "classes": ("类", "Classes"),
    "object properties": ("对象属性", "Object properties"),
    "datatype properties": ("数据属性", "Datatype properties"),
    "annotation properties": ("注释属性", "Annotation properties"),
    "individuals": ("命名个体", "Named individuals"),
    "class": ("类", "Class"),
    "object property": ("对象属性", "Object property"),
    "datatype property": ("数据属性", "Datatype property"),
    "annotation property": ("注释属性", "Annotation property"),
    "individual": ("命名个体", "Named individual"),
    "term": ("术语", "Term"),
    "other label": ("另一语言标签", "Label in the other language"),
    "types": ("类型", "Types"),
    "label": ("标签", "Label"),
    "definition": ("定义", "Definition"),
    "comment": ("说明", "Comment"),
    "superclasses": ("上位类", "Superclasses"),
    "subclasses": ("下位类", "Subclasses"),
    "domain": ("定义域", "Domain"),
    "range": ("值域", "Range"),
    "superproperties": ("上位属性", "Superproperties"),
    "subproperties": ("下位属性", "Subproperties"),
    "inverse": ("逆属性", "Inverse of"),
    "characteristics": ("特性", "Characteristics"),
    "instances of": ("实例", "Instances"),
    "members": ("成员", "Members"),
    "used as domain": ("以此为定义域的属性", "Properties with this domain"),
    "used as range": ("以此为值域的属性", "Properties with this range"),
    "usage": ("使用数", "Usage"),
    "usage class": ("图谱中有 {n} 个实例（含下位类）", "{n} instances in the graph (subclasses included)"),
    "usage property": ("图谱中有 {n} 条使用它的三元组", "{n} statements in the graph use it"),
    "query instances": ("查询实例", "Query its instances"),
    "query usage": ("查询用法", "Query its use"),
    "see ontology": ("本体文档", "Ontology documentation"),
    "richer page": ("机构页面", "Body page"),
    "not found": ("未找到", "Not found"),
    "details": ("详细信息（原文）：", "Details:"),
    "error:syntax": ("查询有语法错误，请按下面指出的行和列修改。", "The query has a syntax error; fix it where the line and column below say."),
    "error:forbidden": ("该查询不能在此运行（本端点只读，或调用了未允许的 SERVICE）。", "This query cannot run here (the endpoint is read-only, or it calls a SERVICE not allowed)."),
    "error:timeout": ("查询超时，请缩小范围（加 LIMIT 或更具体的条件）后再试。", "The query took too long; narrow it (a LIMIT, more specific patterns) and try again."),
    "error:busy": ("服务繁忙，请稍后再试。", "The service is busy; try again shortly."),
    "error:too large": ("结果太大，请加 LIMIT 或缩小查询范围。", "The result is too large; add a LIMIT or narrow the query."),
    "error:store": ("图谱存储出错，查询未能完成。", "The graph store failed; the query was not answered."),
    "error:parameter": ("参数值不符合要求，请按下面的说明修改。", "A parameter value does not fit; fix it as said below."),
    "validate": ("数据校验", "Validation"),
    "validate intro": ("上传文件或粘贴数据（Turtle、JSON-LD、N-Triples，或 YAML/CSV 格式的机构记录），按 SHACL 约束校验：结果按条款和约束分组，连同图谱中被引用资源的类型和标签一起判断。不会写入任何数据。",
                       "Upload a file or paste data (Turtle, JSON-LD, N-Triples, or body records as YAML or CSV) to check it against the SHACL shapes, together with the types and labels of what it references in the graph; the report is grouped by clause and by shape. Nothing is written."),
    "upload file": ("上传文件", "Upload a file"),
    "last file": ("上次提交的文件：{name}（内容已放入下方文本框）", "Last file submitted: {name} (its text is in the box below)"),
    "or paste": ("或粘贴文本", "Or paste text"),
    "format": ("格式", "Format"),
    "format auto": ("自动（文件按后缀，粘贴文本按内容）", "Automatic (a file by its suffix, pasted text by its content)"),
    "format hint": ("YAML/CSV 机构记录的写法见 docs/data-conventions.md。",
                    "The YAML/CSV body record formats are in docs/data-conventions.md."),
    "check": ("校验", "Validate"),
    "parser says": ("解析器原文：", "The parser says:"),
    "error line": ("出错的行", "The line with the error"),
    "upload report": ("提交数据的校验报告", "Report on the submitted data"),
    "graph status": ("图谱自身的校验状态", "The built graph's own status"),
    "violations": ("违规", "Violations"),
    "warnings": ("警告", "Warnings"),
    "infos": ("提示", "Infos"),
    "graph pending": ("今天的图谱校验尚未完成（首次需要几十秒）。", "Today's validation of the graph has not been run yet (the first takes up to a minute)."),
    "graph compute": ("运行并查看", "Run it and see"),
    "full report": ("查看完整校验报告", "The full validation report"),
    "open calendar": ("打开报送日历", "Open the reporting calendar"),
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the interface's word for ``key`` in ``lang``; unknown keys show as themselves."""
    index = LANGS.index(lang)

    def t(key: str, **values: object) -> str:
        text = MESSAGES[key][index] if key in MESSAGES else key
        return text.format(**values) if values else text

    return t
