"""``python -m emkit.serving --model-dir DIR --framework FW``: serve one model (see ``worker``)."""

import sys

from .worker import main

sys.exit(main(sys.argv[1:]))
