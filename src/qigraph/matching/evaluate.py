"""Evaluate matching on a set of described enterprises with their expected industries and centers.

    python -m qigraph.matching.evaluate [tests/data/match-eval.yaml] [--store PATH] [--quiet]

Prints, for industries, precision@1 and recall@3 (over the cases that expect an industry; a case
counts when its first hit, or any of its first three, is one of the expected concepts, as the set's
header defines; a hit stands for the exact matches folded into it), the share of no-match cases that got no industry at all, hit@10 for centers (over
the cases that expect a center), the misses, and how long ``Matcher.match`` took.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_SET = Path("tests/data/match-eval.yaml")


@dataclass
class Report:
    """The figures of one evaluation run, and its misses."""

    cases: int = 0
    with_industries: int = 0
    p_at_1: int = 0
    r_at_3: int = 0
    no_match_cases: int = 0
    no_match_ok: int = 0
    with_centers: int = 0
    centers_hit_10: int = 0
    timings_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    @property
    def precision_at_1(self) -> float:
        return self._ratio(self.p_at_1, self.with_industries)

    @property
    def recall_at_3(self) -> float:
        return self._ratio(self.r_at_3, self.with_industries)

    @property
    def no_match_accuracy(self) -> float:
        return self._ratio(self.no_match_ok, self.no_match_cases)

    @property
    def centers_hit_at_10(self) -> float:
        return self._ratio(self.centers_hit_10, self.with_centers)

    def summary(self) -> str:
        t = sorted(self.timings_ms)
        p95 = t[min(len(t) - 1, int(0.95 * len(t)))] if t else 0.0
        return "\n".join([
            (f"cases: {self.cases} ({self.with_industries} expect an industry, {self.no_match_cases} expect none, "
             f"{self.with_centers} expect a center)"),
            f"industries precision@1: {self.precision_at_1:.3f} ({self.p_at_1}/{self.with_industries})",
            f"industries recall@3:    {self.recall_at_3:.3f} ({self.r_at_3}/{self.with_industries})",
            f"no-match cases with no industry: {self.no_match_accuracy:.3f} ({self.no_match_ok}/{self.no_match_cases})",
            f"centers hit@10:         {self.centers_hit_at_10:.3f} ({self.centers_hit_10}/{self.with_centers})",
            (f"match() time: median {statistics.median(t) if t else 0:.1f} ms, p95 {p95:.1f} ms, "
             f"max {max(t, default=0):.1f} ms (in process, index built beforehand)"),
        ])


def load_cases(path: Path) -> list[dict]:
    """The cases of an evaluation file (see the header of tests/data/match-eval.yaml)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def evaluate(matcher, cases: list[dict]) -> Report:
    """Run every case through the matcher and count hits and misses.

    Args:
        matcher: a qigraph.matching.Matcher.
        cases: the cases, each with ``id``, ``text``, ``industries`` (concept keys) and ``centers`` (body ids).
    """
    report = Report()
    for case in cases:
        report.cases += 1
        started = time.perf_counter()
        result = matcher.match(case["text"], limit=10)
        report.timings_ms.append((time.perf_counter() - started) * 1000)
        # a hit stands for its exact matches in other schemes too (they are folded into it)
        got = [{i["key"], *(e["key"] for e in i.get("equivalents", []))} for i in result["industries"]]
        expected = set(case.get("industries") or [])
        label = f"{case['id']}: {case['text'][:60]!r}"
        if expected:
            report.with_industries += 1
            first = bool(got and expected & got[0])
            top3 = bool(expected & set().union(*got[:3]))
            shown = [i["key"] for i in result["industries"][:3]]
            report.p_at_1 += first
            if top3:
                report.r_at_3 += 1
            else:
                report.misses.append(f"industries  {label}\n    expected one of {sorted(expected)}\n    got {shown}")
            if top3 and not first:
                report.misses.append(f"first       {label}\n    expected one of {sorted(expected)}\n    got {shown}")
        else:
            report.no_match_cases += 1
            if not got:
                report.no_match_ok += 1
            else:
                report.misses.append(f"no-match    {label}\n    got {[(i['key'], i['score']) for i in result['industries'][:3]]}")
        want_centers = set(case.get("centers") or [])
        if want_centers:
            report.with_centers += 1
            got_centers = [c["id"] for c in result["centers"][:10]]
            if want_centers & set(got_centers):
                report.centers_hit_10 += 1
            else:
                report.misses.append(f"centers     {label}\n    expected one of {sorted(want_centers)}\n    got {got_centers[:5]}")
    return report


def main(argv: list[str] | None = None) -> int:
    from qigraph.config import default_store_location
    from qigraph.store import open_store

    from .matcher import get_matcher

    p = argparse.ArgumentParser(prog="python -m qigraph.matching.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("cases", nargs="?", default=str(DEFAULT_SET), help="evaluation file (default: %(default)s)")
    p.add_argument("--store", default=default_store_location(), help="the built store (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="print the figures only, not the misses")
    args = p.parse_args(argv)
    store = open_store(args.store, read_only=True)
    try:
        started = time.perf_counter()
        matcher = get_matcher(store, key=args.store)
        built = time.perf_counter() - started
        report = evaluate(matcher, load_cases(Path(args.cases)))
    finally:
        store.close()
    if not args.quiet:
        for miss in report.misses:
            print(miss)
        print()
    print(f"index built in {built:.2f} s")
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
