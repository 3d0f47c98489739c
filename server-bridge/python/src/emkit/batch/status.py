"""status.json: the job's state and progress as the bridge reads it (while running, and after a restart).

Written whole at the start, at most every ``PROGRESS_INTERVAL`` seconds while batches are
written, and at the end: ``{"state", "reason", "done", "total", "errors", "rate", "pid",
"workers", "startedAt", "endedAt"}``; ``rate`` is the items per second over the last ``RATE_WINDOW`` s,
``workers`` the pids of the scoring worker processes running now (each sampled as its own series
by the bridge; empty when the runner scores in its own process or on a cluster), written as they change;
``clusterWorkers`` the latest usage sample each worker on a Ray cluster took of itself (the bridge can't
see the nodes): ``{"worker": N, "node": ip, "sample": {pid, cpuPercent, memoryMb, threads, openFiles,
gpuPercent, gpuMemoryMb}, "sampledAt": epoch seconds}``, written with the progress.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from typing import List, Optional

from ..evaluation.plain import write_json
from ..evaluation.status import COMPLETE, FAILED, FINAL_STATES, RUNNING, STOPPED, utc_now

__all__ = ["COMPLETE", "FAILED", "RUNNING", "STOPPED", "Status"]

PROGRESS_INTERVAL = 0.5
RATE_WINDOW = 10.0


class Status:
    def __init__(self, path: str):
        self.path = path
        self.state = RUNNING
        self.reason: Optional[str] = None
        self.done = 0
        self.total: Optional[int] = None
        self.errors = 0
        self.started_at: Optional[str] = None
        self.ended_at: Optional[str] = None
        self.workers: List[int] = []
        self.cluster_workers: List[dict] = []
        self._written_at = 0.0
        # written from the writer's thread (progress) and the main one (workers, the end): one at a time
        self._lock = threading.Lock()
        self._samples: collections.deque = collections.deque()

    def progress(self, done: int, errors: int) -> None:
        self.done, self.errors = done, errors
        now = time.monotonic()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW:
            self._samples.popleft()
        if now - self._written_at >= PROGRESS_INTERVAL:
            self.write()

    def set_workers(self, pids: List[int]) -> None:
        """The scoring workers' pids now; written at once when they changed."""
        if pids != self.workers:
            self.workers = list(pids)
            self.write()

    def set_cluster_workers(self, latest: List[dict]) -> None:
        """The cluster workers' latest samples: written with the next progress."""
        self.cluster_workers = latest

    def rate(self) -> Optional[float]:
        if len(self._samples) < 2:
            return None
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        return round((last - first) / (end - start), 2) if end > start else None

    def write(self, state: Optional[str] = None, reason: Optional[str] = None) -> None:
        with self._lock:
            self._write(state, reason)

    def _write(self, state: Optional[str], reason: Optional[str]) -> None:
        if state is not None:
            self.state, self.reason = state, reason
        if self.started_at is None:
            self.started_at = utc_now()
        final = self.state in FINAL_STATES
        if final and self.ended_at is None:
            self.ended_at = utc_now()
        document = {
            "state": self.state,
            "reason": self.reason,
            "done": self.done,
            "total": self.total,
            "errors": self.errors,
            "rate": None if final else self.rate(),
            "pid": os.getpid(),
            "workers": [] if final else list(self.workers),
            "clusterWorkers": [] if final else list(self.cluster_workers),
            "startedAt": self.started_at,
            "endedAt": self.ended_at,
        }
        write_json(self.path, document, durable=final)
        self._written_at = time.monotonic()
