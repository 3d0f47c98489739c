"""What the runner needs in the model's environment, said before anything is read.

The runner runs in the model's own Python (its training's environment), which may have been
made for PyTorch alone: a missing package must be one clear sentence, not an ImportError
halfway through.
"""

from __future__ import annotations

import importlib.util
import itertools
from typing import List, Optional, Tuple

NEEDED = {"numpy": "numpy", "pandas": "pandas", "sklearn": "scikit-learn"}  # module: pip name
NEEDED_BY_FORMAT = {"parquet": {"pyarrow": "pyarrow"}}
# precision_recall_curve's drop_intermediate and zero_division=nan came in scikit-learn 1.3
# (the last release for Python 3.8 is 1.3.2)
OLDEST = {"scikit-learn": (1, 3)}


def missing(data_format: Optional[str]) -> List[str]:
    """The packages this evaluation needs that aren't installed (or are too old), as pip
    requirements: ``pandas``, ``scikit-learn>=1.3``."""
    needed = dict(NEEDED, **NEEDED_BY_FORMAT.get(data_format or "", {}))
    absent = []
    for module, name in needed.items():
        oldest = OLDEST.get(name)
        if importlib.util.find_spec(module) is None:
            absent.append(name if oldest is None else f"{name}>={'.'.join(map(str, oldest))}")
        elif oldest is not None and _version(name) < oldest:
            absent.append(f"{name}>={'.'.join(map(str, oldest))}")
    return absent


def _version(name: str) -> Tuple[int, ...]:
    """The installed version's leading numbers: (1, 3) for 1.3.2; (0,) if it can't be told."""
    from importlib import metadata

    try:
        text = metadata.version(name)
    except metadata.PackageNotFoundError:
        return (0,)
    numbers = []
    for part in text.split(".")[:2]:
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers) or (0,)


def missing_message(names: List[str]) -> str:
    command = " ".join(f"'{n}'" if ">" in n else n for n in names)  # quoted for a shell
    return (
        f"the model's environment lacks {', '.join(names)}, which the evaluation needs: "
        f"install {'them' if len(names) > 1 else 'it'} there (pip install {command}), "
        "or evaluate in another environment"
    )
