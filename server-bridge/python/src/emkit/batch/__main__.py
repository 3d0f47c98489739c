"""``python -m emkit.batch spec.json``: one batch scoring job (``run``)."""

import os
import sys

USAGE = "usage: python -m emkit.batch SPEC.json"

# as for evaluations (emkit/evaluation/__main__.py): OpenMP's idle threads spinning between two
# calls of the model take the cores from reading and writing; a value set by the user is kept
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _main(argv) -> int:
    if len(argv) == 1 and not argv[0].startswith("-"):
        from .run import main

        return main(argv[0])
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
