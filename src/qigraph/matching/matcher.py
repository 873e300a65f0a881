"""Ranking and explanation: a description (or a GB/T 4754-2017 code) → industries, centers, tasks,
clauses, agencies and programs, each hit with the reason it matched.

Industries are ranked by BM25 over the concepts' labels, definitions and narrower labels; a raw score
r becomes a score in [0, 1] as ``1 - exp(-r / SCORE_SCALE)``, and hits under ``MIN_SCORE`` are
dropped, so a description that matches nothing gets empty lists rather than the least bad guesses.
Everything else follows from the industries (and, for centers, from their own names and
descriptions): a center serves a matched industry or one under it, a task or clause names one or is
its source, an agency is responsible for such a task or approved such a center.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from . import codes
from .index import Index, build_index, key_of
from .reasons import Reason, in_zh, zh_of

# Calibration (see the README's matching section): a concept's own name written once in a short
# text scores about 0.5-0.7; the no-match cases of tests/data/match-eval.yaml stay under MIN_SCORE.
SCORE_SCALE = 8.0
MIN_SCORE = 0.35
RELATIVE_FLOOR = 0.3  # an industry under this share of the best one's raw score is noise beside it
HOP_DECAY = 0.8  # a center linked through a broader or mapped concept counts less per step
ANCESTOR_DECAY = 0.7  # a center serving a broader industry than the one matched counts less per step
BODY_TEXT_WEIGHT = 0.6  # a center's own name/description matching counts less than its industry
CODE_SCORE = 0.9  # an industry given by a GB/T 4754 code mapping (qigraph's reading of the standard)
MAX_TEXT = 5000
ELIGIBILITY = "/eligibility?program={id}"
PLAN_SCHEMES = ("scheme/2-3-6-4-5", "scheme/2-3-6-6")  # Shanghai's industrial plans, as schemes
# Which member of a set of exact matches stands for it: the current plan, the metrology fields, the
# fine-grained fields, then the successor plan.
SCHEME_ORDER = ("2-3-6-4-5", "metrology-fields-2023", "fields", "2-3-6-6")


class MatchError(ValueError):
    """The request cannot be matched; the message says what to fix."""


def squash(raw: float) -> float:
    """A raw BM25 score as a score in [0, 1).

    >>> squash(0.0), round(squash(SCORE_SCALE), 3)
    (0.0, 0.632)
    """
    return 1.0 - math.exp(-raw / SCORE_SCALE)


@dataclass
class _Hit:
    score: float
    why: list[str]


def _merge(hits: dict[str, _Hit], key: str, score: float, why: str) -> None:
    hit = hits.get(key)
    if hit is None:
        hits[key] = _Hit(score, [why])
    else:
        hit.score = max(hit.score, score)
        if why not in hit.why:
            hit.why.append(why)


def _outer(words) -> list[str]:
    """The distinct words, without those inside a longer one (飞行 inside 载人飞行器).

    >>> _outer(["载人飞行器", "飞行", "eVTOL", "evtol"])
    ['载人飞行器', 'eVTOL']
    """
    distinct = list(dict.fromkeys(words))
    seen: set[str] = set()
    out = []
    for w in distinct:
        low = w.lower()
        if low in seen or any(low != o.lower() and low in o.lower() for o in distinct):
            continue
        seen.add(low)
        out.append(w)
    return out


def _occurrences(labels: set[str], texts: dict[str, str]) -> dict[str, list[str]]:
    """For each label, the keys of the texts it occurs in (as a substring).

    >>> found = _occurrences({"集成电路", "芯片", "航天"}, {"t1": "支持车规级芯片、集成电路封装", "t2": "芯片检测"})
    >>> sorted((label, sorted(keys)) for label, keys in found.items())
    [('芯片', ['t1', 't2']), ('集成电路', ['t1'])]
    """
    # Each distinct text once (a large graph repeats the same task texts), and each of its substrings
    # of a length some label has: a few dictionary look-ups per character.
    keys_of: dict[str, list[str]] = defaultdict(list)
    for key, text in texts.items():
        keys_of[text].append(key)
    lengths = sorted({len(label) for label in labels})
    found: dict[str, list[str]] = defaultdict(list)
    for text, keys in keys_of.items():
        for label in {text[i:i + n] for i in range(len(text)) for n in lengths if i + n <= len(text)} & labels:
            found[label].extend(keys)
    return dict(found)


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class Matcher:
    """Matches descriptions against one built graph; build it once (``get_matcher``), then call
    ``match`` as often as needed."""

    def __init__(self, index: Index):
        self.index = index
        ix = index
        codes.code_table()  # read the code table now, not on the first request that needs it
        self._label_terms = {c: {t for text in ix.concepts[c].labels()
                                 for t, _ in [*ix.analyzer.terms(text), (ix.analyzer.phrase(text), "")] if t}
                             for c in ix.concepts}
        narrower: dict[str, list[str]] = defaultdict(list)
        for c in ix.concepts.values():
            for up in c.broader:
                narrower[up].append(c.iri)
        self._phrases = {c: {ix.analyzer.phrase(text) for text in ix.concepts[c].labels()} - {None} for c in ix.concepts}
        self._narrower_terms: dict[str, dict[str, str]] = {}
        for c in ix.concepts:
            terms: dict[str, str] = {}
            for n in narrower.get(c, ()):
                for t in self._label_terms[n]:
                    terms.setdefault(t, ix.concepts[n].label.get("zh", ""))
            self._narrower_terms[c] = terms
        # Concepts that are exact matches across schemes (集成电路 in three schemes) are one hit.
        self._cluster: dict[str, tuple[str, ...]] = {}
        for c in ix.concepts:
            if c in self._cluster:
                continue
            group, todo = set(), [c]
            while todo:
                cur = todo.pop()
                if cur not in group and cur in ix.concepts:
                    group.add(cur)
                    todo.extend(ix.concepts[cur].exact)
            ordered = tuple(sorted(group, key=self._scheme_rank))
            for member in group:
                self._cluster[member] = ordered
        # Chinese labels of two or more characters, to find the concepts a task or clause names;
        # longest first (then by text, so the choice among labels of one length is the same each run).
        self._zh_labels = {c: sorted({t for t in ix.concepts[c].labels("zh") if len(t) >= 2}, key=lambda t: (-len(t), t))
                           for c in ix.concepts}
        # Which task and clause texts each such label occurs in, found once here: looking for every
        # matched concept's labels in every text on each request took seconds at a million triples.
        self._naming: dict[str, list[str]] = _occurrences(
            {label for labels in self._zh_labels.values() for label in labels},
            {**{t.iri: t.text for t in ix.tasks.values()}, **{p: c["text"] for p, c in ix.clauses.items()}})
        self._tasks_of_body: dict[str, list[str]] = defaultdict(list)
        for t in ix.tasks.values():
            for b in t.bodies:
                self._tasks_of_body[b].append(t.iri)
        self._programs_of_doc: dict[str, list[str]] = defaultdict(list)
        for piri, program in ix.programs.items():
            self._programs_of_doc[program["doc"]].append(piri)
        self._plan_conditions: dict[str, list[dict[str, str]]] = defaultdict(list)
        for cond in ix.conditions:  # sorted by program, as ix.programs is
            if cond["program"] in ix.programs and "上海市产业发展规划" in cond["quote"]:
                self._plan_conditions[cond["program"]].append(cond)

    def _scheme_rank(self, iri: str) -> tuple[int, str]:
        scheme = self.index.concepts[iri].scheme.rsplit("/", 1)[-1]
        return (SCHEME_ORDER.index(scheme) if scheme in SCHEME_ORDER else len(SCHEME_ORDER), iri)

    def _grouped(self, found: dict[str, dict]) -> list[tuple[str, dict, list[str]]]:
        """Ranked hits, exact matches folded into one: (representative, hit, equivalents)."""
        out, seen = [], set()
        ranked = sorted(found.items(), key=lambda kv: (-kv[1]["score"], -kv[1]["raw"], self._scheme_rank(kv[0])))
        for iri, hit in ranked:
            if iri in seen:
                continue
            members = [m for m in self._cluster.get(iri, (iri,)) if m != iri]
            seen.update(members, [iri])
            merged = dict(hit, matched=list(hit["matched"]), why=list(hit["why"]))
            for m in members:
                for word in found.get(m, {}).get("matched", []):
                    if word not in merged["matched"]:
                        merged["matched"].append(word)
            out.append((iri, merged, members))
        return out

    # ------------------------------------------------------------------ industries
    def _industries(self, text: str, code_rows: list[codes.CodeMapping]) -> dict[str, dict]:
        ix = self.index
        query = ix.analyzer.query(text, phrases=ix.phrases) if text else {}
        scored = ix.concept_index.score({t: q.weight for t, q in query.items()})
        found: dict[str, dict] = {}
        best = max((s for s, _ in scored.values()), default=0.0)
        for iri, (raw, parts) in scored.items():
            score = squash(raw)
            if score < MIN_SCORE or raw < RELATIVE_FLOOR * best:
                continue
            ranked = sorted(parts.items(), key=lambda kv: -kv[1])
            words = _outer(query[t].surface for t, v in ranked if v > 0)
            # One word of a longer label is not evidence (运输 is not 航天运输系统, futures not 未来产业):
            # a hit needs a whole label, or two different words from items that make something.
            strong = {query[t].surface.lower() for t, v in parts.items() if v > 0 and query[t].weight >= 1.0}
            if not (self._phrases[iri] & parts.keys()) and len(strong) < 2:
                continue
            found[iri] = {"score": score, "raw": raw, "matched": words, "why": [self._explain_terms(iri, ranked, query)]}
        for mapping in code_rows:
            for key in mapping.concepts:
                iri = f"{codes_prefix()}{key}"
                if iri not in ix.concepts:
                    continue
                why = mapping.explain()
                if iri in found:
                    found[iri]["score"] = max(found[iri]["score"], CODE_SCORE)
                    found[iri]["why"].append(why)
                    found[iri]["matched"].append(mapping.code)
                else:
                    found[iri] = {"score": CODE_SCORE, "raw": 0.0, "matched": [mapping.code], "why": [why]}
        return found

    def _explain_terms(self, iri: str, ranked: list[tuple[str, float]], query) -> str:
        ix = self.index
        concept = ix.concepts[iri]
        in_label, in_narrower, in_definition = [], defaultdict(list), []
        for term, value in ranked:
            if value <= 0:
                continue
            word = query[term].surface
            if term in self._label_terms[iri]:
                in_label.append(word)
            elif term in self._narrower_terms[iri]:
                in_narrower[self._narrower_terms[iri][term]].append(word)
            else:
                in_definition.append(word)
        name = concept.label.get("zh", "")
        parts, parts_zh = [], []
        if in_label:
            words = "、".join(dict.fromkeys(in_label))
            parts.append(f"“{words}” in the labels of {name}")
            parts_zh.append(f"“{words}”见于“{name}”的标签")
        for narrower, found in in_narrower.items():
            words = "、".join(dict.fromkeys(found))
            parts.append(f"“{words}” in the labels of its narrower concept {narrower}")
            parts_zh.append(f"“{words}”见于其下位概念“{narrower}”的标签")
        if in_definition:
            words = "、".join(dict.fromkeys(in_definition))
            parts.append(f"“{words}” in its definition")
            parts_zh.append(f"“{words}”见于其定义")
        return Reason("the text has " + "; ".join(parts), zh="文本中的" + "；".join(parts_zh))

    # ------------------------------------------------------------------ centers
    def _centers(self, text: str, industries: dict[str, dict]) -> dict[str, dict]:
        ix = self.index
        # A matched industry also speaks, more weakly, for the broader industries it falls under:
        # a general vehicle testing center serves a maker of power batteries too.
        broader: dict[str, tuple[float, str]] = {}
        for m, hit in industries.items():
            for up, hops in ix.up.get(m, {}).items():
                if hops and up not in industries:
                    score = hit["score"] * ANCESTOR_DECAY ** hops
                    if score > broader.get(up, (0.0, ""))[0]:
                        broader[up] = (score, m)
        hits: dict[str, dict] = {}
        for b in ix.bodies.values():
            best: tuple[float, str, str, str] | None = None
            for served in b.industries:
                for up, hops in ix.up.get(served, {served: 0}).items():
                    if up in industries:
                        # A link through a concept many bodies sit under says less about this body.
                        spread = ix.narrower_bodies.get(up, 1) ** -0.2
                        score = industries[up]["score"] * HOP_DECAY ** hops * spread
                        candidate = (score, up, served, "")
                    elif hops == 0 and up in broader:
                        score, narrower = broader[up]
                        candidate = (score * ix.narrower_bodies.get(up, 1) ** -0.2, narrower, served, "broader")
                    else:
                        continue
                    if best is None or candidate[0] > best[0]:
                        best = candidate
            if best:
                score, up, served, how = best
                name, served_name = ix.concepts[up].label.get("zh"), ix.concepts[served].label.get("zh")
                if how == "broader":
                    why = Reason(f"serves {served_name}, under which the matched industry {name} falls",
                                 zh=f"服务“{served_name}”，匹配的产业“{name}”属于其下位")
                elif up == served:
                    why = Reason(f"serves {name} (matched industry)", zh=f"服务“{name}”（匹配的产业）")
                else:
                    why = Reason(f"serves {served_name}, which falls under the matched industry {name}",
                                 zh=f"服务“{served_name}”，属于匹配的产业“{name}”的下位")
                hits[b.iri] = {"score": score, "industry": up, "served": served, "why": [why]}
        if text:
            query = ix.analyzer.query(text, phrases=ix.phrases)
            for iri, (raw, parts) in ix.body_index.score({t: q.weight for t, q in query.items()}).items():
                score = squash(raw) * BODY_TEXT_WEIGHT
                if score < MIN_SCORE * BODY_TEXT_WEIGHT:
                    continue
                words = _outer(query[t].surface for t, v in sorted(parts.items(), key=lambda kv: -kv[1]) if v > 0)
                why = Reason(f"its name or description has “{'、'.join(words)}”", zh=f"名称或简介含有“{'、'.join(words)}”")
                if iri in hits:
                    hit = hits[iri]
                    hit["score"] = 1 - (1 - hit["score"]) * (1 - score)
                    hit["why"].append(why)
                elif score >= MIN_SCORE:
                    hits[iri] = {"score": score, "industry": None, "served": None, "why": [why]}
        return hits

    # ------------------------------------------------------------------ tasks, clauses
    def _named(self, industries: dict[str, dict]) -> dict[str, tuple[float, str, str]]:
        """The task and clause texts that name a matched industry: for each, the best-scoring such
        industry (the first matched, among equals) and the longest of its labels the text has."""
        best: dict[str, tuple[float, str, str]] = {}
        for iri, hit in industries.items():
            seen: set[str] = set()
            for label in self._zh_labels[iri]:
                for key in self._naming.get(label, ()):
                    if key in seen:
                        continue
                    seen.add(key)
                    if key not in best or hit["score"] > best[key][0]:
                        best[key] = (hit["score"], iri, label)
        return best

    def _cited_sources(self, industries: dict[str, dict], pool) -> dict[str, _Hit]:
        """The resources of ``pool`` (tasks, clauses) that a matched industry cites as its source."""
        ix = self.index
        hits: dict[str, _Hit] = {}
        for iri, hit in industries.items():
            for src in ix.concepts[iri].sources:
                if src in pool:
                    name = ix.concepts[iri].label.get("zh")
                    _merge(hits, src, hit["score"], Reason(f"cited as a source of the matched industry {name}",
                                                           zh=f"是匹配的产业“{name}”的来源"))
        return hits

    def _tasks(self, industries: dict[str, dict], named: dict[str, tuple[float, str, str]],
               centers: dict[str, dict]) -> dict[str, _Hit]:
        ix = self.index
        hits = self._cited_sources(industries, ix.tasks)
        concerned: dict[str, list[str]] = defaultdict(list)
        for b in centers:  # so each task's centers are in the centers' order
            for t in self._tasks_of_body.get(b, ()):
                concerned[t].append(b)
        # In the tasks' order, as the reasons of one task are listed by what it names, then by center.
        for t in ix.tasks:
            if t in named:
                score, iri, label = named[t]
                name = ix.concepts[iri].label.get("zh")
                _merge(hits, t, score * 0.9, Reason(f"it names “{label}” ({name})", zh=f"提到“{label}”（{name}）"))
            for b in concerned.get(t, ()):
                name = ix.bodies[b].label.get("zh")
                _merge(hits, t, centers[b]["score"] * 0.9, Reason(f"it concerns the center {name}", zh=f"涉及机构“{name}”"))
        return hits

    def _clauses(self, industries: dict[str, dict], named: dict[str, tuple[float, str, str]]) -> dict[str, _Hit]:
        ix = self.index
        hits = self._cited_sources(industries, ix.clauses)
        for part in ix.clauses:
            if part in named:
                score, iri, label = named[part]
                name = ix.concepts[iri].label.get("zh")
                _merge(hits, part, score * 0.9, Reason(f"it names “{label}” ({name})", zh=f"提到“{label}”（{name}）"))
        return hits

    # ------------------------------------------------------------------ agencies, programs
    def _agencies(self, tasks: dict[str, _Hit], centers: list[dict], programs: list[dict]) -> dict[str, _Hit]:
        ix = self.index
        hits: dict[str, _Hit] = {}
        for t, hit in tasks.items():
            for a in ix.tasks[t].agencies:
                number = ix.tasks[t].number
                _merge(hits, a, hit.score, Reason(f"responsible for 2026 task {number}", zh=f"负责 2026 年第 {number} 项任务"))
        for c in centers:
            approved = ix.bodies[c["iri"]].approved_by
            if approved and approved["iri"] in ix.agencies:
                _merge(hits, approved["iri"], c["score"] * 0.9,
                       Reason(f"approved the center {c['label']['zh']}", zh=f"批准了机构“{c['label']['zh']}”"))
        for p in programs:
            _merge(hits, p["administered_by"]["iri"], p["score"] * 0.9,
                   Reason(f"administers the program {p['label']['zh']}", zh=f"主管“{p['label']['zh']}”"))
        return hits

    def _programs(self, industries: dict[str, dict]) -> dict[str, _Hit]:
        ix = self.index
        hits: dict[str, _Hit] = {}
        for iri, hit in industries.items():
            concept = ix.concepts[iri]
            for src in concept.sources:
                if src in ix.clauses:
                    for piri in self._programs_of_doc.get(ix.clauses[src]["doc"], ()):
                        _merge(hits, piri, hit["score"],
                               Reason(f"{ix.clauses[src]['label']} of its governing document lists {concept.label.get('zh')}",
                                      zh=f"其依据文件的{ix.clauses[src]['label']}列出了“{concept.label.get('zh')}”"))
            if any(concept.scheme.endswith(s) for s in PLAN_SCHEMES):
                for piri, conditions in self._plan_conditions.items():
                    for cond in conditions:
                        _merge(hits, piri, hit["score"] * 0.8,
                               Reason(f"{concept.label.get('zh')} is in Shanghai's industrial plan, which its application "
                                      f"condition “{cond['label']}” asks for (inferred from the condition's words)",
                                      zh=f"“{concept.label.get('zh')}”属于上海市产业发展规划，而其申报条件“{cond['label']}”"
                                         "要求如此（由条件的文字推断）"))
        return hits

    # ------------------------------------------------------------------ the answer
    def match(self, text: str = "", *, limit: int = 10, code: str | None = None) -> dict:
        """Match a description, a GB/T 4754-2017 code, or both.

        Args:
            text: a description in Chinese or English; a text that is only a code is read as one.
            limit: the most hits to return in each list.
            code: a GB/T 4754-2017 code such as ``C3742``.

        Returns:
            A dict with ``industries``, ``centers``, ``tasks``, ``clauses``, ``agencies``, ``programs``
            (each a ranked list of hits with ``score`` and ``why``), ``codes`` and ``message``.

        Raises:
            MatchError: neither text nor code, a text too long, or a malformed code.
        """
        started = time.perf_counter()
        text = (text or "").strip()
        if not text and not code:
            raise MatchError(Reason("give a description in `text` (Chinese or English) or a GB/T 4754-2017 `code` such as C3742",
                                    zh="请给出描述（text，中文或英文）或 GB/T 4754-2017 行业代码（code，如 C3742）。"))
        if len(text) > MAX_TEXT:
            raise MatchError(Reason(f"`text` has {len(text)} characters; shorten it to at most {MAX_TEXT}",
                                    zh=f"描述有 {len(text)} 个字符，请缩短到 {MAX_TEXT} 个以内。"))
        if limit < 1:
            raise MatchError("`limit` must be at least 1")
        wanted: list[str] = []
        if code:
            norm = codes.normalise(code)
            if norm is None:
                raise MatchError(Reason(f"`code` {code!r} is not a GB/T 4754-2017 code: write a section letter and 2-4 digits, e.g. C3742",
                                        zh=f"“{code}”不是 GB/T 4754-2017 行业代码：应写作门类字母加 2—4 位数字，如 C3742。"))
            wanted.append(norm)
        if text and codes.normalise(text):
            wanted.append(codes.normalise(text))
            text = ""
        elif text:
            wanted.extend(codes.codes_in(text))
        mappings = [codes.lookup(c) for c in dict.fromkeys(wanted)]

        ix = self.index
        found = self._industries(text, mappings)
        industries = found
        industry_list = [self._industry_out(iri, hit, same) for iri, hit, same in self._grouped(found)[:limit]]

        center_hits = self._centers(text, industries)
        centers = [self._center_out(iri, hit) for iri, hit in
                   sorted(center_hits.items(), key=lambda kv: (-kv[1]["score"], kv[0]))[:limit]]
        named = self._named(industries)  # the tasks and clauses that name a matched industry
        task_hits = self._tasks(industries, named, {c["iri"]: c for c in centers})
        tasks = [{"iri": t, "number": ix.tasks[t].number, "text": ix.tasks[t].text, "score": round(h.score, 3), "why": h.why, "why_zh": in_zh(h.why)}
                 for t, h in sorted(task_hits.items(), key=lambda kv: (-kv[1].score, ix.tasks[kv[0]].number))[:limit]]
        clause_hits = self._clauses(industries, named)
        clauses = [{"iri": p, "label": ix.clauses[p]["label"], "document": {"iri": ix.clauses[p]["doc"], "title": ix.clauses[p]["title"]},
                    "text": ix.clauses[p]["text"], "score": round(h.score, 3), "why": h.why, "why_zh": in_zh(h.why)}
                   for p, h in sorted(clause_hits.items(), key=lambda kv: (-kv[1].score, kv[0]))[:limit]]
        program_hits = self._programs(industries)
        programs = [{"id": _local(p), "iri": p, "label": {"zh": ix.programs[p]["zh"], "en": ix.programs[p]["en"]},
                     "administered_by": {"iri": ix.programs[p]["agency"], **ix.agencies.get(ix.programs[p]["agency"], {})},
                     "governed_by": ix.programs[p]["doc"], "eligibility": ELIGIBILITY.format(id=_local(p)),
                     "score": round(h.score, 3), "why": h.why, "why_zh": in_zh(h.why)}
                    for p, h in sorted(program_hits.items(), key=lambda kv: (-kv[1].score, kv[0]))[:limit]]
        agency_hits = self._agencies({t["iri"]: task_hits[t["iri"]] for t in tasks}, centers, programs)
        agencies = [{"iri": a, "id": _local(a), "label": ix.agencies[a], "score": round(h.score, 3), "why": h.why, "why_zh": in_zh(h.why)}
                    for a, h in sorted(agency_hits.items(), key=lambda kv: (-kv[1].score, kv[0]))[:limit] if a in ix.agencies]

        if industry_list:
            message = Reason(f"{len(found)} industr{'y' if len(found) == 1 else 'ies'} matched", zh=f"匹配到 {len(found)} 个产业")
        elif text:
            message = Reason("Nothing matched: the description names no industry of the taxonomies strongly enough "
                             f"(no score reached {MIN_SCORE}). Describe the products or technology, or give a GB/T 4754-2017 code.",
                             zh=f"没有匹配结果：描述中没有足够明确地提到分类体系中的产业（相关度均未达到 {MIN_SCORE}）。"
                                "请描述产品或技术，或给出 GB/T 4754-2017 行业代码。")
        else:
            message = Reason("Nothing matched: no mapping is known for the code given.", zh="没有匹配结果：所给代码没有已知的对应产业。")
        return {
            "text": text, "limit": limit,
            "codes": [{"code": m.code, "known": m.known, "mapped_via": m.entry["code"] if m.entry else None,
                       "name_zh": m.entry["name_zh"] if m.entry else None, "concepts": m.concepts,
                       "basis": m.entry.get("basis") if m.entry else None,
                       "note": m.entry.get("note") if m.entry else None, "explanation": m.explain(),
                       "explanation_zh": zh_of(m.explain()),
                       "sources": [s["url"] for s in m.sources]} for m in mappings],
            "industries": industry_list, "centers": centers, "tasks": tasks, "clauses": clauses,
            "agencies": agencies, "programs": programs, "message": message, "message_zh": zh_of(message),
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    def _industry_out(self, iri: str, hit: dict, same: list[str]) -> dict:
        ix = self.index
        c = ix.concepts[iri]
        schemes = [{"iri": s, **ix.schemes.get(s, {})} for s in dict.fromkeys(ix.concepts[m].scheme for m in [iri, *same])]
        keys = [key_of(m) for m in same]
        why = hit["why"] + ([Reason(f"the same concept as {', '.join(keys)} (skos:exactMatch)",
                                    zh=f"与 {'、'.join(keys)} 是同一概念（skos:exactMatch）")] if same else [])
        return {"iri": iri, "key": key_of(iri), "label": {"zh": c.label.get("zh"), "en": c.label.get("en")},
                "schemes": schemes, "equivalents": [{"iri": m, "key": key_of(m)} for m in same],
                "score": round(hit["score"], 3), "matched": hit["matched"], "why": why, "why_zh": in_zh(why)}

    def _center_out(self, iri: str, hit: dict) -> dict:
        ix = self.index
        b = ix.bodies[iri]
        industry = None
        if hit["industry"]:
            c = ix.concepts[hit["industry"]]
            industry = {"iri": c.iri, "key": c.key, "label": {"zh": c.label.get("zh"), "en": c.label.get("en")}}
        return {"iri": iri, "id": _local(iri), "label": {"zh": b.label.get("zh"), "en": b.label.get("en")},
                "kind": b.kind, "kind_label": b.kind_label, "hosts": b.hosts, "state": b.state, "district": b.district,
                "industry": industry, "sources": b.sources, "score": round(hit["score"], 3), "why": hit["why"],
                "why_zh": in_zh(hit["why"])}


def codes_prefix() -> str:
    return "https://w3id.org/qigraph/id/industry/"


_CACHE: dict[str, Matcher] = {}
_LOCK = threading.Lock()


def get_matcher(store, *, key: str | None = None) -> Matcher:
    """The matcher for a store, built on first use and kept (the graph is read-only once built).

    Args:
        store: the store holding the built graph.
        key: what identifies the store's contents (e.g. its path); defaults to the store object's id.
    """
    cache_key = key or str(id(store))
    with _LOCK:
        if cache_key not in _CACHE:
            _CACHE[cache_key] = Matcher(build_index(store))
        return _CACHE[cache_key]


def forget_matcher(key: str) -> None:
    """Drop the matcher kept for ``key``, whose store's content was replaced (a data merge); the
    next use builds it again from the new graph."""
    with _LOCK:
        _CACHE.pop(key, None)
