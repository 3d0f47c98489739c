"""status.json: the runner's state as the bridge reads it (while running, and after a restart).

Written whole at the start, after every batch and at the end:
``{"state", "reason", "rowsDone", "sha256", "task", "pid", "startedAt", "endedAt"}``.
"""

from __future__ import annotations

import os
import time

from .plain import write_json

# rowsDone is rewritten after a batch at most this often: batches of a few rows would
# otherwise spend their time writing the file (the first and the final write always happen)
PROGRESS_INTERVAL = 0.2

RUNNING = "RUNNING"
COMPLETE = "COMPLETE"
FAILED = "FAILED"
STOPPED = "STOPPED"
FINAL_STATES = (COMPLETE, FAILED, STOPPED)


def utc_now() -> str:
    """ISO-8601 in UTC with milliseconds, as JavaScript's ``Date.toISOString`` writes it."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


class Status:
    def __init__(self, path: str):
        self.path = path
        self.state = RUNNING
        self.reason: str | None = None
        self.rows_done = 0
        self.sha256: str | None = None
        self.task: str | None = None
        self.started_at: str | None = None
        self.ended_at: str | None = None
        self._written_at = 0.0

    def progress(self, rows_done: int) -> None:
        """After a batch: the rows done so far."""
        self.rows_done = rows_done
        if time.monotonic() - self._written_at >= PROGRESS_INTERVAL:
            self.write()

    def write(self, state: str | None = None, reason: str | None = None) -> None:
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
            "rowsDone": self.rows_done,
            "sha256": self.sha256,
            "task": self.task,
            "pid": os.getpid(),
            "startedAt": self.started_at,
            "endedAt": self.ended_at,
        }
        # the outcome must survive a crash of the machine; the counts on the way needn't
        write_json(self.path, document, durable=final)
        self._written_at = time.monotonic()
