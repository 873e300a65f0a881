"""Reading the preference headers of HTTP (Accept, Accept-Language): their items by quality."""

from __future__ import annotations


def by_preference(header: str | None) -> list[tuple[float, str]]:
    """The items of a header such as Accept or Accept-Language with their quality (``q``), the most
    preferred first; items of equal quality keep the client's order. A malformed ``q`` counts as 0.

    >>> by_preference("text/csv;q=0.5, application/json, text/turtle;q=0.5")
    [(1.0, 'application/json'), (0.5, 'text/csv'), (0.5, 'text/turtle')]
    """
    ranked = []
    for i, item in enumerate((header or "").split(",")):
        value, *params = [x.strip() for x in item.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, value))
    return [(-q, value) for q, _i, value in sorted(ranked)]
