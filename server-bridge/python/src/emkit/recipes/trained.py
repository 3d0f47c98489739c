"""What a type's ``train(context)`` hands back to the harness: ``TrainedModel``.

The harness writes the model folder from it (``save`` writes the fitted model's own files;
predict.py and recipe.json are written around them) and evaluates the model on ``holdout``:
a ``TableHoldout`` (rows written as holdout.csv) or a ``FilesHoldout`` (files copied into a
class-folder tree).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

INPUTS = ("image", "audio", "text", "row")


class TableHoldout:
    """Rows: ``frame`` (a pandas DataFrame) holding the ``features`` columns and the ``label``
    column (None for clustering)."""

    def __init__(self, frame: Any, features: List[str], label: Optional[str]):
        self.frame = frame
        self.features = features
        self.label = label


class FilesHoldout:
    """Files and their class: ``[(path, class), ...]``."""

    def __init__(self, items: List[Tuple[str, str]]):
        self.items = items


class TrainedModel:
    def __init__(
        self,
        input: str,
        save: Callable[[str], None],
        holdout: Any,
        classes: Optional[List[Any]] = None,
        columns: Optional[List[str]] = None,
        last_step: int = 0,
    ):
        if input not in INPUTS:
            raise ValueError(f"input must be one of {', '.join(INPUTS)}, not {input!r}")
        self.input = input  # what the model takes raw (recipe.json's "input")
        self.save = save  # save(model_dir): the fitted model's files
        self.holdout = holdout  # TableHoldout | FilesHoldout
        self.classes = classes  # a classifier's, in its scores' column order
        self.columns = columns  # a row model's feature columns, in order
        self.last_step = last_step  # the step the holdout scores are logged at
