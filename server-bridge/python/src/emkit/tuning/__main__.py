"""``python -m emkit.tuning DIR``: the study of the tuning in DIR, on its pipes (see ``protocol``)."""

import sys

from .protocol import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
