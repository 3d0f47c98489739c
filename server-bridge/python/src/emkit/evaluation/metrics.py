"""Every figure of an evaluation, computed by scikit-learn's metrics on the collected arrays.

Classification works on integer class codes (``classes``): ``labels=range(len(classes))``
keeps the model's classes and the unseen labels in one order for every metric. A figure
scikit-learn leaves undefined (precision of a class never predicted, AUC of a class with one
side only) is NaN here and null in result.json; ``zero_division=nan`` keeps it out of the
macro and weighted averages, as scikit-learn's own averaging does.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any, List, Optional

SILHOUETTE_SAMPLE = 10_000
UNDEFINED: Any = float("nan")  # zero_division's value for "leave it undefined" (typed as a str there)
HISTOGRAM_BINS = 50


@contextlib.contextmanager
def quiet():
    """scikit-learn warns of each undefined figure; they are reported as null instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def classification(y_true, y_pred, scores, classes: List[Any], score_classes: int) -> dict:
    """``y_true``/``y_pred``: class codes; ``scores``: [rows, score_classes] or None (the
    first ``score_classes`` classes are the scores' columns)."""
    import numpy
    from sklearn import metrics

    labels = numpy.arange(len(classes))
    with quiet():
        accuracy = metrics.accuracy_score(y_true, y_pred)
        precision, recall, f1, support = (
            numpy.asarray(figure)
            for figure in metrics.precision_recall_fscore_support(
                y_true, y_pred, labels=labels, zero_division=UNDEFINED
            )
        )
        averages = {}
        for average in ("macro", "weighted"):
            p, r, f, _ = metrics.precision_recall_fscore_support(
                y_true, y_pred, labels=labels, average=average, zero_division=UNDEFINED
            )
            averages[average] = {"precision": p, "recall": r, "f1": f}
        matrix = metrics.confusion_matrix(y_true, y_pred, labels=labels)
        average_precision = [numpy.nan] * len(classes)
        roc_auc = [numpy.nan] * len(classes)
        overall_auc = numpy.nan
        if scores is not None:
            for c in range(score_classes):
                positive = y_true == c
                if positive.any():
                    average_precision[c] = metrics.average_precision_score(positive, scores[:, c])
                if positive.any() and not positive.all():
                    roc_auc[c] = metrics.roc_auc_score(positive, scores[:, c])
            overall_auc = _overall_auc(y_true, scores, score_classes, roc_auc)
    per_class = [
        {
            "class": classes[c],
            "precision": precision[c],
            "recall": recall[c],
            "f1": f1[c],
            "support": int(support[c]),
            "averagePrecision": average_precision[c],
            "rocAuc": roc_auc[c],
        }
        for c in range(len(classes))
    ]
    return {
        "accuracy": accuracy,
        "classes": classes,
        "perClass": per_class,
        "macro": averages["macro"],
        "weighted": averages["weighted"],
        "confusionMatrix": matrix,
        "rocAuc": overall_auc,
    }


def _overall_auc(y_true, scores, score_classes: int, per_class: list):
    """Binary: the positive class's (the second, as scikit-learn orders them); multiclass:
    one-vs-rest macro over the classes where it is defined: the plain mean of their
    roc_auc_score, which is what roc_auc_score(multi_class="ovr", average="macro") computes
    (its _average_binary_score), without scoring every class a second time."""
    import numpy

    if score_classes == 2:
        return per_class[1]
    defined = [per_class[c] for c in range(score_classes) if not numpy.isnan(per_class[c])]
    return float(numpy.mean(defined)) if defined else numpy.nan


def regression(y_true, y_pred) -> dict:
    import numpy
    from sklearn import metrics

    with quiet():
        mse = metrics.mean_squared_error(y_true, y_pred)
        mae = metrics.mean_absolute_error(y_true, y_pred)
        r2 = metrics.r2_score(y_true, y_pred) if len(y_true) > 1 else numpy.nan
    residuals = numpy.asarray(y_pred, dtype=float) - numpy.asarray(y_true, dtype=float)
    edges = numpy.histogram_bin_edges(residuals, bins="auto")
    if len(edges) > HISTOGRAM_BINS + 1:
        edges = numpy.histogram_bin_edges(residuals, bins=HISTOGRAM_BINS)
    counts, edges = numpy.histogram(residuals, bins=edges)
    return {
        "rmse": float(numpy.sqrt(mse)),
        "mae": mae,
        "r2": r2,
        "residuals": {"edges": edges, "counts": counts},
    }


def clustering(assignments, sample, sample_assignments) -> dict:
    """Cluster sizes over every row; the silhouette on ``sample`` (at most SILHOUETTE_SAMPLE rows)."""
    import numpy
    from sklearn import metrics

    values, counts = numpy.unique(assignments, return_counts=True)
    silhouette: Optional[float] = numpy.nan
    if sample is not None and 1 < len(numpy.unique(sample_assignments)) < len(sample_assignments):
        silhouette = metrics.silhouette_score(sample, sample_assignments)
    return {
        "clusters": [{"cluster": value, "size": int(count)} for value, count in zip(values.tolist(), counts)],
        "silhouette": silhouette,
    }
