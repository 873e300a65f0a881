"""A match result as text for a terminal: each list as a short table, with why each hit matched."""

from __future__ import annotations


def _line(score: float, name: str, why: list[str]) -> str:
    return f"  {score:0.2f}  {name}\n        why: {' | '.join(why)}"


def as_text(result: dict) -> str:
    """The result of ``Matcher.match`` as readable text (the CLI's ``--format table``)."""
    out = []
    for code in result["codes"]:
        out.append(f"code {code['code']}: {code['explanation']}")
    out.append(result["message"])
    sections = [
        ("industries", lambda h: f"{h['label']['zh']} / {h['label']['en']}  [{h['key']}]  matched: {'、'.join(h['matched'])}"),
        ("centers", lambda h: f"{h['label']['zh']}  ({h['kind']}, {h['state']})"),
        ("tasks", lambda h: f"2026 task {h['number']}: {h['text']}"),
        ("clauses", lambda h: f"{h['document']['title']} {h['label']}"),
        ("agencies", lambda h: f"{h['label']['zh']} / {h['label']['en']}"),
        ("programs", lambda h: f"{h['label']['zh']}  eligibility: {h['eligibility']}"),
    ]
    for key, name in sections:
        hits = result[key]
        out.append(f"\n{key} ({len(hits)})" + ("" if hits else ": none"))
        out.extend(_line(h["score"], name(h), h["why"]) for h in hits)
    return "\n".join(out)
