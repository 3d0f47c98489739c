"""``python -m emkit.drift window|check|sample SPEC.json`` (``-``: the spec on stdin), or
``python -m emkit.drift serve`` (the bridge's long-lived process, see ``serve``); see __init__."""

import json
import sys

USAGE = "usage: python -m emkit.drift window|check|sample SPEC.json | serve"


def _main(argv) -> int:
    if argv == ["serve"]:
        from .serve import main

        return main()
    if len(argv) != 2 or argv[0] not in ("window", "check", "sample"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        with sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8") as file:
            spec = json.load(file)
    except (OSError, ValueError) as error:
        print(json.dumps({"ok": False, "status": 500, "message": f"cannot read the spec: {error}", "field": None}))
        return 2
    from .answer import answer

    print(json.dumps(answer(argv[0], spec), ensure_ascii=False, allow_nan=False))
    sys.stdout.flush()
    return 0


sys.exit(_main(sys.argv[1:]))
