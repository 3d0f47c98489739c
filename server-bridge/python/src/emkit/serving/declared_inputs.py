"""The input columns a model declares itself, read by loading it: ``python -m emkit.serving.declared_inputs``.

A scikit-learn estimator fitted on a table keeps its columns' names in ``feature_names_in_``
(a Pipeline too, from its first step); that is the only declaration read. The bridge runs this
in the model's own Python (the one its workers use), once per model version, before it checks
a drift reference against the model's inputs. It prints one JSON line: ``{"columns": [...]}``,
or ``{"columns": null}`` when the model declares none, or ``{"error": "..."}`` when it can't load.
"""

from __future__ import annotations

import json
import sys
from typing import List, Optional


def declared_columns(framework: str, model_dir: str) -> Optional[List[str]]:
    if framework != "scikit-learn":
        return None
    from .loaders import load

    names = getattr(load(framework, model_dir).estimator, "feature_names_in_", None)
    if names is None:
        return None
    columns = [str(name) for name in names]
    return columns or None


def main(argv: List[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m emkit.serving.declared_inputs FRAMEWORK MODEL_DIR", file=sys.stderr)
        return 2
    try:
        answer: dict = {"columns": declared_columns(argv[0], argv[1])}
    except Exception as error:  # a model that doesn't load declares nothing; the bridge says why in its log
        answer = {"error": f"{type(error).__name__}: {error}"[:300]}
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
