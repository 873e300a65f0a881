"""The loop of a query worker process (see bounded): in a module of its own so that a worker,
started by ``spawn``, imports only the store — not the SPARQL guard's parser nor the web stack —
and is ready sooner."""

from __future__ import annotations


def serve(conn, descriptor: str, options: dict, max_bytes: int) -> None:
    """A worker's loop: open the store read-only, say so, answer requests until the pipe closes."""
    from qigraph.store import open_store

    try:
        store = open_store(descriptor, read_only=True, **options)
    except Exception as exc:  # noqa: BLE001 - the caller learns why the worker cannot serve
        conn.send(("error", type(exc).__name__, str(exc)))
        return
    conn.send(("ready",))
    while True:
        try:
            op, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if op == "query":
                result = store.query(*args, max_bytes=max_bytes, **kwargs)
            elif op == "select":
                result = store.select(*args, **kwargs)
            elif op == "count":
                result = store.triple_count()
            elif op == "size":
                result = store.size()
            else:
                raise ValueError(f"unknown operation {op!r}")
            conn.send(("ok", result))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
            conn.send(("error", type(exc).__name__, str(exc)))
