"""The model, called once per batch, and item by item when a batch raises.

It loads through the evaluation's ``Predictor`` (emkit/evaluation/predictor.py), which loads
with the serving loaders (emkit/serving/loaders.py), so a job scores with the very code an
endpoint serves with: a scikit-learn classifier's labels and probabilities come in one pass,
a built-in recipe's model takes the raw files. A batch that raises is scored again one item at
a time: the items the model raises on are the bad ones, with the model's words as the reason.
"""

from __future__ import annotations

import json
import os
from typing import Any, List, Optional, Tuple

from ..evaluation.predictor import Predictor
from ..serving.loaders import first_line
from .inputs import instance_of


class JobError(ValueError):
    """Nothing in the input can be scored this way (the model's columns are missing); fails the job."""

    def __init__(self, message: str, field: str = "input"):
        super().__init__(message)
        self.field = field


class Scored:
    """What the model gave for one batch: ``positions`` are the indices (into the batch's
    readable items) it answered, ``labels`` (a numpy array) and ``scores`` (a [rows, classes]
    float array, or None) theirs; ``bad`` the ``(position, reason)`` of the items it raised on."""

    def __init__(self, positions: List[int], labels, scores, classes, bad):
        self.positions = positions
        self.labels = labels
        self.scores = scores
        self.classes = classes
        self.bad: List[Tuple[int, str]] = bad


def recipe_columns(artifact_path: str) -> Optional[List[str]]:
    """A built-in table model's columns, in its order (recipe.json), else None."""
    try:
        with open(os.path.join(artifact_path, "recipe.json"), encoding="utf-8") as file:
            columns = json.load(file).get("columns")
    except (OSError, ValueError, AttributeError):
        return None
    return [str(c) for c in columns] if isinstance(columns, list) and columns else None


class Scorer:
    def __init__(self, framework: str, artifact_path: str, features: Optional[List[str]], return_scores: bool):
        self.predictor = Predictor(framework, artifact_path)
        if not return_scores:
            self.predictor.no_scores = "not asked"  # predict() alone: half the work of a classifier
        self.return_scores = return_scores
        self.features = features or recipe_columns(artifact_path) or self.predictor.feature_names

    def score(self, data: Any) -> Scored:
        instances = self._instances(data)
        try:
            labels, scores = self._call(instances)
            return Scored(list(range(len(labels))), labels, scores, self._classes(scores), [])
        except JobError:
            raise
        except Exception:
            return self._one_by_one(instances)

    def _instances(self, data: Any) -> Any:
        if getattr(data, "columns", None) is None:  # JSONL rows, decoded files
            return [instance_of(row) for row in data]
        if self.features is None:
            return data
        missing = [name for name in self.features if name not in data.columns]
        if missing:
            raise JobError(f"the input lacks the model's columns {', '.join(missing[:20])}", "features")
        return data[self.features]

    def _call(self, instances) -> Tuple[Any, Any]:
        import numpy

        prediction = self.predictor(instances)
        count = len(instances)
        if len(prediction.labels) != count:
            raise ValueError(f"the model gave {len(prediction.labels)} predictions for {count} items")
        scores = prediction.scores if self.return_scores else None
        return numpy.asarray(prediction.labels), (numpy.asarray(scores, dtype=float) if scores is not None else None)

    def _classes(self, scores) -> Optional[list]:
        if scores is None or len(scores) == 0:
            return None
        columns = scores.shape[1]
        classes = self.predictor.classes
        return list(classes) if classes is not None and len(classes) == columns else list(range(columns))

    def _one_by_one(self, instances) -> Scored:
        rows = getattr(instances, "iloc", None)
        import numpy

        positions, labels, scores, bad = [], [], [], []
        for position in range(len(instances)):
            one = rows[position : position + 1] if rows is not None else [instances[position]]
            try:
                label, score = self._call(one)
            except Exception as error:
                bad.append((position, f"the model raised {type(error).__name__}: {first_line(error)}"))
                continue
            positions.append(position)
            labels.append(label)
            if score is not None:
                scores.append(score)
        if not positions:
            return Scored([], numpy.asarray([]), None, None, bad)
        kept = numpy.concatenate(scores) if len(scores) == len(labels) else None
        return Scored(positions, numpy.concatenate(labels), kept, self._classes(kept), bad)
