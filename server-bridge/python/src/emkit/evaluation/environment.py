"""What the runner needs in the model's environment, said before anything is read.

The runner runs in the model's own Python (its training's environment), which may have been
made for PyTorch alone: a missing package must be one clear sentence, not an ImportError
halfway through.
"""

from __future__ import annotations

import importlib.util
from typing import List, Optional

NEEDED = {"numpy": "numpy", "pandas": "pandas", "sklearn": "scikit-learn"}  # module: pip name
NEEDED_BY_FORMAT = {"parquet": {"pyarrow": "pyarrow"}}


def missing(data_format: Optional[str]) -> List[str]:
    """The pip names of the packages this evaluation needs that aren't installed."""
    needed = dict(NEEDED, **NEEDED_BY_FORMAT.get(data_format or "", {}))
    return [name for module, name in needed.items() if importlib.util.find_spec(module) is None]


def missing_message(names: List[str]) -> str:
    return (
        f"the model's environment lacks {', '.join(names)}, which the evaluation needs: "
        f"install {'them' if len(names) > 1 else 'it'} there (pip install {' '.join(names)}), "
        "or evaluate in another environment"
    )
