"""``python -m emkit.usage [--interval SECONDS]``: sample the processes the bridge names (see ``protocol``)."""

import sys

from .protocol import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
