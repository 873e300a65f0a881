"""docs/benchmarks.md from the recorded results: tables per scale, the targets as ratios measured in
the same run, the load test, and PNG plots (matplotlib, a bench extra)."""

from __future__ import annotations

import math
from pathlib import Path

ENGINES = ("pyoxigraph", "qigraph-api", "rdflib-endpoint", "oxigraph-server", "qigraph-api→oxigraph-server",
           "virtuoso", "qigraph-api→virtuoso")
LABELS = {"pyoxigraph": "(b) pyoxigraph in-process", "qigraph-api": "(a) qigraph API, embedded",
          "rdflib-endpoint": "(c) rdflib-endpoint", "oxigraph-server": "Oxigraph server (HTTP, raw)",
          "qigraph-api→oxigraph-server": "(d) qigraph API → Oxigraph server",
          "virtuoso": "Virtuoso (HTTP, raw)", "qigraph-api→virtuoso": "(d) qigraph API → Virtuoso"}


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _triples(n: int) -> str:
    return f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.1f} k"


def _ordered(results: dict) -> list[tuple[str, dict]]:
    return sorted(results["scales"].items(), key=lambda kv: kv[1]["triples"])


def _items(engine: dict) -> dict:
    return engine.get("items") or {}


def sum_p50(engine: dict, prefix: str, names: list[str] | None = None) -> float | None:
    """The sum of p50s over the engine's items of a kind: the time for one pass over them."""
    items = {k: v for k, v in _items(engine).items() if k.startswith(prefix) and (names is None or k in names)}
    if not items or (names is not None and len(items) < len(names)) or any(v.get("p50_ms") is None for v in items.values()):
        return None
    return sum(v["p50_ms"] for v in items.values())


def _geomean(values: list[float]) -> float | None:
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def _p50(t: dict) -> float | None:
    """A p50, or for a request that timed out the timeout (a lower bound)."""
    return t.get("p50_ms") or t.get("timed_out_ms")


def ratios(scale: dict, num: str, den: str, prefix: str = "catalog:") -> dict:
    """Per-item p50 ratios num/den and their aggregates, over the items both engines answered
    (a timed-out request counts as its timeout: the ratio is then a lower or upper bound)."""
    a, b = _items(scale["engines"].get(num, {})), _items(scale["engines"].get(den, {}))
    names = sorted(k for k in a if k.startswith(prefix) and k in b and _p50(a[k]) and _p50(b[k]))
    per = {k: _p50(a[k]) / _p50(b[k]) for k in names}
    if not per:
        return {}
    total = sum(_p50(a[k]) for k in names) / sum(_p50(b[k]) for k in names)
    censored = any(a[k].get("timed_out_ms") or b[k].get("timed_out_ms") for k in names)
    return {"per_item": per, "geomean": _geomean(list(per.values())), "of_sums": total, "n": len(per),
            "censored": censored}


def _latency_table(scale: dict) -> list[str]:
    engines = [e for e in ENGINES if _items(scale["engines"].get(e, {}))]
    lines = ["| request | " + " | ".join(LABELS[e] for e in engines) + " |",
             "|---|" + "---:|" * len(engines)]
    names = list(_items(scale["engines"]["qigraph-api"])) if "qigraph-api" in scale["engines"] else []
    for name in names:
        cells = []
        for e in engines:
            t = _items(scale["engines"][e]).get(name)
            if not t:
                cells.append("")
            elif t.get("timed_out_ms"):
                cells.append(f"> {t['timed_out_ms'] / 1000:g} s")
            elif (t.get("error") or "").startswith("not asked"):
                cells.append("not asked")
            elif t.get("error"):
                cells.append("error")
            else:
                cells.append(f"{_ms(t['p50_ms'])} / {_ms(t['p95_ms'])}")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return lines


def _row_mismatches(scale: dict) -> list[str]:
    """Items where the engines' row counts differ (catalog: all engines; lookups: the SPARQL engines)."""
    out = []
    for name in _items(scale["engines"].get("pyoxigraph", {})):
        counts = {}
        for e in ENGINES:
            if name.startswith("lookup:") and e.startswith("qigraph-api"):
                continue  # the API's lookups return resources, not rows
            t = _items(scale["engines"].get(e, {})).get(name)
            if t and t.get("rows") is not None:
                counts[e] = t["rows"]
        if len(set(counts.values())) > 1:
            out.append(f"`{name}`: " + ", ".join(f"{e} {n}" for e, n in counts.items()))
    return out


def _log_axes(ax, ylabel: str, title: str, **title_style) -> None:
    """Both axes logarithmic, triples along x, a grid and a legend: the frame every plot here shares."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples")
    ax.set_ylabel(ylabel)
    ax.set_title(title, **title_style)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def plots(results: dict, folder: Path) -> list[str]:
    """PNG plots beside the report; returns their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = _ordered(results)
    xs = [s["triples"] for _, s in scales]
    colors = {e: f"C{i}" for i, e in enumerate(ENGINES)}
    # One pass over the same requests at every scale: those the raw engine answered at all of them
    # (a scale measured on a few requests only, such as 10M, is left out of the latency plot).
    answered = {k: {n for n, v in _items(s["engines"].get("pyoxigraph", {})).items() if v.get("p50_ms")} for k, s in scales}
    most = max((len(v) for v in answered.values()), default=0)
    full = [(k, s) for k, s in scales if len(answered[k]) >= 0.8 * most]
    common = set.intersection(*(answered[k] for k, _ in full)) if full else set()
    made = []
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, prefix, title in ((axes[0], "catalog:", "Named query catalog: one pass (sum of p50)"),
                              (axes[1], "lookup:", "REST lookups: one pass (sum of p50)")):
        names = sorted(n for n in common if n.startswith(prefix))
        for e in ENGINES:
            pts = [(s["triples"], sum_p50(s["engines"].get(e, {}), prefix, names)) for _, s in full]
            pts = [(x, y) for x, y in pts if y]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=LABELS[e], color=colors[e])
        title += f", {len(names)} requests"
        _log_axes(ax, "ms", title, fontsize=10)
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=110)
    plt.close(fig)
    made.append("latency.png")

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    ax = axes[0]
    ax.plot(xs, [max(s.get("cold_start_s") or [0]) for _, s in scales], marker="o", label="qigraph serve ready (worst of runs)")
    ax.plot(xs, [s["generate"].get("load_s") for _, s in scales], marker="o", label="bulk load into the store")
    ax.plot(xs, [s["generate"].get("wall_s") for _, s in scales], marker="o", label="generate + load")
    _log_axes(ax, "s", "Cold start and build")
    ax = axes[1]
    for e in ENGINES:  # peak memory depends on the requests asked: scales asked only a few are left out
        pts = [(s["triples"], s["engines"].get(e, {}).get("peak_rss_mb")) for _, s in full]
        pts = [(x, y) for x, y in pts if y]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=LABELS[e], color=colors[e])
    _log_axes(ax, "MiB", "Peak resident memory (process tree), whole workload")
    fig.tight_layout()
    fig.savefig(folder / "startup-memory.png", dpi=110)
    plt.close(fig)
    made.append("startup-memory.png")
    return made


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**missed**")


def targets(results: dict, at: str) -> list[str]:
    scale = results["scales"].get(at)
    if not scale:
        return [f"The target scale {at} has not been measured yet."]
    api_raw = ratios(scale, "qigraph-api", "pyoxigraph")
    rdf_api = ratios(scale, "rdflib-endpoint", "qigraph-api")
    cold = max(scale.get("cold_start_s") or [float("nan")])
    val = (scale.get("validation") or {}).get("one_record") or {}
    lines = [f"At {at} ({_triples(scale['triples'])} triples), measured in the same run:", "",
             "| target | measured | verdict |", "|---|---|---|"]
    if api_raw:
        lines.append(f"| API p50 within 1.5× of raw pyoxigraph on catalog queries | {api_raw['of_sums']:.2f}× on the sum of "
                     f"p50s ({api_raw['n']} queries; geometric mean of per-query ratios {api_raw['geomean']:.2f}×, worst "
                     f"{max(api_raw['per_item'].values()):.2f}×) | {_verdict(api_raw['of_sums'] <= 1.5)} |")
    if rdf_api:
        bound = "at least " if rdf_api["censored"] else ""
        lines.append(f"| ≥ 10× faster than rdflib-endpoint on the same queries | {bound}{rdf_api['of_sums']:.1f}× on the sum of p50s "
                     f"(geometric mean {rdf_api['geomean']:.1f}×, least {min(rdf_api['per_item'].values()):.1f}×) | "
                     f"{_verdict(rdf_api['of_sums'] >= 10)} |")
    else:
        lines.append(f"| ≥ 10× faster than rdflib-endpoint | {scale['engines'].get('rdflib-endpoint', {}).get('error', 'not measured')} | – |")
    lines.append(f"| `qigraph serve` ready < 2 s on a built store | {cold:.2f} s (worst of {len(scale.get('cold_start_s') or [])}) | "
                 f"{_verdict(cold < 2)} |")
    if val.get("p50_ms") is not None:
        lines.append(f"| one uploaded record validated < 1 s | {val['p50_ms'] / 1000:.2f} s p50 | {_verdict(val['p50_ms'] < 1000)} |")
    else:
        lines.append(f"| one uploaded record validated < 1 s | {(scale.get('validation') or {}).get('error', 'not measured')} | – |")
    return lines


def write(results: dict, out: Path, *, target_scale: str = "1M") -> None:
    """Write the measured part of the report: ``out`` with the tables, plots beside it.

    The hand-written analysis lives in the report between ``<!-- analysis -->`` markers and is kept.
    """
    out = Path(out)
    folder = out.parent / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    names = plots(results, folder)
    scales = _ordered(results)
    any_scale = scales[-1][1] if scales else {}
    m = any_scale.get("machine", {})
    body = ["# Benchmarks", "",
            ("qigraph measured against the engines a user would pick instead, on synthetic graphs of the real "
            "graph's shape from its real size up. Generated by `python -m benchmarks.run` (see benchmarks/); "
            "the numbers below are rewritten by each run, the analysis between the markers is kept."), "",
            "<!-- analysis -->", _analysis(out), "<!-- /analysis -->", "",
            "## The machine", "",
            f"- CPU: {m.get('cpu')}; `nproc` = {m.get('nproc')}; memory {m.get('memory_gib')} GiB; Linux {m.get('kernel')}",
            f"- versions: {', '.join(f'{k} {v}' for k, v in (m.get('versions') or {}).items())}",
            "- load average at the end of each scale's run: " + ", ".join(f"{k}: {v['machine']['load_average'][0]:.1f}" for k, v in scales) +
            ". On these two cores about 1 is the benchmark alone; more means other work shared the machine, and "
            "that run's absolute times are inflated — ratios taken in the same run are the numbers to read.", "",
            "## The commands", ""]
    for k, s in scales:
        body.append(f"- {k}: `{s['command']}` ({s['date']}, {s['seconds']:,.0f} s)")
    rb = results.get("real_build") or {}
    body += ["", "## Scales, build, cold start, memory", "",
             (f"`qigraph build` of the real data (documents and curated data → store): {rb.get('wall_s')} s, "
             f"peak {rb.get('peak_rss_mb')} MiB."), "",
             ("| scale | triples | N-Triples | generate + load (s) | of which bulk load (s) | generator peak (MiB) | "
             "`qigraph serve` ready (s, each run) | its CPU s until ready | peak MiB: pyoxigraph / API (server + workers) / rdflib-endpoint / Oxigraph server / Virtuoso |"),
             "|---|---:|---:|---:|---:|---:|---|---|---|"]
    for k, s in scales:
        g = s["generate"]
        mem = " / ".join(str(s["engines"].get(e, {}).get("peak_rss_mb") or "–")
                         for e in ("pyoxigraph", "qigraph-api", "rdflib-endpoint", "oxigraph-server", "virtuoso"))
        body.append(f"| {k} | {s['triples']:,} | {g.get('nt_bytes', 0) / 2**20:,.0f} MiB | {g.get('wall_s')} | {g.get('load_s')} | "
                    f"{g.get('peak_rss_mb')} | {', '.join(f'{c:.2f}' for c in s.get('cold_start_s') or [])} | "
                    f"{', '.join(f'{c:.2f}' for c in s.get('cold_start_cpu_s') or [])} | {mem} |")
    body += ["", "Matching index ready (first `/match` answered, counted from `/health` answering): " +
             ", ".join(f"{k}: {s['match_index_ready_s']} s" for k, s in scales if s.get("match_index_ready_s") is not None) + "."]
    rdf_ready = [(k, s["engines"].get("rdflib-endpoint", {}).get("ready_s")) for k, s in scales]
    body += ["", "rdflib-endpoint start-up (parse into memory) per scale: " +
             ", ".join(f"{k}: {v} s" if v else f"{k}: not run" for k, v in rdf_ready) + ".", "",
             "## Targets", ""] + targets(results, target_scale) + ["", "## Plots", ""]
    body += [f"![{n}](benchmarks/{n})" for n in names]
    body += ["", "## Validation", "", "| scale | whole graph p50 (ms) | one record p50 / p95 (ms) |", "|---|---:|---:|"]
    for k, s in scales:
        v = s.get("validation") or {}
        if v.get("error"):
            body.append(f"| {k} | {v['error']} | |")
        else:
            w, o = v.get("whole_graph", {}), v.get("one_record", {})
            body.append(f"| {k} | {_ms(w.get('p50_ms'))} | {_ms(o.get('p50_ms'))} / {_ms(o.get('p95_ms'))} |")
    body += ["", "## Concurrency (wrk, localhost)", "",
             "| scale | query workers | connections | duration (s) | requests | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | errors | server peak MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for k, s in scales:
        ld = s.get("load")
        if not ld:
            continue
        if ld.get("error"):
            body.append(f"| {k} | {ld['error']} |")
            continue
        errs = ld["error_total"] if not ld["error_total"] else f"**{ld['error_total']}** {ld['errors']}"
        body.append(f"| {k} | {ld['workers']} | {ld['connections']} | {ld['seconds']} | {ld['requests']:,} | {ld['rps']} | "
                    f"{_ms(ld['p50_ms'])} | {_ms(ld['p95_ms'])} | {_ms(ld['p99_ms'])} | {errs} | {ld.get('server_peak_rss_mb')} |")
    body += ["", "## Latency per request, p50 / p95 in ms", "",
             ("Each request is timed after one untimed warm-up, repeated for the budget (at least 3 times, at most "
             "30). HTTP engines are asked over one kept-alive connection from the harness, one request at a time. "
             "A lookup's raw row runs the same SPARQL queries the route runs; the API's includes what the route "
             "does with their rows.")]
    for k, s in reversed(scales):
        body += ["", f"### {k}: {s['triples']:,} triples", ""] + _latency_table(s)
        for e in ENGINES:
            err = s["engines"].get(e, {}).get("error")
            if err:
                body.append(f"\n{LABELS[e]}: {err}.")
        mismatches = _row_mismatches(s)
        if mismatches:
            body += ["", "Row counts that differ between engines: " + "; ".join(mismatches) + "."]
    out.write_text("\n".join(body) + "\n", encoding="utf-8")


def _analysis(out: Path) -> str:
    """The hand-written analysis already in the report, kept across runs."""
    if out.exists():
        text = out.read_text(encoding="utf-8")
        start, end = text.find("<!-- analysis -->"), text.find("<!-- /analysis -->")
        if start >= 0 and end > start:
            return text[start + len("<!-- analysis -->"):end].strip("\n")
    return "(The analysis of these numbers is written by hand after a run.)"
