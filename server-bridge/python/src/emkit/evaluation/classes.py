"""Class labels as integer codes, so that scikit-learn's metrics see one label type.

The classes are the model's, in its order (its score columns), then labels it never saw,
in the order they turn up. Labels are matched by value (1 == 1.0), else by their text: a
folder named "3" is the class 3, and a CSV's "yes" the class "yes" however it was read.
Coding a batch is one hash lookup per row (pandas' Index), no Python loop over rows.
"""

from __future__ import annotations

from typing import Any, List, Optional


class ClassIndex:
    def __init__(self, model_classes: Optional[List[Any]]):
        self.known = model_classes is not None  # else the classes are what turns up, sorted at the end
        self.classes: List[Any] = list(model_classes or [])
        self.model_count = len(self.classes)  # the first model_count classes are the model's
        self._index: Any = None
        self._text_index: Any = None

    def set_model_classes(self, classes: List[Any]) -> None:
        """The model's classes, learnt from its first answer (a predict.py's CLASSES, a ZipMap)."""
        if not self.known:
            extra = [c for c in self.classes if c not in classes]
            self.classes, self.known, self.model_count = list(classes) + extra, True, len(classes)
            self._index = self._text_index = None

    def codes(self, values) -> Any:
        import numpy
        import pandas

        if self._index is None:
            self._index = pandas.Index(self.classes, dtype=object)
            self._text_index = pandas.Index([str(c) for c in self.classes], dtype=object)
        values = numpy.asarray(values)
        codes = self._index.get_indexer(values.astype(object)) if len(self.classes) else numpy.full(len(values), -1)
        missing = codes < 0
        if missing.any() and len(self.classes):
            text = self._text_index.get_indexer(values[missing].astype(str).astype(object))
            codes[missing] = text
            missing = codes < 0
        if missing.any():
            for value in pandas.unique(values[missing].astype(object)):
                self.classes.append(_plain(value))
            self._index = self._text_index = None
            return self.codes(values)
        return codes.astype(numpy.int64)

    def unseen(self) -> List[Any]:
        """Labels the model never saw (only when its classes are known)."""
        return self.classes[self.model_count :] if self.known else []

    def sorted_order(self):
        """For classes that only turned up (a model that names none): the order to sort them in,
        numbers before text; None when the model's own order stands."""
        if self.known:
            return None
        return sorted(range(len(self.classes)), key=lambda i: _sort_key(self.classes[i]))


def _plain(value):
    item = getattr(value, "item", None)
    return item() if item is not None and not isinstance(value, str) else value


def _sort_key(value):
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (1, value, "")
    return (2, 0, str(value))
