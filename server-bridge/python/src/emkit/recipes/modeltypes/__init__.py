"""The built-in model types, one module each, found by name: ``image-classification`` is
``emkit.recipes.modeltypes.image_classification``. Nothing to register: a new type is a
catalog entry (shared/src/recipes/builtins.ts) and a module here exposing

- ``train(context: Context) -> TrainedModel``: read ``context.data_path`` (emkit.recipes.data
  helps), split with ``emkit.recipes.split.holdout_split``, fit, log curves with
  ``context.metric``; the harness then writes the model folder and runs the evaluation;
- ``load(model_dir: str, recipe: dict) -> state``: the fitted model back from its files;
- ``predict(state, instances: list) -> list``: labels, numbers or cluster ids, from raw inputs
  (emkit.recipes.serving's ``instance_bytes`` / ``instance_text`` / ``instance_rows`` decode them;
  a bad instance is a ValueError);
- ``predict_scores(state, instances) -> (labels, scores)``: a classifier's, the scores' columns
  in recipe.json's ``classes`` order.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def module(model_type: str) -> ModuleType:
    from .. import catalog

    if model_type not in catalog():
        raise ValueError(f"unknown model type {model_type!r}: use one of {', '.join(catalog())}")
    name = f"{__name__}.{model_type.replace('-', '_')}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:  # the type's own dependency is missing: say which
            raise ValueError(
                f"the {model_type} recipe needs {error.name}, which isn't installed in this environment"
            ) from None
        raise ValueError(f"the {model_type} recipe isn't in this version of emkit") from None
