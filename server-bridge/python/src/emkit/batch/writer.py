"""The writing half of a job, on its own thread: one batch is written (and recorded) while the next is scored.

Batches go through a short queue in order and are written in that order, so the output is the same as if one
thread did both. Writing is mostly pyarrow's CSV writer, numpy and system calls, which let the model's thread
run meanwhile. A failure while writing (too many bad items, a full disk) is raised in the scoring thread at its
next hand-over, or at ``close``.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Optional

from .inputs import Items
from .scoring import Scored

AHEAD = 2


class Writer:
    def __init__(self, write: Callable[[Items, Scored], None]):
        self._write = write
        self._queue: queue.Queue = queue.Queue(maxsize=AHEAD)
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name="emkit-batch-writer", daemon=True)
        self._thread.start()

    def put(self, items: Items, scored: Scored) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put((items, scored))

    def close(self) -> None:
        """Writes what was handed over, then ends the thread; raises what failed on the way."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while True:
            entry = self._queue.get()
            if entry is None:
                return
            if self.error is not None:
                continue  # drained, not written: the job ends FAILED
            try:
                self._write(*entry)
            except BaseException as error:
                self.error = error
