"""Data drift of a stage's logged inputs against a reference table (issue 18, part 3).

``python -m emkit.drift window SPEC.json``: one window's drift, per input feature (PSI and a
two-sample test: Kolmogorov-Smirnov for numbers, chi-squared for categories) and for the
predictions, printed as one JSON line.
``python -m emkit.drift check SPEC.json``: the reference's columns against the model's inputs,
reading a header only.
``python -m emkit.drift sample SPEC.json``: a sample of the reference's rows as instances, for
the bridge to ask the stage's model for its predictions on them (once per stage, then cached).

Answers are one JSON line on stdout: ``{"ok": true, ...}`` or ``{"ok": false, "status",
"message", "field"}``; the exit status is 0 either way (2: the spec itself can't be read).
"""

from typing import Optional


class DriftError(ValueError):
    """What makes a window unanswerable: ``status`` is the HTTP status the bridge answers with."""

    def __init__(self, message: str, status: int = 422, field: Optional[str] = "drift.reference"):
        super().__init__(message)
        self.status = status
        self.field = field
