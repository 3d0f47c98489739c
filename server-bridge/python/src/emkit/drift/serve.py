"""``python -m emkit.drift serve``: the long-lived drift process a bridge keeps (one per bridge).

Starting Python and importing numpy and scipy.special costs a short process about a quarter of
a second of a one-second window, and each window would read the reference's summary again:
kept alive, this process pays both once (the summaries stay in memory, ``reference.load``).

stdin, one JSON object a line: ``{"id": n, "mode": "window"|"check"|"sample", "spec": {…}}``.
stdout, one JSON object a line: first ``{"ready": true}`` once the imports are done, then per
request, in order, its answer (``answer.answer``) with the request's ``id``. A line that isn't a
request is answered ``{"id": null, "ok": false, …}``. EOF on stdin ends it, so it never outlives
its bridge; an error inside one request is that request's answer, and the process serves on.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Optional

from .answer import answer


def _preload() -> None:
    """What every window needs, imported before saying ready (a missing one is each answer's 503)."""
    try:
        import numpy  # noqa: F401
        import scipy.special  # noqa: F401

        from . import window  # noqa: F401
    except ImportError:
        pass


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def handle(line: str) -> dict:
    request: Any
    try:
        request = json.loads(line)
    except ValueError:
        request = None
    ident: Optional[Any] = request.get("id") if isinstance(request, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("mode"), str):
        return {"id": ident, "ok": False, "status": 500, "message": "not a drift request", "field": None}
    try:
        result = answer(request["mode"], request.get("spec"))
    except Exception as error:  # one window's failure mustn't end every later one
        result = {"ok": False, "status": 500, "message": f"{type(error).__name__}: {error}", "field": None}
    return {"id": ident, **result}


def main() -> int:
    _preload()
    _say({"ready": True})
    try:
        for line in sys.stdin:
            if line.strip():
                _say(handle(line))
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    return 0
