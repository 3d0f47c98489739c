"""status.json: the supervisor's record of its training, read by the bridge (also after a restart).

Every write replaces the whole file atomically, so a reader never sees half of one.
"""

from __future__ import annotations

import json
import os
import time

CREATE_IN_PROGRESS = "CREATE IN PROGRESS"
RUNNING = "RUNNING"
STOP_IN_PROGRESS = "STOP IN PROGRESS"
COMPLETE = "COMPLETE"
FAIL_TRAIN = "FAIL TRAIN"
STOPPED = "STOPPED"
FINAL_STATES = (COMPLETE, FAIL_TRAIN, STOPPED)


def utc_now() -> str:
    """ISO-8601 in UTC with milliseconds, as JavaScript's ``Date.toISOString`` writes it."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


class StatusFile:
    def __init__(self, path: str):
        self.path = path
        self.state: str | None = None
        self.reason: str | None = None
        self.exit_code: int | None = None
        self.ranks: list[dict] = []  # {"rank", "pid", "exitCode"}, kept up to date by the supervisor
        self.started_at: str | None = None
        self.ended_at: str | None = None

    def write(self, state: str, reason: str | None = None, exit_code: int | None = None) -> None:
        self.state, self.reason, self.exit_code = state, reason, exit_code
        now = utc_now()
        final = state in FINAL_STATES
        if state == RUNNING and self.started_at is None:
            self.started_at = now
        if final:
            self.ended_at = now
        document = {
            "state": state,
            "reason": reason,
            "exitCode": exit_code,
            "supervisorPid": os.getpid(),
            "ranks": self.ranks,
            "startedAt": self.started_at,
            "endedAt": self.ended_at,
            "updatedAt": now,
        }
        temporary = f"{self.path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(json.dumps(document, indent=2) + "\n")
            if final:
                # the outcome must survive a crash of the machine; the states on the way needn't
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, self.path)

    def update(self) -> None:
        """Write the current state again (after a change to ``ranks``)."""
        self.write(self.state or CREATE_IN_PROGRESS, self.reason, self.exit_code)
