"""The model folder of a built-in recipe: framework ``custom``.

- the fitted model's own files, written by the type (``TrainedModel.save``);
- ``recipe.json``: ``{"modelType", "task", "classes", "input", "columns", "parameters"}``;
- ``predict.py``: generated, delegating to ``emkit.recipes.serving`` (its ``predict_scores``
  only for a classifier, so the serving loader gives scores where there are some).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

from .context import Context
from .trained import TrainedModel

RECIPE_FILE = "recipe.json"

PREDICT = """\
# emkit built-in model: {model_type} (generated; served as framework custom)
import os

from emkit.recipes import serving

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = serving.classes(HERE)


def load():
    return serving.load(HERE)


def predict(model, instances):
    return serving.predict(model, instances)
"""

PREDICT_SCORES = """

def predict_scores(model, instances):
    return serving.predict_scores(model, instances)
"""


def recipe_document(context: Context, trained: TrainedModel) -> Dict[str, Any]:
    from ..serving.loaders import tolist

    return {
        "modelType": context.model_type,
        "task": context.task,
        "classes": [tolist(c) for c in trained.classes] if trained.classes is not None else None,
        "input": trained.input,
        "columns": trained.columns,
        "parameters": context.params,
    }


def write(context: Context, trained: TrainedModel) -> None:
    os.makedirs(context.model_dir, exist_ok=True)
    trained.save(context.model_dir)
    with open(os.path.join(context.model_dir, RECIPE_FILE), "w", encoding="utf-8") as file:
        json.dump(recipe_document(context, trained), file, ensure_ascii=False, indent=2)
    source = PREDICT.format(model_type=context.model_type)
    if context.task == "classification":
        source += PREDICT_SCORES
    with open(os.path.join(context.model_dir, "predict.py"), "w", encoding="utf-8") as file:
        file.write(source)
    context.log(f"wrote the model to {context.model_dir}")


def read_recipe(model_dir: str) -> Dict[str, Any]:
    path = os.path.join(model_dir, RECIPE_FILE)
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("modelType"), str):
        raise ValueError(f"{path} has no modelType")
    return document
