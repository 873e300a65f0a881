"""Text into index terms, the same way for the indexed documents and for a query.

Chinese runs are segmented by jieba, whose dictionary is extended with the taxonomies' labels so
that a label such as 智能无人飞行器 stays one word; a word is also indexed by the shorter known words
inside it (储氢瓶 → 储氢), so a query word and a label meet even when they are cut differently.
English is lower-cased, split into words, reduced by a few plural rules, and indexed as words and
as pairs of adjacent words (fuel cell). Boilerplate of business scopes (一般项目, 技术服务, import and
export…) is dropped, and an item of a 经营范围 that only trades or serves (…销售, …服务, sales of…)
counts less than one that makes something: a shop that sells food is not a food maker.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

CJK = re.compile(r"[\u3400-\u9fff]+")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9][A-Za-z0-9+./'’-]*")
_ITEMS = re.compile(r"[；;。\n！？!?]+|\.\s+(?=[A-Z])")
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_EN_WORD = re.compile(r"[a-z0-9]+")

# An item of a business scope that ends like this trades in or serves something rather than making
# it (the wording of the State Administration for Market Regulation's 经营范围规范表述目录).
TRADE_SUFFIXES = ("销售", "零售", "批发", "经营", "代理", "经纪", "租赁", "咨询", "服务", "管理", "推广", "中介",
                  "策划", "培训", "递送", "托管", "展览")
TRADE_PREFIXES_EN = ("sale", "sales", "retail", "wholesale", "trading", "consulting", "consultancy", "agency",
                     "leasing", "rental", "advisory")
TRADE_WEIGHT = 0.3  # how much a trading/serving item counts next to a making item
# Words after these name what a service is about or who the clients are, not what the business
# makes: "classes in robotics programming", "our clients include semiconductor companies".
_SERVICE_OBJECT = re.compile(r"\b(?:classes|courses|training|lessons|consulting|advisory|advising)\s+(?:in|on|for|about)\b"
                             r"|\b(?:clients|customers)\s+(?:include|includes|are|range|span)\b|客户(?:包括|涵盖|覆盖|有)",
                             re.IGNORECASE)
FUNCTION_EN = frozenset("a an the of and or for in on to with by at from as".split())  # noqa: SIM905 - a word list reads best as text
_SHORT_ITEM = 24  # longer runs are sentences of a pitch, not items of a licence

# Word lists read and edit best as text, hence the str.split below (ruff SIM905).
STOP_ZH = frozenset("""
一般 项目 一般项目 许可 许可项目 依法 须经 批准 经营 活动 相关 部门 文件 许可证 许可证件 营业执照 营业 执照 凭 自主 开展
具体 为准 以及 除外 不含 包括 技术服务 技术开发 技术咨询 技术交流 技术转让 技术推广 货物进出口 技术进出口 进出口 货物
研发 研究 开发 制造 生产 销售 服务 技术 公司 我们 产品 主要 主营 提供 企业 设计 相关 领域 行业 产业 方向 我司 已经 已
目前 实现 以上 以下 及其 等等 上海 上海市 本市 国内 国际 全国 中国 国家 服务于 用于 应用 支持 通过 具备 拥有 以及 可以 能够
主要产品 业务 一站式 解决方案 客户 合作 领先 国产 自主 研制 建设 推动 发展 加快 提升 质量 水平 能力 体系 核心 关键
""".split())  # noqa: SIM905

STOP_EN = frozenset("""
a an and or the of for to in on at by with from into over per as is are was were be been being it its this that these those
we our us you your they their them he she his her i my me not no than then so such can will would could should may might
also more most less very all any each every other own same some both either only just about after before during under
up down out off again further once here there when where why how which who whom what whose while if because until
year years month months day days first next last new one two three four five six seven eight nine ten
company companies co ltd inc llc group business businesses service services technical technology technologies
development develop developing developed research design designing designed manufacture manufacturing manufactured
manufacturer manufacturers make makes making made produce producing production product products sale sales selling sell
import imports export exports goods trade trading general project projects item items licensed license licence approved
approval except excluding including include includes related relevant other others activity activities provide provides
providing provided offer offers offering solution solutions customer customers client clients use used using based
shanghai china chinese national international leading lead support supports supported system systems
""".split())  # noqa: SIM905


def stem(word: str) -> str:
    """A few plural rules, enough to make batteries/battery and drones/drone meet.

    >>> [stem(w) for w in ("batteries", "drones", "glass", "lidars", "bus", "gas")]
    ['battery', 'drone', 'glass', 'lidar', 'bus', 'gas']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


def _english_words(text: str) -> list[tuple[str, str] | None]:
    """Stemmed words as (term, surface), None where a stop word breaks the sequence. A hyphenated
    compound is also kept whole (car-t, tilt-rotor); its parts only when none is a mere letter or two,
    so CAR-T does not turn into a car."""
    out: list[tuple[str, str] | None] = []
    for chunk in text.lower().split():
        out.extend(_chunk_words(chunk))
    return out


@lru_cache(maxsize=100_000)  # an index repeats the same words in many labels and definitions
def _chunk_words(chunk: str) -> tuple[tuple[str, str] | None, ...]:
    """``_english_words`` of one lower-cased, whitespace-free chunk."""
    parts = _EN_WORD.findall(chunk)
    if len(parts) > 1 and "-" in chunk:
        whole = "-".join(parts)
        if all(len(p) >= 3 for p in parts):
            return tuple((stem(p), p) if p not in STOP_EN and not p.isdigit() else None for p in parts)
        if any(not p.isdigit() for p in parts):
            return ((whole, whole),)
        return ()
    return tuple(None if w in STOP_EN or w.isdigit() or len(w) < 2 else (stem(w), w) for w in parts)


def english_terms(text: str) -> list[tuple[str, str]]:
    """English words and pairs of adjacent words as (term, surface), stop words dropped.

    >>> [t for t, _ in english_terms("Hydrogen fuel cells for trucks")]
    ['hydrogen', 'fuel', 'cell', 'truck', 'hydrogen fuel', 'fuel cell']
    >>> [t for t, _ in english_terms("CAR-T cells")]
    ['car-t', 'cell', 'car-t cell']
    """
    kept = _english_words(text)
    terms = [k for k in kept if k]
    pairs = [(f"{a[0]} {b[0]}", f"{a[1]} {b[1]}") for a, b in pairwise(kept) if a and b]
    return terms + pairs


def item_weight(item: str) -> float:
    """How much an item of a business scope counts: less if it only trades or serves.

    >>> item_weight("食品销售"), item_weight("电池制造"), item_weight("sales of aircraft parts")
    (0.3, 1.0, 0.3)
    """
    bare = _PAREN.sub("", item).strip(" ：:，,、.")
    if not bare:
        return 1.0
    if _SERVICE_OBJECT.search(bare):
        return TRADE_WEIGHT
    if CJK.search(bare):
        if len(bare) <= _SHORT_ITEM and bare.endswith(TRADE_SUFFIXES):
            return TRADE_WEIGHT
        return 1.0
    first = bare.lower().split(maxsplit=1)[0]
    return TRADE_WEIGHT if first in TRADE_PREFIXES_EN else 1.0


@dataclass(frozen=True)
class Term:
    """A query term: its weight (the largest of the items it occurs in) and the words it came from."""

    weight: float
    surface: str


_MAX_KEPT = 200_000


def _kept(table: dict, key: str, make):
    """``table[key]``, made by ``make()`` the first time; a table that reaches ``_MAX_KEPT`` entries
    starts again, so the new texts that queries bring keep memory bounded."""
    if key in table:
        return table[key]
    if len(table) >= _MAX_KEPT:
        table.clear()
    table[key] = value = make()
    return value


class Analyzer:
    """Segments text into index terms; built once with the labels as jieba's user dictionary."""

    def __init__(self, *, user_words: Iterable[str]):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in user_words:
            word = word.strip()
            if len(word) >= 2 and CJK.fullmatch(word):
                # A high frequency keeps a label whole against jieba's own, more general words.
                self._jieba.add_word(word, freq=max(1000, self._jieba.FREQ.get(word) or 0))
        self.vocabulary: set[str] = set()
        # Segmentations kept per Chinese run: a large graph repeats the same texts and names many
        # times (the index at a million triples spent most of its minutes re-cutting them), and a
        # run's cut never changes once the dictionary is complete, as it is here.
        self._cuts: dict[str, tuple[str, ...]] = {}
        # A text's terms and phrase, kept likewise: building the index analyses each label several
        # times (as a concept's own label, as its broader concepts' narrower label, as a phrase).
        # They depend on the vocabulary, so learning more forgets them.
        self._terms: dict[str, tuple[tuple[str, str], ...]] = {}
        self._phrases: dict[str, str | None] = {}
        self._runs: dict[str, tuple[str, ...]] = {}  # a Chinese run's words and known sub-words

    def _cut(self, run: str) -> tuple[str, ...]:
        return _kept(self._cuts, run, lambda: tuple(self._jieba.cut(run)))

    def learn(self, texts: Iterable[str]) -> None:
        """Add the Chinese words of the indexed texts to the vocabulary sub-words are drawn from."""
        self._terms.clear()
        self._phrases.clear()
        self._runs.clear()
        for text in texts:
            for run in CJK.findall(text):
                self.vocabulary.update(w for w in self._cut(run) if len(w) >= 2 and w not in STOP_ZH)

    def _chinese(self, run: str) -> tuple[str, ...]:
        return _kept(self._runs, run, lambda: tuple(self._chinese_of(run)))

    def _chinese_of(self, run: str) -> list[str]:
        out = []
        for word in self._cut(run):
            if len(word) >= 2 and word not in STOP_ZH:
                out.append(word)
            if len(word) >= 3:
                # the known shorter words inside a longer one: 储氢瓶 → 储氢, 氢燃料电池汽车 → 燃料电池
                out.extend(word[i:j] for i in range(len(word)) for j in range(i + 2, len(word) + 1)
                           if (i, j) != (0, len(word)) and word[i:j] in self.vocabulary and word[i:j] not in STOP_ZH)
        return out

    def base(self, text: str) -> list[tuple[str, str] | None]:
        """The words of a text in order, before sub-words and pairs: None marks a break (a stop word)."""
        out: list[tuple[str, str] | None] = []
        english: list[str] = []
        for run in _RUNS.findall(text):
            if CJK.match(run):
                if english:
                    out.extend(_english_words(" ".join(english)))
                    english = []
                out.extend((w, w) if len(w) >= 2 and w not in STOP_ZH else None for w in self._cut(run))
            else:
                english.append(run)
        if english:
            out.extend(_english_words(" ".join(english)))
        return out

    def phrase(self, text: str) -> str | None:
        """A whole label as one term: its words joined (低空经济; unmanned aerial vehicle); None if a
        stop word would be lost from it ("Future manufacturing" is not the phrase "future")."""
        return _kept(self._phrases, text, lambda: self._phrase(text))

    def _phrase(self, text: str) -> str | None:
        for run in _RUNS.findall(text):
            if CJK.match(run):
                if any(w in STOP_ZH for w in self._cut(run)):
                    return None
            elif any(w in STOP_EN and w not in FUNCTION_EN for w in _EN_WORD.findall(run.lower())):
                return None
        return " ".join(w for w, _ in filter(None, self.base(text))) or None

    def phrases_in(self, text: str, known: set[str], *, longest: int = 6) -> list[tuple[str, str]]:
        """The known phrases (whole labels) a text contains as runs of two or more of its words."""
        words = self.base(text)
        found = []
        for i in range(len(words)):
            for n in range(2, longest + 1):
                run = words[i:i + n]
                if len(run) < n or None in run:
                    break
                term = " ".join(w for w, _ in run)
                if term in known:
                    found.append((term, "".join(s if CJK.match(s) else f" {s} " for _, s in run).strip().replace("  ", " ")))
        return found

    def terms(self, text: str) -> list[tuple[str, str]]:
        """All index terms of a text, with repeats, as (term, surface)."""
        return list(_kept(self._terms, text, lambda: tuple(self._terms_of(text))))

    def _terms_of(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        english: list[str] = []
        for run in _RUNS.findall(text):
            if CJK.match(run):
                if english:
                    out.extend(english_terms(" ".join(english)))
                    english = []
                out.extend((w, w) for w in self._chinese(run))
            else:
                english.append(run)
        if english:
            out.extend(english_terms(" ".join(english)))
        return out

    def query(self, text: str, *, phrases: set[str] = frozenset()) -> dict[str, Term]:
        """The distinct terms of a query, each weighted by the business-scope item it occurs in.

        Args:
            text: the query.
            phrases: whole labels (see ``phrase``) to recognise as single terms as well.
        """
        found: dict[str, Term] = {}
        for item in _ITEMS.split(text):
            weight = item_weight(item)
            for term, surface in self.terms(item) + self.phrases_in(item, phrases):
                if term not in found or found[term].weight < weight:
                    found[term] = Term(weight, surface)
        return found
