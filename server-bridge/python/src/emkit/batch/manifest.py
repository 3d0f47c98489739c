"""manifest.jsonl: the record of the batches a job has written, what makes it resumable.

One line per batch, in order: ``{"batch", "done", "errors", "predictions", "errorsAt"}`` — the
batch's index, the items done and bad so far, and where the predictions and errors files end
after it. A line is written only once the files it points into are synced, and lines go in
groups (at most every ``COMMIT_INTERVAL`` seconds, and at the end), so syncing doesn't cost a
batch each. A job that starts again after a crash (of the runner, the bridge or the machine)
reads the last whole line, cuts the files back to where it says and goes on from the next
batch: what was written after it is written again, once.
"""

from __future__ import annotations

import json
import os
import time
from typing import List, Optional

from .outputs import Output, Position

COMMIT_INTERVAL = 1.0


class Entry:
    def __init__(self, batch: int, done: int, errors: int, position: Position):
        self.batch = batch
        self.done = done
        self.errors = errors
        self.position = Position(position.predictions, position.errors)

    def line(self) -> str:
        document = {
            "batch": self.batch,
            "done": self.done,
            "errors": self.errors,
            "predictions": self.position.predictions,
            "errorsAt": self.position.errors,
        }
        return json.dumps(document, separators=(",", ":")) + "\n"


def last_entry(path: str) -> Optional[Entry]:
    """The last whole line's entry; a torn last line (a crash while writing it) is not one."""
    try:
        with open(path, "rb") as file:
            lines = file.read().split(b"\n")
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        try:
            raw = json.loads(line)
            return Entry(raw["batch"], raw["done"], raw["errors"], Position(raw["predictions"], raw["errorsAt"]))
        except (ValueError, KeyError, TypeError):
            continue
    return None


class Manifest:
    def __init__(self, path: str, output: Output, fresh: bool):
        self.output = output
        self.file = open(path, "wb" if fresh else "ab")  # noqa: SIM115 (closed by close)
        self.pending: List[Entry] = []
        self.committed_at = time.monotonic()

    def add(self, entry: Entry) -> None:
        self.pending.append(entry)
        if time.monotonic() - self.committed_at >= COMMIT_INTERVAL:
            self.commit()

    def commit(self) -> None:
        """Sync the files, then record the batches written since the last commit."""
        self.committed_at = time.monotonic()
        if not self.pending:
            return
        self.output.sync()
        self.file.write("".join(entry.line() for entry in self.pending).encode())
        self.file.flush()
        os.fsync(self.file.fileno())
        self.pending = []

    def close(self) -> None:
        self.file.close()
