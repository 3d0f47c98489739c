"""Helpers for the magics' tests: cells run in the real IPython InteractiveShell with
``%load_ext emkit`` (the ``shell`` fixture, in conftest.py) as a user runs them, and what
the cell showed collected: its value, what it printed, its rich outputs (and their in-place
updates), and its error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class Ran:
    value: Any
    error: Optional[BaseException]
    stdout: str
    stderr: str
    outputs: List[Dict[str, Any]] = field(default_factory=list)  # display bundles, updates included

    @property
    def text(self) -> str:
        return self.stdout + self.stderr

    def html(self) -> List[str]:
        return [o["data"]["text/html"] for o in self.outputs if "text/html" in o["data"]]

    def one_line_error(self) -> str:
        """The error the user saw: one line, no traceback; returns it."""
        assert self.error is not None, f"the cell didn't fail:\n{self.text}"
        shown = self.text.strip()
        assert "Traceback" not in shown and "\n" not in shown, f"not one line:\n{shown}"
        assert shown.startswith(("emkit: ", "%emkit")), shown
        return shown


def run(shell, source: str, linger: float = 0.0) -> Ran:
    """Run one cell; ``linger`` seconds more are watched for outputs that come later (a timer's)."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(source)
        if linger:
            time.sleep(linger)
    outputs = [{"data": o.data, "update": getattr(o, "update", False)} for o in captured.outputs]
    return Ran(result.result, result.error_in_exec, captured.stdout, captured.stderr, outputs)
