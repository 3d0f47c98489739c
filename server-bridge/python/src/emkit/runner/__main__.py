"""``python -m emkit.runner <spec.json>``: supervise one training (see ``supervisor``)."""

import sys

from .supervisor import main

sys.exit(main(sys.argv[1:]))
