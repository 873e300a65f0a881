"""Okapi BM25 over weighted fields (BM25F-style term frequencies), with each term's share of a score.

Written here rather than taken from a package because matching must say *why*: the score of every
hit is split into the contributions of the query terms that produced it, the documents' fields
(labels, definitions, narrower labels) weigh differently, and the query terms carry weights
(see qigraph.matching.text). rank-bm25, the usual package, returns only totals, cannot weight
fields or query terms, and floors negative IDF with an epsilon; here IDF is Lucene's
non-negative form ``ln(1 + (N - df + 0.5) / (df + 0.5))``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping


class BM25:
    """An index of documents, each a bag of (term, weight) pairs.

    >>> index = BM25({"h2": [("氢能", 3.0), ("燃料电池", 1.0)], "ai": [("人工智能", 3.0)]})
    >>> scores = index.score({"氢能": 1.0})
    >>> list(scores), round(scores["h2"][0], 3)
    (['h2'], 1.057)
    """

    def __init__(self, documents: Mapping[str, Iterable[tuple[str, float]]], *, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf: dict[str, dict[str, float]] = {}
        self.postings: dict[str, list[str]] = defaultdict(list)
        for key, terms in documents.items():
            bag: dict[str, float] = defaultdict(float)
            for term, weight in terms:
                bag[term] += weight
            self.tf[key] = dict(bag)
            for term in bag:
                self.postings[term].append(key)
        self.length = {key: sum(bag.values()) for key, bag in self.tf.items()}
        self.avg_length = (sum(self.length.values()) / len(self.length)) if self.length else 1.0
        n = len(self.tf)
        self.idf = {t: math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5)) for t, docs in self.postings.items()}

    def contribution(self, term: str, key: str) -> float:
        """One term's score in one document (0 if the document lacks it)."""
        tf = self.tf[key].get(term, 0.0)
        if not tf:
            return 0.0
        norm = self.k1 * (1 - self.b + self.b * self.length[key] / self.avg_length)
        return self.idf[term] * tf * (self.k1 + 1) / (tf + norm)

    def score(self, query: Mapping[str, float]) -> dict[str, tuple[float, dict[str, float]]]:
        """Documents that share a term with the query: key → (score, {term: contribution}).

        Args:
            query: term → query weight (a term's contribution is multiplied by it).
        """
        out: dict[str, tuple[float, dict[str, float]]] = {}
        parts: dict[str, dict[str, float]] = defaultdict(dict)
        for term, weight in query.items():
            for key in self.postings.get(term, ()):
                parts[key][term] = weight * self.contribution(term, key)
        for key, terms in parts.items():
            out[key] = (sum(terms.values()), terms)
        return out
