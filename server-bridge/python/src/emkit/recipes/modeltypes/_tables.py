"""What the three table types share: the table, its feature columns as numbers, the label or
target, and the fitted pipeline saved as model.joblib."""

from __future__ import annotations

import os
from typing import Any, List, Optional, Tuple

from .. import data
from ..context import Context, RecipeError

MODEL_FILE = "model.joblib"


def read(context: Context, target: Optional[str], numeric_only: bool = False) -> Tuple[Any, List[str], str]:
    """``(frame, feature columns, table path)``, the label or target column checked present.
    Features: the ``features`` parameter, else every column but the target (``numeric_only``:
    every numeric one, the others said in the log)."""
    kind, path = data.locate(context.data_path)
    if kind != "table":
        raise RecipeError(f"{context.data_path} is a class-folder tree: a {context.model_type} model needs a table")
    frame = data.read_table(path)
    if target is not None:
        data.require_columns(frame, [target], "label" if context.task == "classification" else "target", path)
    features: List[str] = list(context.params.get("features") or [])
    if features:
        data.require_columns(frame, features, "feature", path)
        if target is not None and target in features:
            role = "label" if context.task == "classification" else "target"
            raise RecipeError(f'the column "{target}" is both the {role} and a feature: remove it from features')
    elif numeric_only:
        features = data.numeric_columns(frame, [] if target is None else [target])
        skipped = [c for c in frame.columns if c not in features and c != target]
        if skipped:
            context.log(f"left out the columns that aren't numeric: {', '.join(skipped[:20])}")
    else:
        features = [c for c in frame.columns if c != target]
    if not features:
        found = data.shown_columns(frame)
        raise RecipeError(f"{os.path.basename(path)} has no feature columns: its columns are {found}")
    return frame, features, path


def pipeline(scale: bool, estimator):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("scale", StandardScaler() if scale else "passthrough"), ("model", estimator)])


def saver(model):
    def save(model_dir: str) -> None:
        import joblib

        joblib.dump(model, os.path.join(model_dir, MODEL_FILE))

    return save


def load(model_dir: str, recipe: dict):
    import joblib

    return {"model": joblib.load(os.path.join(model_dir, MODEL_FILE)), "columns": recipe["columns"]}


def rows(state, instances: list):
    from ..serving import instance_rows

    return instance_rows(instances, state["columns"])
