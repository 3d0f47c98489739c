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


def curves_document(rows: int, curves: List[Curve], support: List[int]) -> dict:
    """curves.json, as the bridge's threshold answer reads it."""
    return {
        "rows": rows,
        "classes": [curve.label for curve in curves],
        "support": support,
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
