"""manifest.jsonl: the record of the batches a job has written, what makes it resumable.

One line per batch, in order: ``{"batch", "done", "errors", "predictions", "errorsAt"}`` — the
batch's index, the items done and bad so far, and where the predictions and errors files end
after it. A line is written only once the files it points into are synced, and lines go in
groups (at most every ``COMMIT_INTERVAL`` seconds, and at the end), so syncing doesn't cost a
batch each. A job that starts again after a crash (of the runner, the bridge or the machine)
reads the last whole line, cuts the files back to where it says and goes on from the next
batch: what was written after it is written again, once.

A job that ends COMPLETE or STOPPED records so last, ``{"end": state, "reason"}``, before its
output takes its name: started again after a crash past that line, it gives the output its
name if it hasn't got it yet and ends as recorded, instead of looking for a partial file that
is gone.
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


class End:
    def __init__(self, state: str, reason: Optional[str]):
        self.state = state
        self.reason = reason


def recorded_end(path: str) -> Optional[End]:
    """How the job ended, if the manifest's last whole line says so."""
    for raw in _whole_lines(path):
        if isinstance(raw, dict) and isinstance(raw.get("end"), str):
            reason = raw.get("reason")
            return End(raw["end"], reason if isinstance(reason, str) else None)
        return None
    return None


def _whole_lines(path: str):
    """The manifest's lines that parse, last first."""
    try:
        with open(path, "rb") as file:
            lines = file.read().split(b"\n")
    except FileNotFoundError:
        return
    for line in reversed(lines):
        try:
            yield json.loads(line)
        except ValueError:
            continue


def last_entry(path: str) -> Optional[Entry]:
    """The last whole line's entry; a torn last line (a crash while writing it) is not one."""
    for raw in _whole_lines(path):
        try:
            return Entry(raw["batch"], raw["done"], raw["errors"], Position(raw["predictions"], raw["errorsAt"]))
        except (KeyError, TypeError):
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

    def end(self, state: str, reason: Optional[str]) -> None:
        """The batches written, then how the job ended: recorded before the output takes its name."""
        self.commit()
        self.file.write((json.dumps({"end": state, "reason": reason}, separators=(",", ":")) + "\n").encode())
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()
