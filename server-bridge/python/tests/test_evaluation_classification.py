"""The evaluation runner on scikit-learn classifiers: every figure in result.json and
curves.json equals what sklearn.metrics gives when the test computes it itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluations import evaluate, run_process, write_spec

sklearn = pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")

import joblib  # noqa: E402 (scikit-learn's dependency)
import numpy  # noqa: E402
import pandas  # noqa: E402
from sklearn import metrics  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def fit(tmp_path: Path, classes: int, rows: int = 3000, names=None, seed: int = 0):
    """A LogisticRegression fitted on the first 2/3 of a synthetic set, saved as a model
    directory; the last 1/3 written as a CSV with a label column."""
    X, y = make_classification(
        n_samples=rows, n_features=6, n_informative=4, n_classes=classes, random_state=seed, flip_y=0.1
    )
    X, y = numpy.asarray(X), numpy.asarray(y)
    if names is not None:
        y = numpy.asarray(names, dtype=object)[y]
    split = rows * 2 // 3
    model = LogisticRegression(max_iter=1000).fit(X[:split], y[:split])
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    joblib.dump(model, model_dir / "model.joblib")
    frame = pandas.DataFrame({f"f{i}": X[split:, i] for i in range(6)})
    frame["label"] = y[split:]
    data = tmp_path / "test.csv"
    frame.to_csv(data, index=False)
    return model, model_dir, data


def expected_truth(model, data: Path):
    """The test's own figures: the CSV read back, predict_proba, sklearn.metrics."""
    frame = pandas.read_csv(data)
    y_true = frame.pop("label").to_numpy()
    proba = model.predict_proba(frame.to_numpy())
    y_pred = model.predict(frame.to_numpy())
    return y_true, y_pred, proba


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-12)


def test_multiclass_figures_equal_sklearn_metrics(tmp_path):
    model, model_dir, data = fit(tmp_path, classes=3, names=["ant", "bee", "cat"])
    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data, batchRows=128))
    assert outcome.code == 0 and outcome.status["state"] == "COMPLETE", outcome.status
    result = outcome.result
    figures = outcome.classification
    y_true, y_pred, proba = expected_truth(model, data)
    classes = model.classes_.tolist()

    assert result["task"] == "classification" and result["rows"] == len(y_true)
    assert figures["classes"] == classes
    assert figures["accuracy"] == approx(metrics.accuracy_score(y_true, y_pred))
    precision, recall, f1, support = map(
        numpy.asarray, metrics.precision_recall_fscore_support(y_true, y_pred, labels=classes)
    )
    for i, row in enumerate(figures["perClass"]):
        assert row["class"] == classes[i]
        assert row["precision"] == approx(precision[i])
        assert row["recall"] == approx(recall[i])
        assert row["f1"] == approx(f1[i])
        assert row["support"] == support[i]
        assert row["averagePrecision"] == approx(metrics.average_precision_score(y_true == classes[i], proba[:, i]))
        assert row["rocAuc"] == approx(metrics.roc_auc_score(y_true == classes[i], proba[:, i]))
    for average in ("macro", "weighted"):
        p, r, f, _ = metrics.precision_recall_fscore_support(y_true, y_pred, labels=classes, average=average)
        assert figures[average] == {"precision": approx(p), "recall": approx(r), "f1": approx(f)}
    assert figures["confusionMatrix"] == metrics.confusion_matrix(y_true, y_pred, labels=classes).tolist()
    assert figures["rocAuc"] == approx(metrics.roc_auc_score(y_true, proba, multi_class="ovr", average="macro"))
    assert figures["hasScores"] is True and figures["noScoresReason"] is None
    assert figures["unseenLabels"] == [] and figures["bestF1"] is None

    # curves.json: sklearn's own one-vs-rest curves, cut to the thresholds
    curves = outcome.curves
    assert curves["rows"] == len(y_true) and curves["classes"] == classes
    assert curves["support"] == support.tolist()
    for i, curve in enumerate(curves["curves"]):
        p, r, t = metrics.precision_recall_curve(y_true == classes[i], proba[:, i], drop_intermediate=False)
        assert curve["class"] == classes[i]
        assert curve["thresholds"] == approx(t.tolist())
        assert curve["precision"] == approx(p[: len(t)].tolist())
        assert curve["recall"] == approx(r[: len(t)].tolist())
        chart = figures["prCurves"][i]
        assert chart["class"] == classes[i] and 2 <= len(chart["points"]) <= 200
        assert chart["points"][0]["threshold"] == approx(t[0]) and chart["points"][-1]["threshold"] == approx(t[-1])

    # error analysis: every mistake is one, most confident first
    errors = result["errors"]
    assert 0 < len(errors) <= 50
    confidences = [e["confidence"] for e in errors]
    assert confidences == sorted(confidences, reverse=True)
    wrong = numpy.flatnonzero(y_true != y_pred)
    worst = sorted(wrong, key=lambda i: -proba[i].max())[:50]
    assert [e["row"] for e in errors] == [int(i) for i in worst]
    for e in errors:
        assert e["label"] == y_true[e["row"]] and e["predicted"] == y_pred[e["row"]]
        assert e["confidence"] == approx(proba[e["row"]].max()) and e["residual"] is None
        assert e["instance"].startswith('{"f0": ')


def test_binary_figures_and_thresholds_from_a_real_runner_process(tmp_path):
    model, model_dir, data = fit(tmp_path, classes=2)
    outcome = run_process(write_spec(tmp_path / "e", model_dir, data, batchRows=500))
    assert outcome.code == 0 and outcome.status["state"] == "COMPLETE", outcome.log
    status = outcome.status
    assert status["rowsDone"] == 1000 and status["task"] == "classification" and status["pid"] > 0
    assert status["startedAt"] and status["endedAt"] and status["reason"] is None
    import hashlib

    assert status["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()

    figures = outcome.classification
    y_true, _, proba = expected_truth(model, data)
    positive = y_true == 1
    assert figures["rocAuc"] == approx(metrics.roc_auc_score(y_true, proba[:, 1]))
    assert figures["perClass"][1]["averagePrecision"] == approx(metrics.average_precision_score(y_true, proba[:, 1]))

    # precision/recall at 0.3 and 0.8 as the bridge answers them from curves.json
    curve = outcome.curves["curves"][1]
    support = outcome.curves["support"][1]
    for threshold in (0.3, 0.8):
        i = next(k for k, t in enumerate(curve["thresholds"]) if t >= threshold)
        above = proba[:, 1] >= threshold
        assert curve["precision"][i] == approx(metrics.precision_score(positive, above))
        assert curve["recall"][i] == approx(metrics.recall_score(positive, above))
        assert round(curve["recall"][i] * support / curve["precision"][i]) == above.sum()

    # the best F1 is the highest F1 of (score >= t) over the thresholds
    best = figures["bestF1"]
    f1s = {t: metrics.f1_score(positive, proba[:, 1] >= t) for t in numpy.unique(proba[:, 1])}
    assert best["f1"] == approx(max(f1s.values()))
    assert best["f1"] == approx(f1s[best["threshold"]])


def test_curves_past_the_bound_keep_every_answer_at_a_threshold_of_few_decimals(tmp_path, monkeypatch):
    """Many classes times many rows would make curves.json gigabytes: past MAX_POINTS each
    curve keeps the points the bridge picks for thresholds of DECIMALS decimals, so the
    answers there stay sklearn's exactly."""
    from emkit.evaluation import curves as curves_module

    monkeypatch.setattr(curves_module, "MAX_POINTS", 5000)
    model, model_dir, data = fit(tmp_path, classes=3, rows=6000)  # 3 x ~2,000 points
    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    document = outcome.curves
    decimals = document["thresholdDecimals"]
    assert decimals is not None and sum(len(c["thresholds"]) for c in document["curves"]) <= 5000
    y_true, _, proba = expected_truth(model, data)
    for c, curve in enumerate(document["curves"]):
        positive = y_true == c
        for threshold in (0.05, 0.3, 0.5, 0.8, round(float(numpy.median(proba[:, c])), decimals)):
            i = next(k for k, t in enumerate(curve["thresholds"]) if t >= threshold)
            above = proba[:, c] >= threshold
            assert curve["precision"][i] == approx(metrics.precision_score(positive, above))
            assert curve["recall"][i] == approx(metrics.recall_score(positive, above))
    # within the bound every point is there
    monkeypatch.setattr(curves_module, "MAX_POINTS", 1_000_000)
    whole = evaluate(write_spec(tmp_path / "e2", model_dir, data)).curves
    assert whole["thresholdDecimals"] is None
    for c, curve in enumerate(whole["curves"]):
        _, _, thresholds = metrics.precision_recall_curve(y_true == c, proba[:, c], drop_intermediate=False)
        assert len(curve["thresholds"]) == len(thresholds)
