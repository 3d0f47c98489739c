"""What a built-in training works with: its parameters, its data and the EM_* folders.

``Context.from_environment`` reads the runner's contract (EM_DATASET_TRAIN, EM_MODEL_DIR,
EM_TENSORBOARD_LOG_DIR, EM_ARTIFACT_DIR); a type's ``train(context)`` reads ``context.params``
and ``context.data_path``, says what it does with ``context.log`` and logs its curves with
``context.metric`` (TensorBoard event files, emkit.tracking).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict


class RecipeError(ValueError):
    """The data or the setting can't be trained on; one line saying what to fix."""


class Context:
    def __init__(
        self,
        model_type: str,
        task: str,
        params: Dict[str, Any],
        data_path: str,
        model_dir: str,
        artifact_dir: str,
    ):
        self.model_type = model_type
        self.task = task  # classification | regression | clustering (the catalog's)
        self.params = params
        self.data_path = data_path
        self.model_dir = model_dir
        self.artifact_dir = artifact_dir

    @classmethod
    def from_environment(cls, model_type: str, task: str, params: Dict[str, Any]) -> Context:
        data_path = os.environ.get("EM_DATASET_TRAIN") or ""
        if not data_path:
            raise RecipeError("no training data: EM_DATASET_TRAIN isn't set (give the dataset train)")
        model_dir = os.path.abspath(os.environ.get("EM_MODEL_DIR") or "model")
        # EM_ARTIFACT_DIR is the training's artifacts/ folder, beside model/
        artifact_dir = os.environ.get("EM_ARTIFACT_DIR") or os.path.join(os.path.dirname(model_dir), "artifacts")
        return cls(model_type, task, params, os.path.abspath(data_path), model_dir, os.path.abspath(artifact_dir))

    @property
    def seed(self) -> int:
        return int(self.params.get("seed", 13))

    @property
    def holdout(self) -> float:
        return float(self.params.get("holdout", 0.2))

    def log(self, message: str) -> None:
        print(f"[emkit] {message}", flush=True)

    def warn(self, message: str) -> None:
        print(f"[emkit] warning: {message}", file=sys.stderr, flush=True)

    def metric(self, name: str, value, step: int = 0) -> None:
        """One point of a curve, in the training's TensorBoard folder."""
        from ..tracking import log_metric

        log_metric(name, value, step)
