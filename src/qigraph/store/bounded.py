"""Queries under a deadline and a result-size cap, in worker processes that can really be stopped.

pyoxigraph has no query timeout in Python, and a thread cannot be killed; so each query runs in one
of a few worker processes holding the store read-only. At the deadline the worker is killed and
replaced, and the caller gets QueryTimeout while every other client carries on. Results are
serialised into a capped buffer, so an oversized answer stops being produced once it passes the
cap (ResultTooLarge), rather than after it has filled the memory. Forbidden operations (updates,
SERVICE to endpoints not allowed) are refused before anything runs (see guard).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
from typing import Mapping

from qigraph.config import is_remote

from .base import Dataset, QueryResult, QuerySyntaxError, Store, StoreError
from .guard import ForbiddenQuery, check_query
from .worker import serve


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""


class ResultTooLarge(RuntimeError):
    """The query's result is larger than the configured cap."""


class StoreBusy(RuntimeError):
    """Every worker stayed busy for as long as a query may run."""


_STARTUP_SECONDS = 120  # how long a fresh worker may take to start, apart from any query's limit
_ERRORS = {cls.__name__: cls for cls in (QuerySyntaxError, ResultTooLarge, StoreError, ValueError, ForbiddenQuery)}


class _Worker:
    def __init__(self, ctx, descriptor: str, options: dict, max_bytes: int, epoch: int = 0):
        self.ready = self.stopped = False
        self.epoch = epoch  # the store's content it opened (see BoundedStore.refresh)
        self._stopping = threading.Lock()
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child, descriptor, options, max_bytes), daemon=True,
                                   name="qigraph-query-worker")
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> None:
        """Wait for the worker to have opened its store: its start-up (a fresh interpreter on a busy
        machine) must not count against the first query's time limit."""
        if self.ready:
            return
        if not self.conn.poll(seconds):
            raise StoreError(f"a query worker did not start within {seconds:g} s; the machine may be overloaded")
        reply = self.conn.recv()
        if reply[0] != "ready":
            raise _ERRORS.get(reply[1], StoreError)(reply[2])
        self.ready = True

    def stop(self) -> None:
        # A shutdown and a request thread retiring the same worker may both get here.
        with self._stopping:
            if self.stopped:
                return
            self.stopped = True
        self.process.kill()
        self.process.join(timeout=5)
        try:
            self.conn.close()
        except OSError:
            pass  # the pipe is already gone with its process


class BoundedStore(Store):
    """A read-only store whose queries run in worker processes under a deadline and a size cap."""

    def __init__(self, descriptor: str, *, workers: int = 2, timeout: float = 30.0,
                 max_bytes: int = 64 * 1024 * 1024, allowed_services: tuple[str, ...] = (),
                 options: dict | None = None):
        from qigraph.store import open_store

        self.options = dict(options or {})
        if "timeout" not in self.options and is_remote(descriptor):
            self.options["timeout"] = timeout  # the endpoint's own wait ends with the deadline
        probe = open_store(descriptor, read_only=True, **self.options)  # fail here, with the store's message
        try:
            if not is_remote(descriptor):
                probe.triple_count()  # opens the database: a damaged store fails now, not on the first query
        finally:
            probe.close()
        self.descriptor, self.timeout, self.max_bytes = descriptor, timeout, max_bytes
        self.allowed_services = tuple(allowed_services)
        self._ctx = mp.get_context("spawn")  # no fork of a threaded server
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._epoch = 0
        for _ in range(max(1, workers)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.descriptor, self.options, self.max_bytes, self._epoch)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> _Worker:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        return self._spawn()

    def _call(self, op: str, *args, **kwargs):
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise StoreBusy(f"all query workers stayed busy for {self.timeout:g} s; try again shortly") from None
        try:
            if worker.epoch != self._epoch:  # opened the store before a data merge replaced it
                worker = self._retire(worker)
            worker.wait_ready(_STARTUP_SECONDS)
            worker.conn.send((op, args, kwargs))
            if not worker.conn.poll(self.timeout):
                worker = self._retire(worker)
                raise QueryTimeout(f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
                                   f"narrow it (more specific patterns, a LIMIT) and try again")
            reply = worker.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            worker = self._retire(worker)
            raise StoreError("the query worker stopped unexpectedly; the query was not answered (it has been replaced)") from None
        finally:
            self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        _status, name, message = reply
        raise _ERRORS.get(name, StoreError)(message)

    def select(self, query: str, *, bindings: Mapping[str, object] | None = None) -> dict:
        check_query(query, allowed_services=self.allowed_services)
        return self._call("select", query, bindings=dict(bindings or {}))

    def query(self, query: str, *, accept: str, bindings: Mapping[str, object] | None = None,
              max_bytes: int | None = None, dataset: Dataset | None = None) -> QueryResult:
        check_query(query, allowed_services=self.allowed_services)
        return self._call("query", query, accept=accept, bindings=dict(bindings or {}), dataset=dataset)

    def triple_count(self) -> int:
        return self._call("count")

    def refresh(self) -> None:
        """The store's content was replaced (a data merge): each worker is replaced by one that
        opens the new content before it answers again; a query running now finishes on the old."""
        with self._lock:
            self._epoch += 1

    def size(self) -> dict:
        return self._call("size")

    def replace_graph(self, ntriples: bytes) -> None:
        raise NotImplementedError("a bounded store is read-only; build with `qigraph build`")

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
