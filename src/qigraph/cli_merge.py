"""The ``qigraph merge`` command (registered by qigraph.cli): ``POST /data`` from the command line.

``qigraph merge FILE --data DIR --store PATH`` merges the body records of FILE (.yaml or .csv) into
the curated data folder DIR and rebuilds the store from it, atomically (see ``qigraph.merge``).
Exit codes: 0 merged; 1 invalid data (malformed or conflicting records, violations of the shapes:
nothing written); 2 error (no such file, no data folder, the store cannot be written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def _err(message: str) -> None:
    print(f"qigraph: {message}", file=sys.stderr)


def cmd_merge(args) -> int:
    from qigraph import merge, uploads
    from qigraph.config import Settings
    from qigraph.loaders.records import DataError

    path = Path(args.file)
    try:
        data_dir = merge.writable_data_dir(args.data)
        records = uploads.read_records(path.read_bytes(), uploads.media_type_for(path))
        options = Settings(store=args.store).open_options()
        result = merge.merge(records, data_dir=data_dir, store=args.store, options=options, who=args.who,
                             reference_date=dt.date.fromisoformat(args.date) if args.date else None,
                             progress=lambda step: print(f"merge: {step}", file=sys.stderr, flush=True))
    except PermissionError as exc:
        _err(f"--data {args.data}: {exc}")
        return EXIT_ERROR
    except uploads.InputError as exc:
        _err(f"{path}: {exc}")
        return EXIT_INVALID if exc.kind == "record" or exc.line else EXIT_ERROR
    except merge.MergeConflict as exc:
        _err(str(exc))
        return EXIT_INVALID
    except merge.MergeRejected as exc:
        print(json.dumps(exc.report.to_json(), ensure_ascii=False, indent=2))
        _err(f"{exc}; nothing was written")
        return EXIT_INVALID
    except DataError as exc:
        _err(f"the merged data does not build: {exc}; nothing was written")
        return EXIT_INVALID
    print(json.dumps({k: v for k, v in result.to_json().items() if k != "validation"}, ensure_ascii=False, indent=2))
    print(f"merged {len(result.added)} added, {len(result.replaced)} replaced into {', '.join(result.files)}; "
          f"the store holds {result.triples} triples", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the command to the ``qigraph`` parser."""
    m = sub.add_parser("merge", help="merge body records (.yaml, .csv) into a curated data folder and rebuild the store, "
                                     "atomically (exit 0 merged, 1 invalid data: nothing written, 2 error)")
    m.add_argument("file", help="the batch: body records as YAML (bodies: [...]) or CSV")
    m.add_argument("--data", required=True, metavar="DIR", help="the curated data folder to merge into (not the installed one)")
    # also accepted after the command, as the brief's `qigraph merge FILE --data DIR --store PATH`
    m.add_argument("--store", default=argparse.SUPPRESS, help="the store rebuilt from the folder (default: qigraph --store)")
    m.add_argument("--who", default="steward", help="who merges, for the merge log (default %(default)s)")
    m.add_argument("--date", help="the date the timeline shapes take as today, YYYY-MM-DD (default: today)")
    m.set_defaults(func=cmd_merge)
