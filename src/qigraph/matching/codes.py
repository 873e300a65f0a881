"""GB/T 4754-2017 (国民经济行业分类) codes mapped to qigraph's industry concepts, read from
``data/industry-codes/gbt4754-2017.yaml``: an exact code first, then its group, then its division,
and a plain statement where no mapping is known."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from qigraph import catalog

from .reasons import Reason

CODE = re.compile(r"^([A-Ta-t])(\d{2,4})$")
# The table's levels and bases (see its header) in Chinese, for the Chinese explanation.
_LEVEL_ZH = {"division": "大类", "group": "中类", "class": "小类"}
_BASIS_ZH = {"name": "代码名称与产业标签相同", "gbt4754-note": "标准对该代码的说明列出了产业标签所指的产品或活动",
             "fcg-2022": "上海时尚消费品行动计划的公开报道列出了该领域", "none": "无"}
CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-T]\d{2,4})(?![A-Za-z0-9])")


@dataclass(frozen=True)
class CodeMapping:
    """What the table says about a code (or the group/division it falls back to)."""

    code: str
    known: bool  # the code itself, or a group/division above it, is in the table
    entry: dict | None  # the table row used (exact code, else group, else division)
    sources: tuple[dict, ...]

    @property
    def concepts(self) -> list[str]:
        return list(self.entry.get("concepts") or []) if self.entry else []

    def explain(self) -> Reason:
        """One sentence a user can read: what the code is and what it maps to, or that nothing is known
        (in English; its Chinese as ``.zh``)."""
        if not self.entry:
            return Reason(f"GB/T 4754-2017 code {self.code} is not in qigraph's table of the manufacturing divisions the "
                          "taxonomies cover, so no mapping to an industry is known.",
                          zh=f"GB/T 4754-2017 代码 {self.code} 不在 qigraph 的行业代码表（仅收录分类体系涉及的制造业大类）中，"
                             "因此不知道它对应哪个产业。")
        row = self.entry
        via = "" if row["code"] == self.code else f" (the code itself is not listed; its {row['level']} {row['code']} is)"
        via_zh = "" if row["code"] == self.code else f"（代码本身未列出，按其所属{_LEVEL_ZH.get(row['level'], row['level'])} {row['code']}）"
        name = f"{row['code']} {row['name_zh']}"
        if not self.concepts:
            # The table's notes are in English; the Chinese sentence leaves them out rather than mix languages.
            return Reason(f"GB/T 4754-2017 {name}{via}: no mapping to the taxonomies is known. {row.get('note') or ''}".strip(),
                          zh=f"GB/T 4754-2017 {name}{via_zh}：不知道它对应分类体系中的哪个产业。")
        basis = row.get("basis")
        return Reason(f"GB/T 4754-2017 {name}{via} maps to {', '.join(self.concepts)} (basis: {basis}).",
                      zh=f"GB/T 4754-2017 {name}{via_zh} 对应 {'、'.join(self.concepts)}（依据：{_BASIS_ZH.get(basis, basis)}）。")


@lru_cache(maxsize=1)
def code_table() -> tuple[dict[str, dict], tuple[dict, ...]]:
    """The table's rows by code, and the standard's sources."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when PyYAML has it: 20x faster
    data = yaml.load(catalog.industry_code_file().read_text(encoding="utf-8"), Loader=loader)
    return {row["code"]: row for row in data["codes"]}, tuple(data["standard"].get("sources") or ())


def normalise(code: str) -> str | None:
    """``c3742`` → ``C3742``; None if the text is not a GB/T 4754 code.

    >>> normalise(" c3742 "), normalise("3742"), normalise("eVTOL")
    ('C3742', None, None)
    """
    m = CODE.match(code.strip())
    return f"{m.group(1).upper()}{m.group(2)}" if m else None


def lookup(code: str) -> CodeMapping:
    """Map a normalised code: the exact row, else its group (4 characters), else its division (3)."""
    rows, sources = code_table()
    for candidate in (code, code[:4], code[:3]):
        if candidate in rows:
            return CodeMapping(code, True, rows[candidate], sources)
    return CodeMapping(code, False, None, sources)


def codes_in(text: str) -> list[str]:
    """Codes written in a text that the table lists exactly (so a model name such as C919 is not one)."""
    rows, _ = code_table()
    return [c for c in dict.fromkeys(CODE_IN_TEXT.findall(text)) if c in rows]
