"""The ``qigraph eligibility`` and ``qigraph obligations`` commands (registered by qigraph.cli).

``qigraph eligibility --program P PROFILE`` exits 0 when every criterion is met, 1 when some
criterion is not met or lacks information, 2 on an error (unknown program, unreadable profile,
no store). ``qigraph obligations`` prints the reporting calendar and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
_RDF_SUFFIX = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
               ".rdf": "application/rdf+xml"}
_MARK = {"met": "met", "not-met": "NOT MET", "not-enough-information": "not enough information"}


def _err(message: str) -> None:
    print(f"qigraph: {message}", file=sys.stderr)


def run_eligibility(store, program: str, path: Path) -> dict:
    """Read a profile file (.json, or RDF by suffix) and check it; raises the eligibility errors."""
    from pydantic import ValidationError

    from qigraph import eligibility

    if path.suffix in _RDF_SUFFIX:
        graph, applicant = eligibility.read_rdf_profile(path.read_bytes(), _RDF_SUFFIX[path.suffix])
        return eligibility.check(store, program, graph, applicant)
    try:
        profile = eligibility.Profile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise eligibility.ProfileError(f"{path}: not valid JSON: {exc}") from exc
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'profile'}: {e['msg']}" for e in exc.errors())
        raise eligibility.ProfileError(f"{path}: fix these fields: {fields}") from exc
    return eligibility.check_json(store, program, profile)


def format_report(report: dict) -> str:
    """A verdict report as text: one block per criterion, then the outcome."""
    lines = [f"{report['program']['label']['zh']} / {report['program']['label']['en']}", ""]
    for c in report["criteria"]:
        lines.append(f"[{_MARK[c['verdict']]}] {c['label']['zh']} / {c['label']['en']}")
        lines.append(f"    {c['clause']['label']}: 「{c['clause']['quote']}」 <{c['clause']['iri']}>")
        for r in c["reasons"]:
            lines.append(f"    - {r['message']['en']}")
    counts = report["counts"]
    summary = (f"{report['outcome']}: {counts['met']} met, {counts['not-met']} not met, "
               f"{counts['not-enough-information']} not enough information")
    lines += ["", summary]
    if report["unresolved_industries"]:
        lines.append(f"industries matching no concept: {', '.join(report['unresolved_industries'])}")
    return "\n".join(lines)


def cmd_eligibility(args) -> int:
    from qigraph import eligibility
    from qigraph.store import open_store

    path = Path(args.profile)
    if not path.is_file():
        _err(f"no profile file {path}")
        return EXIT_ERROR
    store = open_store(args.store, read_only=True)
    try:
        report = run_eligibility(store, args.program, path)
    except (eligibility.UnknownProgram, eligibility.ProfileError) as exc:
        _err(str(exc))
        return EXIT_ERROR
    finally:
        store.close()
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.format == "json" else format_report(report))
    return EXIT_OK if report["outcome"] == "eligible" else EXIT_INVALID


def cmd_obligations(args) -> int:
    from qigraph import obligations
    from qigraph.namespaces import QID
    from qigraph.store import open_store

    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    body = args.body if not args.body or args.body.startswith("http") else str(QID[f"body/{args.body}"])
    store = open_store(args.store, read_only=True)
    try:
        if body and not obligations.body_exists(store, body):
            _err(f"there is no QI body {args.body!r}")
            return EXIT_ERROR
        items = obligations.obligations(store, today=today, body=body)
    finally:
        store.close()
    if args.overdue:
        items = [i for i in items if i["overdue"]]
    if args.format == "json":
        print(json.dumps(items, ensure_ascii=False, indent=2))
    else:
        for i in items:
            print(f"{i['due'] or 'unknown':<12} {i['status']:<17} {i['body']['id']:<40} {i['obligation']['label']['zh']}"
                  + (f" ({i['period']})" if i["period"] else "") + f" — {i['note']['zh']}")
        print(f"({len(items)} item{'s' if len(items) != 1 else ''}, as of {today.isoformat()})")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the two commands to the ``qigraph`` parser."""
    e = sub.add_parser("eligibility", help="check an organisation's profile against a program's application conditions "
                                           "(exit 0 all met, 1 some not met or not enough information, 2 error)")
    e.add_argument("--program", required=True, help="program id, e.g. municipal-industrial-metrology-center")
    e.add_argument("profile", help="the profile: .json (see POST /eligibility) or RDF (.ttl, .jsonld, .nt)")
    e.add_argument("--format", choices=("text", "json"), default="text")
    e.set_defaults(func=cmd_eligibility)

    o = sub.add_parser("obligations", help="the reporting calendar: obligations of QI bodies and their due dates")
    o.add_argument("--body", help="a body id or IRI (default: every body)")
    o.add_argument("--today", help="the date to judge by, YYYY-MM-DD (default: today)")
    o.add_argument("--overdue", action="store_true", help="only overdue items")
    o.add_argument("--format", choices=("text", "json"), default="text")
    o.set_defaults(func=cmd_obligations)
