"""What the runner needs in the model's environment, said before anything is read.

A job runs in the model's own Python (its training's environment), which may have been made for
PyTorch alone: a missing package must be one clear sentence, not an ImportError halfway through.
Unlike an evaluation, batch scoring needs no scikit-learn of its own.
"""

from __future__ import annotations

import importlib.util
from typing import List

NEEDED = {"numpy": "numpy", "pandas": "pandas"}  # module: pip name
PARQUET = {"pyarrow": "pyarrow"}


def missing(input_format: str, output_format: str) -> List[str]:
    """The pip names of what this job needs that isn't installed."""
    needed = dict(NEEDED, **(PARQUET if "parquet" in (input_format, output_format) else {}))
    return [name for module, name in needed.items() if importlib.util.find_spec(module) is None]


def missing_message(names: List[str]) -> str:
    return (
        f"the model's environment lacks {', '.join(names)}, which batch scoring needs: install "
        f"{'them' if len(names) > 1 else 'it'} there (pip install {' '.join(names)}), or score in another environment"
    )
