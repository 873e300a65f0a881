"""Industry matching: from a free-text description of a business (Chinese or English: a product,
a technology, a 经营范围) or a GB/T 4754-2017 code to the industries, centers, tasks, clauses,
agencies and programs that concern it, each hit with the reason it matched.

``get_matcher(store)`` builds the index once per store (SPARQL over the built graph) and caches it;
``Matcher.match(text)`` then answers from memory.
"""

from .matcher import Matcher, MatchError, forget_matcher, get_matcher

__all__ = ["MatchError", "Matcher", "forget_matcher", "get_matcher"]
