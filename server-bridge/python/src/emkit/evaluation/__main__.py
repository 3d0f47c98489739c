"""``python -m emkit.evaluation spec.json`` runs an evaluation (``run``);
``python -m emkit.evaluation --check spec.json`` checks its dataset quickly (``check``)."""

import os
import sys

USAGE = "usage: python -m emkit.evaluation [--check] SPEC.json"

# Before scikit-learn loads its OpenMP runtime: the runner calls the model once per batch
# with Python work (parsing the next chunk) in between, and OpenMP's default of spinning
# after each parallel region makes its idle threads take the cores from that work. On a busy
# machine a HistGradientBoosting model's 200,000 rows took 18-38 s this way, 4-7 s with
# passive waiting. A value set by the user is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


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
