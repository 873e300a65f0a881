"""Cut the text of a Chinese policy document into its numbered parts.

Chinese policy texts number their parts in a few fixed styles: 一、 for sections, （一） for
paragraphs, 1． for items, and 第N条【…】 for articles. This module turns plain text into a tree
of those parts, with positional identifiers (s2/p1/i3) that stay stable even where a document
misnumbers itself (the 2022 guidance numbers its sections 一、二、二、三…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_DIGITS = "一二三四五六七八九十"

# (kind, path prefix, rank, pattern). Rank orders nesting: a marker closes every open part of
# the same or a deeper rank. Articles and sections never occur in the same document.
_MARKERS = [
    ("article", "a", 1, re.compile(rf"^第([{CN_DIGITS}]+)条【([^】]+)】\s*(.*)$")),
    ("section", "s", 1, re.compile(rf"^([{CN_DIGITS}]+)、\s*(.*)$")),
    ("paragraph", "p", 2, re.compile(rf"^（([{CN_DIGITS}]+)）\s*(.*)$")),
    ("item", "i", 3, re.compile(r"^(\d+)\s*[．.]\s*(.*)$")),
]

# A first line this short, with at most one full stop at its end, is a heading, and the
# paragraphs that follow belong to the part; a longer first line is the part's whole text.
_HEADING_MAX = 30
_RUNIN_MAX = 12
_RUNIN_COLON_MAX = 8


@dataclass
class Part:
    """One numbered part of a document, with its own text and its sub-parts."""

    kind: str  # preamble | notice | section | article | paragraph | item
    path: str  # positional id within the document, e.g. "s3/p2/i1"
    number: str  # the number as the document writes it, e.g. "三、", "（一）", "第五条"
    heading: str | None
    lines: list[str] = field(default_factory=list)
    children: list["Part"] = field(default_factory=list)
    position: int = 0
    rank: int = 0
    open_for_text: bool = True

    @property
    def text(self) -> str:
        """The part's own text (its first line with the number, then its paragraphs)."""
        return "\n".join(self.lines)

    def walk(self):
        """This part and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


class OutlineError(ValueError):
    """The text does not have the shape the outline parser expects."""


def _split_heading(rest: str) -> tuple[str | None, bool]:
    """Return (heading, heading_only) for the text after a part's number."""
    rest = rest.strip()
    if not rest:
        return None, True
    stops = [m.start() for m in re.finditer("[。：]", rest)]
    is_phrase = not re.search("[，；、]", rest)
    if is_phrase and len(rest) <= _HEADING_MAX and (not stops or stops == [len(rest) - 1]):
        return rest.rstrip("。："), True
    if stops:
        # "（一）科学规划布局。面向国家…", "1．战略性新兴产业：包括…": a short run-in heading.
        # Longer first sentences, or ones with figures, are the clause's text, not a heading.
        head = rest[: stops[0]]
        limit = _RUNIN_MAX if rest[stops[0]] == "。" else _RUNIN_COLON_MAX
        if len(head) <= limit and not re.search(r"[，；\d]", head):
            return head, False
    return None, False


def parse_outline(lines: list[str]) -> list[Part]:
    """Parse the lines of a document body into its top-level parts.

    Lines before the first numbered part become a ``preamble`` part. Blank lines are dropped.

    Args:
        lines: the body's lines, page furniture already removed.

    Returns:
        The top-level parts, each with its children.

    Example:
        >>> parts = parse_outline(["一、总则", "（一）目的。为了…", "二、附则", "本办法自发布之日起实施。"])
        >>> [p.path for p in parts[0].walk()]
        ['s1', 's1/p1']
    """
    roots: list[Part] = []
    stack: list[Part] = []
    preamble: Part | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        marker = None
        for kind, prefix, rank, pattern in _MARKERS:
            m = pattern.match(line)
            if m:
                marker = (kind, prefix, rank, m)
                break
        if marker is None:
            target = next((p for p in reversed(stack) if p.open_for_text), None)
            if target is None:
                if stack or roots:
                    # Every open part was a one-paragraph part: the paragraph belongs to the
                    # top-level part that holds them.
                    target = stack[0] if stack else roots[-1]
                else:
                    if preamble is None:
                        preamble = Part("preamble", "preamble", "", None, rank=0)
                    preamble.lines.append(line)
                    continue
            target.lines.append(line)
            continue
        kind, prefix, rank, m = marker
        while stack and stack[-1].rank >= rank:
            stack.pop()
        siblings = stack[-1].children if stack else roots
        position = sum(1 for s in siblings if s.kind == kind) + 1
        parent_path = stack[-1].path + "/" if stack else ""
        if kind == "article":
            number, heading, rest = f"第{m.group(1)}条", m.group(2), m.group(3)
            heading_only = not rest.strip()
        else:
            number = {"section": f"{m.group(1)}、", "paragraph": f"（{m.group(1)}）", "item": f"{m.group(1)}．"}[kind]
            heading, heading_only = _split_heading(m.group(2))
        part = Part(kind, f"{parent_path}{prefix}{position}", number, heading, [line],
                    position=position, rank=rank, open_for_text=heading_only)
        siblings.append(part)
        stack.append(part)
    if preamble is not None:
        roots.insert(0, preamble)
    if not roots:
        raise OutlineError("no text found to cut into parts")
    return roots
