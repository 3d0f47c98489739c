"""emkit's no-code model types (issue 16): the six built-in recipes.

``catalog.json`` is generated from shared/src/recipes/builtins.ts (scripts/python-recipes.mjs):
each type's task, datasets and parameters with their defaults. A built-in training runs
``main(model_type)`` from a two-line train.py the bridge writes.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

_CATALOG = os.path.join(os.path.dirname(__file__), "catalog.json")


def catalog() -> Dict[str, Any]:
    """Model type → ``{"task", "datasets", "parameters"}``, as the bridge has them."""
    with open(_CATALOG, encoding="utf-8") as file:
        return json.load(file)


def main(model_type: str) -> int:
    """The entry of a built-in training; the recipes engineers fill it in."""
    raise SystemExit(f"the {model_type} recipe is not built yet")
