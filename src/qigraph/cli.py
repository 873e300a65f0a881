"""The ``qigraph`` command: thin commands over plain functions.

Exit codes: 0 success; 1 invalid data (the sources or a query do not check out); 2 usage or
operational error (no store, bad option, server cannot start).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from pathlib import Path

from qigraph import __version__
from qigraph.config import STORE_ENV, Settings, default_store_location, endpoint_options

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
EXPORT_TYPES = {"turtle": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
                "jsonld": "application/ld+json", "json-ld": "application/ld+json", "rdfxml": "application/rdf+xml"}


def _err(message: str) -> None:
    print(f"qigraph: {message}", file=sys.stderr)


def _open(descriptor: str, **options):
    """The store a descriptor names, read-only, with a remote endpoint's options from the environment."""
    from qigraph.store import open_store

    return open_store(descriptor, read_only=True, **Settings(store=descriptor).open_options(), **options)


def cmd_build(args) -> int:
    from qigraph.build import build

    def progress(line: str) -> None:
        print(f"  {line}", file=sys.stderr)

    print(f"building the graph into {args.store}", file=sys.stderr)
    report = build(args.store, Path(args.data) if args.data else None, progress=progress,
                   options=Settings(store=args.store).open_options())
    print(f"built: {report.total} triples", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args) -> int:
    from qigraph.store.bounded import BoundedStore

    settings = Settings(store=args.store, query_timeout=args.query_timeout, max_result_bytes=args.max_result_bytes,
                        query_workers=args.query_workers, allowed_services=tuple(args.allow_service or ()),
                        max_request_bytes=args.max_request_bytes, cors_origins=tuple(args.cors_origin or ()),
                        rate_limit=args.rate_limit, **({"data_dir": args.data} if args.data else {}))
    if args.rate_limit:
        from qigraph.api.ratelimit import parse_rate

        parse_rate(args.rate_limit)  # a typo is an error now, not when the first request comes
    if settings.data_dir:  # a data merge a crash interrupted is finished or undone before the workers open the store
        from qigraph.merge import recover_locked

        recover_locked(settings.data_dir, settings.store, options=settings.open_options())
    # Fails now, with the store's message, not on the first request; and the query workers boot
    # while the web stack below is imported, rather than after it (cold start, see benchmarks).
    store = BoundedStore(settings.store, workers=settings.query_workers, timeout=settings.query_timeout,
                         max_bytes=settings.max_result_bytes, allowed_services=settings.allowed_services,
                         options=settings.open_options())
    import uvicorn

    from qigraph.api.app import create_app

    app = create_app(settings, store=store)
    print(f"serving {args.store} on http://{args.host}:{args.port}/  (SPARQL at /sparql)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return EXIT_OK


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(binding: dict | None) -> str:
    return binding["value"] if binding else ""


def format_results(result: dict, fmt: str) -> str:
    """SPARQL JSON results as a text table, JSON or CSV."""
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=2)
    if "boolean" in result:
        return "true" if result["boolean"] else "false"
    names = result["head"]["vars"]
    rows = [[_cell(b.get(v)) for v in names] for b in result["results"]["bindings"]]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def cmd_query(args) -> int:
    from qigraph.catalog_queries import load_catalog

    bindings = None
    if args.name:
        queries = load_catalog()
        if args.name not in queries:
            _err(f"no named query {args.name!r}; `qigraph queries` lists them")
            return EXIT_ERROR
        named = queries[args.name]
        params = {}
        for item in args.param or []:
            key, sep, value = item.partition("=")
            if not sep:
                _err(f"--param takes key=value (got {item!r})")
                return EXIT_ERROR
            params[key] = value
        bindings = named.bind(params)
        text = named.sparql
    elif args.sparql:
        path = Path(args.sparql)
        text = path.read_text(encoding="utf-8") if path.suffix in (".rq", ".sparql") and path.is_file() else args.sparql
    else:
        _err("give a SPARQL query (text or a .rq file) or --name NAME")
        return EXIT_ERROR
    store = _open(args.store)
    try:
        result = store.select(text, bindings=bindings)
    finally:
        store.close()
    print(format_results(result, args.format))
    return EXIT_OK


def cmd_queries(args) -> int:
    from qigraph.catalog_queries import load_catalog

    for name, q in sorted(load_catalog().items()):
        params = " ".join(f"{p.name}={p.example}" for p in q.params)
        print(f"{name:<32} {q.title_zh} / {q.title_en}" + (f"  [{params}]" if params else ""))
    return EXIT_OK


def cmd_load(args) -> int:
    from qigraph.store import open_store

    options = {**endpoint_options(), **{k: v for k, v in (("update_url", args.update_url), ("store_url", args.store_url),
                                                         ("graph", args.graph), ("user", args.user)) if v}}
    source = _open(args.store)
    try:
        ntriples = source.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", accept="application/n-triples").body
    finally:
        source.close()
    target = open_store(args.endpoint, **options)
    lines = ntriples.count(b"\n")
    print(f"loading {lines} triples from {args.store} into {args.endpoint}"
          + (f" (graph {options['graph']})" if options.get("graph") else ""), file=sys.stderr)
    target.replace_graph(ntriples)
    print(f"loaded: the endpoint now holds {target.triple_count()} triples", file=sys.stderr)
    return EXIT_OK


def cmd_export(args) -> int:
    media = EXPORT_TYPES[args.format]
    store = _open(args.store)
    try:
        result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", accept=media)
    finally:
        store.close()
    if args.output:
        Path(args.output).write_bytes(result.body)
        print(f"wrote {len(result.body)} bytes of {media} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(result.body)
    return EXIT_OK


def cmd_match(args) -> int:
    from qigraph.matching import MatchError, get_matcher
    from qigraph.matching.render import as_text

    store = _open(args.store)
    try:
        result = get_matcher(store, key=args.store).match(args.text or "", limit=args.limit, code=args.code)
    except MatchError as exc:
        _err(str(exc))
        return EXIT_ERROR
    finally:
        store.close()
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.format == "json" else as_text(result))
    return EXIT_OK
def cmd_validate(args) -> int:
    import datetime

    from qigraph import uploads
    from qigraph.validation import validate, validate_record, validate_store

    reference = datetime.date.fromisoformat(args.date) if args.date else None
    if args.files:
        data = _read_files(args.files)
        if data is None:
            return EXIT_ERROR
        merge = not all(uploads.is_record_type(uploads.media_type_for(Path(f))) for f in args.files)
        if args.no_store:
            report = validate(data, reference_date=reference)
        else:
            store = _open(args.store)
            try:
                report = validate_record(data, store, reference_date=reference, merge=merge)
            finally:
                store.close()
    else:
        store = _open(args.store)
        try:
            report = validate_store(store, reference_date=reference)
        finally:
            store.close()
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif args.format in ("turtle", "json-ld"):
        print(report.serialize(format=args.format))
    else:
        print(_report_text(report, args.lang))
    return EXIT_OK if report.conforms else EXIT_INVALID


def _read_files(files: list[str]):
    from rdflib import Graph

    from qigraph import uploads

    data = Graph()
    for name in files:
        path = Path(name)
        try:
            data += uploads.read(path.read_bytes(), uploads.media_type_for(path))
        except uploads.InputError as exc:
            _err(f"{name}: {exc}")
            return None
    return data


def _report_text(report, lang: str) -> str:
    lines = []
    for r in report.results:
        focus = r.focus_label.get(lang) or r.focus
        lines.append(f"{r.severity:<9} {focus}  <{r.focus}>")
        if r.path:
            lines.append(f"          path  {r.path}" + (f"  value  {r.value}" if r.value else ""))
        lines.append(f"          {r.message.get(lang) or r.message.get('en', '')}")
        for c in r.clauses:
            lines.append(f"          {'依据' if lang == 'zh' else 'clause'}  {c.label.get(lang) or c.iri}  <{c.iri}>")
    lines.append(report.summary(lang))
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qigraph", description="Knowledge graph of Shanghai's quality infrastructure.")
    p.add_argument("--version", action="version", version=f"qigraph {__version__}")
    p.add_argument("--store", default=default_store_location(),
                   help=f"store descriptor or folder (default: ${STORE_ENV} or %(default)s)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph from the documents and curated data into the store")
    b.add_argument("--data", help="curated data folder (default: the packaged data/)")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="serve the API and SPARQL endpoint on a built store")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--log-level", default="info")
    s.add_argument("--query-timeout", type=float, default=30.0, help="seconds a query may run (default %(default)s)")
    s.add_argument("--max-result-bytes", type=int, default=64 * 1024 * 1024, help="result size cap (default %(default)s)")
    s.add_argument("--query-workers", type=int, default=2, help="query worker processes (default %(default)s)")
    s.add_argument("--allow-service", action="append", metavar="URL", help="a SERVICE endpoint queries may call (repeatable)")
    s.add_argument("--max-request-bytes", type=int, default=8 * 1024 * 1024, help="request body cap (default %(default)s)")
    s.add_argument("--cors-origin", action="append", metavar="ORIGIN", help="an origin browsers may call the API from (repeatable)")
    s.add_argument("--data", metavar="DIR", help="the curated data folder POST /data merges into ($QIGRAPH_DATA); "
                   "without it, data writes are refused")
    s.add_argument("--rate-limit", metavar="RATE", help="requests each client address may make, e.g. 60/minute or "
                                                        "10/second;500/hour; over it: 429 with Retry-After (default: no limit)")
    s.set_defaults(func=cmd_serve)

    q = sub.add_parser("query", help="run a SPARQL query (text or .rq file) or a named query")
    q.add_argument("sparql", nargs="?", help="SPARQL text or a path to a .rq file")
    q.add_argument("--name", help="a named query of the catalog (see `qigraph queries`)")
    q.add_argument("--param", action="append", metavar="KEY=VALUE", help="a parameter of the named query")
    q.add_argument("--format", choices=("table", "json", "csv"), default="table")
    q.set_defaults(func=cmd_query)

    c = sub.add_parser("queries", help="list the named queries")
    c.set_defaults(func=cmd_queries)

    lo = sub.add_parser("load", help="push the built graph to a remote SPARQL endpoint (replacing what it held there)")
    lo.add_argument("--endpoint", required=True, metavar="URL", help="the endpoint's SPARQL query URL")
    lo.add_argument("--update-url", help="its SPARQL Update URL (default: the query URL; $QIGRAPH_ENDPOINT_UPDATE)")
    lo.add_argument("--store-url", help="its Graph Store Protocol URL, used instead of INSERT DATA if given ($QIGRAPH_ENDPOINT_STORE)")
    lo.add_argument("--graph", help="the named graph to hold the data (default: the default graph; $QIGRAPH_ENDPOINT_GRAPH)")
    lo.add_argument("--user", help="user name ($QIGRAPH_ENDPOINT_USER); the password comes from $QIGRAPH_ENDPOINT_PASSWORD")
    lo.set_defaults(func=cmd_load)
    m = sub.add_parser("match", help="match a description (Chinese or English) or a GB/T 4754-2017 code to industries, "
                                     "centers, tasks, clauses, agencies and programs")
    m.add_argument("text", nargs="?", help="what the enterprise makes or does; or a code such as C3742")
    m.add_argument("--code", help="a GB/T 4754-2017 industry code")
    m.add_argument("--limit", type=int, default=10, help="the most hits in each list (default %(default)s)")
    m.add_argument("--format", choices=("table", "json"), default="table")
    m.set_defaults(func=cmd_match)

    e = sub.add_parser("export", help="export the whole graph")
    e.add_argument("--format", choices=sorted(EXPORT_TYPES), default="turtle")
    e.add_argument("-o", "--output", help="file to write (default: standard output)")
    e.set_defaults(func=cmd_export)

    # `qigraph eligibility` and `qigraph obligations`
    from qigraph.cli_eligibility import register as register_eligibility

    register_eligibility(sub)
    # `qigraph merge`
    from qigraph.cli_merge import register as register_merge

    register_merge(sub)
    v = sub.add_parser("validate", help="validate files (with the store neighbourhood they reference), or the built graph, "
                                        "against the SHACL shapes; exit 0 conforms, 1 violations, 2 error")
    v.add_argument("files", nargs="*", metavar="FILE", help=".ttl .nt .jsonld/.json, or body records .yaml/.csv (none: the built graph)")
    v.add_argument("--format", choices=("text", "turtle", "json-ld", "json"), default="text")
    v.add_argument("--lang", choices=("zh", "en"), default="en", help="language of messages and labels in text output")
    v.add_argument("--date", help="the date the timeline shapes take as today, YYYY-MM-DD (default: today)")
    v.add_argument("--no-store", action="store_true", help="validate the files alone, without the built graph")
    v.set_defaults(func=cmd_validate)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    from qigraph.catalog_queries import CatalogError
    from qigraph.loaders.records import DataError
    from qigraph.store import QuerySyntaxError, StoreError
    from qigraph.validation import ValidationError

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataError, QuerySyntaxError, CatalogError) as exc:
        _err(str(exc))
        return EXIT_INVALID
    except (StoreError, ValidationError) as exc:
        _err(str(exc))
        return EXIT_ERROR
    except ValueError as exc:  # e.g. --date not YYYY-MM-DD
        _err(str(exc))
        return EXIT_ERROR
    except OSError as exc:
        _err(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
