"""Fault points for the crash tests: ``EMKIT_BATCH_FAULT=<point>`` has the runner kill itself
with SIGKILL when it gets there, as a crash of the machine or ``kill -9`` would at that moment.
Unset (always, outside tests), a point costs one dictionary look-up."""

from __future__ import annotations

import os
import signal

VARIABLE = "EMKIT_BATCH_FAULT"


def point(name: str) -> None:
    if os.environ.get(VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
