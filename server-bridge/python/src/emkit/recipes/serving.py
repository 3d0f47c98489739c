"""Serving a built-in recipe's model: what its generated predict.py calls.

``load(model_dir)`` reads recipe.json and hands the folder to the type's module
(emkit.recipes.modeltypes); ``predict`` and ``predict_scores`` dispatch to it. The helpers
below decode the raw inputs a type takes, each raising ValueError with the instance's index
(the serving worker answers 400 with it):

- image / audio: ``{"b64": "...", "filename"?: str, "contentType"?: str}`` (the quick test's
  upload, the evaluation's decoded file) or a bare base64 string → ``instance_bytes``;
- text: a string (or ``{"text": ...}``, or a one-column row) → ``instance_text``;
- row: ``{"column": value}`` or a list in ``columns`` order → ``instance_rows`` (a float matrix).
"""

from __future__ import annotations

import base64
import binascii
import math
import os
from typing import Any, List, Optional, Tuple

from .model_dir import read_recipe


class LoadedRecipe:
    def __init__(self, recipe: dict, module, state):
        self.recipe = recipe
        self.module = module
        self.state = state


def classes(model_dir: str) -> Optional[List[Any]]:
    """recipe.json's classes (a classifier's), else None."""
    found = read_recipe(model_dir).get("classes")
    return list(found) if isinstance(found, list) else None


def load(model_dir: str) -> LoadedRecipe:
    from .modeltypes import module

    recipe = read_recipe(model_dir)
    type_module = module(recipe["modelType"])
    return LoadedRecipe(recipe, type_module, type_module.load(model_dir, recipe))


def predict(model: LoadedRecipe, instances) -> list:
    if not _instances(instances):
        return []
    return model.module.predict(model.state, instances)


def predict_scores(model: LoadedRecipe, instances) -> Tuple[list, list]:
    scores = getattr(model.module, "predict_scores", None)
    if scores is None:
        raise ValueError(f"a {model.recipe['modelType']} model gives no class scores")
    if not _instances(instances):
        return [], []
    return scores(model.state, instances)


def _instances(instances) -> list:
    if not isinstance(instances, list):
        raise ValueError(f"instances must be a list, not {type(instances).__name__}")
    return instances


# --- raw inputs ------------------------------------------------------------------------------


def instance_bytes(instance, index: int) -> Tuple[bytes, str]:
    """``(the file's bytes, its name or "")`` from an upload object or a base64 string."""
    name = ""
    data = instance
    if isinstance(instance, dict):
        data = instance.get("b64")
        filename = instance.get("filename")
        name = filename if isinstance(filename, str) else ""
        if data is None:
            raise ValueError(f'instance {index} has no "b64": send {{"b64": "<base64 of the file>"}}')
    if not isinstance(data, str):
        raise ValueError(f'instance {index} must be a base64 string or {{"b64": ...}}, not {_kind(instance)}')
    text = data.strip()
    if text.startswith("data:") and "," in text:  # a data URL, as a browser's FileReader gives it
        text = text.split(",", 1)[1]
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"instance {index} isn't valid base64") from None
    if not raw:
        raise ValueError(f"instance {index} is empty")
    return raw, os.path.basename(name)


def instance_text(instance, index: int) -> str:
    if isinstance(instance, dict) and "text" in instance:
        instance = instance["text"]
    if isinstance(instance, list) and len(instance) == 1:  # a one-column table's row
        instance = instance[0]
    if not isinstance(instance, str):
        raise ValueError(f"instance {index} must be a text string, not {_kind(instance)}")
    return instance


def instance_rows(instances: list, columns: List[str]):
    """A float matrix, one row per instance, columns in ``columns`` order."""
    import numpy

    matrix = numpy.empty((len(instances), len(columns)), dtype=float)
    for index, instance in enumerate(instances):
        if isinstance(instance, dict):
            missing = [c for c in columns if c not in instance]
            if missing:
                raise ValueError(
                    f"instance {index} lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing[:10])}: "
                    f"the model takes {', '.join(columns)}"
                )
            values = [instance[c] for c in columns]
        elif isinstance(instance, (list, tuple)):
            if len(instance) != len(columns):
                raise ValueError(
                    f"instance {index} has {len(instance)} values; the model takes {len(columns)}: {', '.join(columns)}"
                )
            values = list(instance)
        else:
            raise ValueError(
                f'instance {index} must be a {{"column": value}} object or a list of {len(columns)} numbers, '
                f"not {_kind(instance)}"
            )
        for position, value in enumerate(values):
            matrix[index, position] = _number(value, index, columns[position])
    return matrix


def _number(value, index: int, column: str) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
    else:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f'instance {index}: column "{column}" must be a number, not {value!r}')
    return number


def _kind(value) -> str:
    return "null" if value is None else type(value).__name__
