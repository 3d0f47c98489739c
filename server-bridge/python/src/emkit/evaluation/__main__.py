"""``python -m emkit.evaluation spec.json`` runs an evaluation (``run``);
``python -m emkit.evaluation --check spec.json`` checks its dataset quickly (``check``)."""

import sys

USAGE = "usage: python -m emkit.evaluation [--check] SPEC.json"


def _main(argv) -> int:
    if len(argv) == 2 and argv[0] == "--check":  # SPEC.json, or - for the spec on stdin
        from .check import main as check

        return check(argv[1])
    if len(argv) == 1 and not argv[0].startswith("-"):
        from .run import main as run

        return run(argv[0])
    print(USAGE, file=sys.stderr)
    return 2


sys.exit(_main(sys.argv[1:]))
