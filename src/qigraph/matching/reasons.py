"""Why a hit matched, in both languages: a :class:`Reason` is the English text (it *is* that
``str``, so the JSON API's ``why`` lists stay as they were) and carries its Chinese text as ``zh``,
which the answer gives as ``why_zh`` and the Chinese pages show.

>>> r = Reason("serves 低空经济 (matched industry)", zh="服务“低空经济”（匹配的产业）")
>>> r == "serves 低空经济 (matched industry)", r.zh, in_zh(["plain"])
(True, '服务“低空经济”（匹配的产业）', ['plain'])
>>> import copy, pickle
>>> copy.deepcopy(r).zh == pickle.loads(pickle.dumps(r)).zh == r.zh
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self


class Reason(str):
    """An English reason with its Chinese text as ``zh``."""

    zh: str

    def __new__(cls, en: str, *, zh: str) -> Self:
        self = super().__new__(cls, en)
        self.zh = zh
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, str]]:
        # copy and pickle re-create a str subclass through __new__, which needs the Chinese too
        return (str(self),), {"zh": self.zh}


def zh_of(text: str) -> str:
    """The Chinese text of a reason; a plain string (no Chinese known) as itself."""
    return getattr(text, "zh", text)


def in_zh(reasons: Iterable[str]) -> list[str]:
    """The Chinese texts of a list of reasons."""
    return [zh_of(r) for r in reasons]
