"""The study process's pipes: one request line in, one answer line out.

stdin, one JSON object a line, each with an ``op``:

- ``{"op": "ask"}`` → ``{"number": n, "params": {key: value}}``: a new trial, stored before it is answered;
- ``{"op": "tell", "number": n, "value": v}`` or ``{"op": "tell", "number": n, "state": "pruned"|"fail"}``
  → ``{"told": state}`` (or ``{"already": state}`` for a trial told before: a restarted bridge may tell twice);
- ``{"op": "report", "number": n, "points": [[step, value], …]}`` → ``{"prune": bool}``;
- ``{"op": "importance"}`` → ``{"importance": {key: share} | null}``;
- ``{"op": "trials"}`` → ``{"trials": [{"number", "state", "params", "value"}…]}``.

stdout: first ``{"ready": true, "trials": n, "optuna": version}`` (or ``{"error": "…"}`` and exit 3 when
Optuna is missing or the folder holds no spec), then one answer per request; a request that fails is
answered ``{"error": "…"}`` and the process goes on. EOF on stdin ends it, so it never outlives the bridge.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List

EXIT_CANNOT_START = 3


def _say(message: Dict[str, Any]) -> None:
    try:
        line = json.dumps(message, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:  # an answer that isn't JSON is said as an error, not the end
        line = json.dumps({"error": f"the answer could not be written as JSON: {error}"})
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def answer(study, request: Any) -> Dict[str, Any]:
    """The answer to one request line (already parsed)."""
    if not isinstance(request, dict):
        return {"error": "a request is a JSON object with an op"}
    op = request.get("op")
    if op == "ask":
        return study.ask()
    if op == "tell":
        value = request.get("value")
        state = request.get("state", "complete" if value is not None else "fail")
        return study.tell(int(request["number"]), None if value is None else float(value), state)
    if op == "report":
        points = [(int(step), value) for step, value in request.get("points", [])]
        return study.report(int(request["number"]), points)
    if op == "importance":
        return {"importance": study.importance()}
    if op == "trials":
        return {"trials": study.trials()}
    return {"error": f"unknown op {op!r}"}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m emkit.tuning", description=__doc__)
    parser.add_argument("dir", help="the tuning's folder: tuning.json (the spec) and study.journal (the study)")
    args = parser.parse_args(argv)
    try:
        import optuna
    except ImportError as error:
        _say({"error": f"optuna is not installed in {sys.executable} ({error}); pip install 'emkit[tuning]' there"})
        return EXIT_CANNOT_START
    from .study import Study

    try:
        study = Study(args.dir)
    except (OSError, ValueError, KeyError) as error:
        _say({"error": f"the study in {args.dir} could not be opened: {error}"})
        return EXIT_CANNOT_START
    _say({"ready": True, "trials": study.reopened, "optuna": optuna.__version__})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                reply = answer(study, json.loads(line))
            except Exception as error:  # a bad request is answered, never the end of the study
                reply = {"error": f"{type(error).__name__}: {error}"}
            _say(reply)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    return 0
