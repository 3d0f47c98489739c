"""The workers: one in the runner's own process, or N processes each loading the model.

``scored(spec, batches)`` yields ``(items, scored)`` in the batches' order whatever the order
the workers finish in: batches are handed out in order, at most two per worker ahead of the
one being written, and the results are taken in the order they were handed out.
"""

from __future__ import annotations

import collections
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, List, Optional, Tuple

from .inputs import Items
from .scoring import Scored, Scorer

AHEAD_PER_WORKER = 2

_worker: Optional[Scorer] = None
_load_error: Optional[BaseException] = None


def _load(framework, artifact_path, features, return_scores) -> None:
    """A worker process's start: its model, or why it can't load (raised at its first batch)."""
    global _worker, _load_error
    try:
        _worker = Scorer(framework, artifact_path, features, return_scores)
    except BaseException as error:
        _load_error = error


def _score(data) -> Scored:
    if _worker is None:
        raise _load_error or RuntimeError("the worker has no model")
    return _worker.score(data)


def _empty() -> Scored:
    return Scored([], (), None, None, [])


class Workers:
    def __init__(self, spec, on_workers: Optional[Callable[[List[int]], None]] = None):
        """``on_workers``: told the worker processes' pids whenever they change (started, ended)."""
        self.spec = spec
        self.on_workers = on_workers
        self._told: List[int] = []
        self.arguments = (spec.framework, spec.artifact_path, spec.features, spec.return_scores)
        self.local: Optional[Scorer] = Scorer(*self.arguments) if spec.instances == 1 else None
        self.pool: Optional[ProcessPoolExecutor] = None

    def scored(self, batches: Iterable[Items]) -> Iterator[Tuple[Items, Scored]]:
        if self.local is not None:
            for items in batches:
                yield items, self.local.score(items.data) if items.keys else _empty()
            return
        count = self.spec.instances
        # spawn: a fresh interpreter per worker, not a fork of a process that has threads (pandas, pyarrow)
        self.pool = ProcessPoolExecutor(count, multiprocessing.get_context("spawn"), _load, self.arguments)
        pending: collections.deque = collections.deque()
        for items in batches:
            pending.append((items, self.pool.submit(_score, items.data) if items.keys else None))
            self._tell()
            if len(pending) > count * AHEAD_PER_WORKER:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
        self.close()

    def close(self) -> None:
        """Ends the worker processes now (a stop, a failure): what they were scoring is dropped."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())  # no public way to end them at once
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=2)
        self._tell()

    def pids(self) -> List[int]:
        """The worker processes running now (the pool starts them as batches are handed out)."""
        processes = getattr(self.pool, "_processes", None) or {}  # no public way to list them
        pids = []
        for process in list(processes.values()):
            try:
                if process.pid is not None and process.is_alive():
                    pids.append(process.pid)
            except ValueError:  # closed meanwhile by the pool's own thread
                continue
        return pids

    def _tell(self) -> None:
        if self.on_workers is None:
            return
        pids = self.pids()
        if pids != self._told:
            self._told = pids
            self.on_workers(pids)


def _result(entry) -> Tuple[Items, Scored]:
    items, future = entry
    return items, future.result() if future is not None else _empty()
