"""Per-class precision-recall curves: the full ones for curves.json (the bridge answers any
``?threshold=`` from them), a thinned copy for result.json's chart, and the binary best F1.

Each curve is scikit-learn's ``precision_recall_curve(y_true == c, scores[:, c],
drop_intermediate=False)``, one-vs-rest, its precision and recall cut to the thresholds' length:
element i is the figure for "score >= thresholds[i]", thresholds ascending.
"""

from __future__ import annotations

from typing import Any, List

from .plain import floats

CHART_POINTS = 200
# curves.json's bound, in points over all classes. A point per distinct score per class is
# 400,000 points (23 MB of JSON, slow to write and to load) for 200,000 rows of a binary model,
# and billions for many classes times many rows. Past the bound each curve keeps, for every
# threshold t with DECIMALS decimals (the finest that fits), the point the bridge picks for t,
# "the first threshold >= t", whose figures are sklearn's for "score >= that threshold": the
# answer for any such t (a slider's 0.3, 0.35, 0.1234) stays exact, and one between them is
# the next such t's. 200,000 rows of a binary model: 4 decimals, about 1 MB.
MAX_POINTS = 100_000
DECIMALS = (6, 5, 4, 3, 2)


class Curve:
    def __init__(self, label: Any, thresholds, precision, recall):
        self.label = label
        self.thresholds = thresholds
        self.precision = precision
        self.recall = recall


def pr_curves(y_true, scores, classes: List[Any]) -> List[Curve]:
    """One curve per score column; ``classes[c]`` names column c."""
    from sklearn.metrics import precision_recall_curve

    from .metrics import quiet

    curves = []
    with quiet():
        for c in range(scores.shape[1]):
            precision, recall, thresholds = precision_recall_curve(y_true == c, scores[:, c], drop_intermediate=False)
            n = len(thresholds)
            curves.append(Curve(classes[c], thresholds, precision[:n], recall[:n]))
    return curves


def bounded(curves: List[Curve]):
    """(the curves within MAX_POINTS, the decimals of the thresholds still answered exactly:
    None when every curve is whole)."""

    if sum(len(curve.thresholds) for curve in curves) <= MAX_POINTS:
        return curves, None
    for decimals in DECIMALS:
        kept = [_kept(curve.thresholds, decimals) for curve in curves]
        if sum(len(k) for k in kept) <= MAX_POINTS or decimals == DECIMALS[-1]:
            thinned = [
                Curve(curve.label, curve.thresholds[k], curve.precision[k], curve.recall[k])
                for k, curve in zip(kept, curves)
            ]
            return thinned, decimals
    raise AssertionError("unreachable: the last decimals always return")


def _kept(thresholds, decimals: int):
    """The indices of the points the bridge picks for a t of ``decimals`` decimals: point j
    is the first threshold >= t for the t in (thresholds[j-1], thresholds[j]], so it is kept
    when a t = k / 10**decimals lies there (and the first point, for t at or below it)."""
    import numpy

    scale = 10**decimals
    # k: the largest k with k / scale <= threshold, as the floats the bridge compares
    k = numpy.floor(thresholds * scale)
    k = numpy.where((k + 1) / scale <= thresholds, k + 1, k)
    k = numpy.where(k / scale > thresholds, k - 1, k)
    keep = numpy.ones(len(thresholds), dtype=bool)
    keep[1:] = k[1:] > k[:-1]
    return numpy.flatnonzero(keep)


def curves_document(rows: int, curves: List[Curve], support: List[int]) -> dict:
    """curves.json, as the bridge's threshold answer reads it; ``thresholdDecimals``: null when
    every threshold is there, else the decimals of the thresholds answered exactly."""
    curves, decimals = bounded(curves)
    return {
        "rows": rows,
        "classes": [curve.label for curve in curves],
        "support": support,
        "thresholdDecimals": decimals,
        "curves": [
            {
                "class": curve.label,
                "thresholds": floats(curve.thresholds),
                "precision": floats(curve.precision),
                "recall": floats(curve.recall),
            }
            for curve in curves
        ],
    }


def chart(curves: List[Curve]) -> list:
    """result.json's prCurves: each curve at no more than CHART_POINTS thresholds, evenly
    spaced through the sorted scores (so denser where the scores are), ends included."""
    import numpy

    charted = []
    for curve in curves:
        n = len(curve.thresholds)
        picks = numpy.unique(numpy.linspace(0, n - 1, min(n, CHART_POINTS)).round().astype(int)) if n else []
        points = [
            {"threshold": t, "precision": p, "recall": r}
            for t, p, r in zip(
                curve.thresholds[picks].tolist(), curve.precision[picks].tolist(), curve.recall[picks].tolist()
            )
        ]
        charted.append({"class": curve.label, "points": points})
    return charted


def best_f1(curve: Curve):
    """The threshold at which the class's F1 is highest (the lowest such threshold), or None."""
    import numpy

    p, r = curve.precision, curve.recall
    with numpy.errstate(invalid="ignore", divide="ignore"):
        f1 = numpy.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    if not len(f1) or not numpy.isfinite(f1).any():
        return None
    i = int(numpy.nanargmax(f1))
    return {
        "threshold": float(curve.thresholds[i]),
        "precision": float(p[i]),
        "recall": float(r[i]),
        "f1": float(f1[i]),
    }
