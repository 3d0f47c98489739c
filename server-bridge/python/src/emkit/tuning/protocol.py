"""The study process's pipes: one request line in, one answer line out.

stdin, one JSON object a line, each with an ``op``:

- ``{"op": "ask"}`` → ``{"number": n, "params": {key: value}}``: a new trial, stored before it is answered;
- ``{"op": "tell", "number": n, "value": v}`` or ``{"op": "tell", "number": n, "state": "pruned"|"fail"}``
  → ``{"told": state}`` (or ``{"already": state}`` for a trial told before: a restarted bridge may tell twice);
- ``{"op": "report", "number": n, "points": [[step, value], …]}`` → ``{"prune": bool}``;
- ``{"op": "importance"}`` → ``{"importance": {key: share} | null}``;
- ``{"op": "trials"}`` → ``{"trials": [{"number", "state", "params", "value"}…]}``.

stdout: first ``{"ready": true, "trials": n, "optuna": version}`` (or ``{"error": "…"}`` and exit 3 when
Optuna is missing or the folder holds no spec), then one answer per request, carrying the request's ``id``
when it had one; a request that fails is answered ``{"error": "…"}`` and the process goes on. Requests are
answered in order, but for ``importance``: it is worked out on a thread of its own (a fraction of a second,
seconds the first time), so the asks and tells behind it are not held up, and answered when it is done. EOF on
stdin ends the process, so it never outlives the bridge.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any, Dict, List

EXIT_CANNOT_START = 3


_stdout_lock = threading.Lock()


def _say(message: Dict[str, Any]) -> None:
    try:
        line = json.dumps(message, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:  # an answer that isn't JSON is said as an error, not the end
        line = json.dumps({"error": f"the answer could not be written as JSON: {error}"})
    with _stdout_lock:
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
    except (OSError, ValueError, KeyError, ImportError) as error:  # ImportError: CMA-ES without cmaes
        _say({"error": f"the study in {args.dir} could not be opened: {error}"})
        return EXIT_CANNOT_START
    _say({"ready": True, "trials": study.reopened, "optuna": optuna.__version__})
    aside: List[threading.Thread] = []
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except ValueError as error:
                _say({"error": f"not JSON: {error}"})
                continue
            if isinstance(request, dict) and request.get("op") == "importance":
                thread = threading.Thread(target=_answer_and_say, args=(study, request), daemon=True)
                thread.start()
                aside = [t for t in aside if t.is_alive()] + [thread]
            else:
                _answer_and_say(study, request)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    # what was asked before stdin closed is still answered (briefly: the bridge is going)
    for thread in aside:
        thread.join(timeout=5)
    return 0


def _answer_and_say(study, request: Any) -> None:
    try:
        reply = answer(study, request)
    except Exception as error:  # a bad request is answered, never the end of the study
        reply = {"error": f"{type(error).__name__}: {error}"}
    if isinstance(request, dict) and "id" in request:
        reply["id"] = request["id"]
    _say(reply)
