"""``python -m emkit.drift window|check|sample SPEC.json`` (``-``: the spec on stdin); see __init__."""

import json
import sys

USAGE = "usage: python -m emkit.drift window|check|sample SPEC.json"


def _main(argv) -> int:
    if len(argv) != 2 or argv[0] not in ("window", "check", "sample"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        with sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8") as file:
            spec = json.load(file)
    except (OSError, ValueError) as error:
        print(json.dumps({"ok": False, "status": 500, "message": f"cannot read the spec: {error}", "field": None}))
        return 2
    from . import DriftError, window

    try:
        answer = getattr(window, {"window": "compute", "check": "check", "sample": "sample"}[argv[0]])(spec)
    except DriftError as error:
        answer = {"ok": False, "status": error.status, "message": str(error), "field": error.field}
    except ImportError as error:
        answer = {
            "ok": False,
            "status": 503,
            "message": f"drift needs numpy, pandas and scipy in the bridge's Python ({error}): "
            "pip install numpy pandas scipy",
            "field": None,
        }
    print(json.dumps(answer, ensure_ascii=False, allow_nan=False))
    sys.stdout.flush()
    return 0


sys.exit(_main(sys.argv[1:]))
