"""The holdout split: stratified by class for the classifiers, random for the others."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, List, Optional, Tuple

from .context import RecipeError


def holdout_split(count: int, share: float, seed: int, labels: Optional[List[Any]] = None) -> Tuple[Any, Any]:
    """``(train indices, holdout indices)`` of ``count`` rows, ``share`` of them held out;
    with ``labels``, each class keeps its share on both sides (and at least one row each)."""
    import numpy
    from sklearn.model_selection import train_test_split

    indices = numpy.arange(count)
    if labels is None:
        held = max(1, round(count * share))
        if count - held < 1:
            raise RecipeError(f"{count} rows are too few to hold some out: give more data")
        train, test = train_test_split(indices, test_size=held, random_state=seed, shuffle=True)
        return train, test
    counts = Counter(labels)
    few = [label for label, n in counts.items() if n < 2]
    if few:
        raise RecipeError(
            f'class "{few[0]}" has {counts[few[0]]} example: each class needs at least 2 '
            "(one to train on, one to hold out)"
        )
    classes = len(counts)
    held = min(max(math.ceil(count * share), classes), count - classes)
    if held < classes:
        raise RecipeError(f"{count} examples of {classes} classes are too few to hold some of each out")
    train, test = train_test_split(indices, test_size=held, random_state=seed, shuffle=True, stratify=labels)
    return train, test
