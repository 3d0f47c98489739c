"""What each task keeps of its batches, and the result it makes of them at the end.

Only the numbers the metrics need cross batches: one label, one prediction and the class
scores per row (O(rows) numbers), the error analysis's worst few, and for clustering a random
sample of at most SILHOUETTE_SAMPLE feature rows. The instances themselves are dropped with
their batch.
"""

from __future__ import annotations

from typing import Any, Optional

from . import curves, metrics
from .classes import ClassIndex
from .mistakes import Mistakes


class ClassificationCollector:
    def __init__(self, predictor, max_errors: int):
        self.predictor = predictor
        self.index = ClassIndex(predictor.classes)
        self.y_true: list = []
        self.y_pred: list = []
        self.scores: Optional[list] = []  # None once a batch came without them
        self.mistakes = Mistakes(max_errors)

    def add(self, batch, prediction) -> None:
        import numpy

        if not self.index.known and self.predictor.classes is not None:
            self.index.set_model_classes(self.predictor.classes)
        y_true = self.index.codes(batch.labels)
        y_pred = prediction.codes if prediction.codes is not None else self.index.codes(prediction.labels)
        scores = prediction.scores
        if scores is None or self.scores is None:
            self.scores = None
        else:
            self.scores.append(scores)
        self.y_true.append(y_true)
        self.y_pred.append(y_pred)
        wrong = numpy.flatnonzero(y_true != y_pred)
        if len(wrong):
            confidence = None
            if scores is not None and self.index.known:
                confidence = scores[numpy.arange(len(y_pred)), numpy.minimum(y_pred, scores.shape[1] - 1)]
            elif scores is not None:  # the columns' classes are told at the end: the top score is the label's
                confidence = scores.max(axis=1)
            badness = confidence if confidence is not None else numpy.zeros(len(y_pred))
            self.mistakes.offer(batch, wrong, badness, batch.labels, prediction.labels, confidence)

    def result(self, rows: int):
        """(the classification result, the error analysis, curves.json's document or None)."""
        import numpy

        y_true = numpy.concatenate(self.y_true) if self.y_true else numpy.zeros(0, dtype=int)
        y_pred = numpy.concatenate(self.y_pred) if self.y_pred else numpy.zeros(0, dtype=int)
        order = self.index.sorted_order()
        if order is not None:  # classes the model doesn't name: sorted
            recode = numpy.empty(len(order), dtype=numpy.int64)
            recode[order] = numpy.arange(len(order))
            y_true, y_pred = recode[y_true], recode[y_pred]
            classes = [self.index.classes[i] for i in order]
        else:
            classes = list(self.index.classes)
        scores = numpy.concatenate(self.scores) if self.scores else None
        score_classes = self.index.model_count if scores is not None else 0
        no_scores = None
        if scores is not None and order is not None:
            # Columns the model doesn't name (an ONNX tensor, a predict.py without CLASSES) are
            # taken as the classes sorted, scikit-learn's order, if that is what its labels say:
            # a column for each class, and every row's label its top score's column.
            score_classes = len(classes)
            if scores.shape[1] != len(classes) or not numpy.array_equal(scores.argmax(axis=1), y_pred):
                no_scores = (
                    "the model's scores don't say which class each column is for: name the classes "
                    "(CLASSES in a predict.py, a ZipMap output in ONNX)"
                )
                scores, score_classes = None, 0
        if scores is None:
            no_scores = no_scores or self.predictor.no_scores or "the model gave no class scores"
        elif scores.shape[1] != score_classes:
            no_scores = f"the model gave {scores.shape[1]} scores per row for {score_classes} classes"
            scores, score_classes = None, 0
        found = []
        document = None
        counts = numpy.bincount(y_true, minlength=len(classes))
        if scores is not None:
            found = curves.pr_curves(y_true, scores, classes)
            document = curves.curves_document(rows, found, [int(s) for s in counts[:score_classes]])
        figures = metrics.classification(y_true, y_pred, scores, classes, score_classes)
        unseen = self.index.unseen()
        figures["unseenLabels"] = [
            {"label": label, "count": int(counts[self.index.model_count + i])}
            for i, label in enumerate(unseen)
            if counts[self.index.model_count + i] > 0
        ]
        figures["hasScores"] = scores is not None
        figures["noScoresReason"] = no_scores
        figures["prCurves"] = curves.chart(found)
        figures["bestF1"] = curves.best_f1(found[1]) if score_classes == 2 else None
        return figures, self.mistakes.records(), document


class RegressionCollector:
    def __init__(self, max_errors: int):
        self.y_true: list = []
        self.y_pred: list = []
        self.mistakes = Mistakes(max_errors)

    def add(self, batch, prediction) -> None:
        import numpy

        try:
            y_true = numpy.asarray(batch.labels, dtype=float)
        except (TypeError, ValueError):
            raise ValueError("a regression needs numeric labels; these aren't: give task classification") from None
        y_pred = numpy.asarray(prediction.labels, dtype=float)
        residual = y_pred - y_true
        self.y_true.append(y_true)
        self.y_pred.append(y_pred)
        size = numpy.abs(residual)
        self.mistakes.offer(batch, numpy.flatnonzero(size > 0), size, batch.labels, prediction.labels, None, residual)

    def result(self, rows: int):
        import numpy

        y_true = numpy.concatenate(self.y_true)
        y_pred = numpy.concatenate(self.y_pred)
        return metrics.regression(y_true, y_pred), self.mistakes.records(), None


class ClusteringCollector:
    """Cluster sizes over all rows; the silhouette's sample is the rows with the smallest of a
    random key each (a reservoir sample, kept batch by batch)."""

    def __init__(self, seed: int = 0):
        import numpy

        self.random = numpy.random.default_rng(seed)
        self.assignments: list = []
        self.sample: Any = None
        self.sample_assignments: Any = None
        self.keys: Any = None

    def add(self, batch, prediction) -> None:
        import numpy

        self.assignments.append(numpy.asarray(prediction.labels))
        try:
            features = _matrix(batch.instances)
        except (TypeError, ValueError):
            return  # instances that aren't numeric rows have no silhouette
        keys = self.random.random(len(features))
        if self.sample is not None:
            features = numpy.concatenate([self.sample, features])
            keys = numpy.concatenate([self.keys, keys])
            assigned = numpy.concatenate([self.sample_assignments, prediction.labels])
        else:
            assigned = numpy.asarray(prediction.labels)
        if len(keys) > metrics.SILHOUETTE_SAMPLE:
            keep = numpy.argpartition(keys, metrics.SILHOUETTE_SAMPLE - 1)[: metrics.SILHOUETTE_SAMPLE]
            features, keys, assigned = features[keep], keys[keep], assigned[keep]
        self.sample, self.keys, self.sample_assignments = features, keys, assigned

    def result(self, rows: int):
        import numpy

        assignments = numpy.concatenate(self.assignments)
        return metrics.clustering(assignments, self.sample, self.sample_assignments), [], None


def _matrix(instances):
    import numpy

    matrix = instances.to_numpy(dtype=float) if hasattr(instances, "to_numpy") else numpy.asarray(instances, float)
    if matrix.ndim != 2:
        raise ValueError("not rows of numbers")
    return matrix
