"""The evaluation runner on each kind of model: a regressor, a clusterer, an ONNX classifier
and custom predict.py models with scores (one reading a class folder's files), and labels a
model never saw. Each figure is checked against sklearn.metrics computed here."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from evaluations import custom_model, evaluate, write_jsonl, write_spec

pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")

import joblib
import numpy
import pandas
from sklearn import metrics
from sklearn.linear_model import LogisticRegression

UNDEFINED: Any = float("nan")  # zero_division's "leave it undefined" (typed as a str there)


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-12)


def save(model, folder: Path) -> Path:
    folder.mkdir()
    joblib.dump(model, folder / "model.joblib")
    return folder


def test_regression_rmse_mae_r2_and_worst_residuals_from_parquet(tmp_path):
    pytest.importorskip("pyarrow", reason="pyarrow isn't installed in this interpreter")
    from sklearn.datasets import make_regression
    from sklearn.linear_model import Ridge

    made = make_regression(n_samples=1500, n_features=5, noise=20.0, random_state=1)
    X, y = numpy.asarray(made[0]), numpy.asarray(made[1])
    model = Ridge().fit(X[:1000], y[:1000])
    frame = pandas.DataFrame({f"x{i}": X[1000:, i] for i in range(5)})
    frame["target"] = y[1000:]
    data = tmp_path / "test.parquet"
    frame.to_parquet(data)

    outcome = evaluate(write_spec(tmp_path / "e", save(model, tmp_path / "m"), data, label="target", batchRows=100))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    assert outcome.status["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    result = outcome.result
    assert result["task"] == "regression" and result["classification"] is None and outcome.curves is None
    y_true, y_pred = y[1000:], model.predict(X[1000:])
    figures = result["regression"]
    assert figures["rmse"] == approx(numpy.sqrt(metrics.mean_squared_error(y_true, y_pred)))
    assert figures["mae"] == approx(metrics.mean_absolute_error(y_true, y_pred))
    assert figures["r2"] == approx(metrics.r2_score(y_true, y_pred))
    histogram = figures["residuals"]
    assert len(histogram["edges"]) == len(histogram["counts"]) + 1 and sum(histogram["counts"]) == 500
    residuals = y_pred - y_true
    assert histogram["edges"][0] == approx(residuals.min()) and histogram["edges"][-1] == approx(residuals.max())

    worst = numpy.argsort(-numpy.abs(residuals), kind="stable")[:50]
    assert [e["row"] for e in result["errors"]] == worst.tolist()
    first = result["errors"][0]
    assert first["residual"] == approx(residuals[worst[0]]) and first["confidence"] is None
    assert first["label"] == approx(y_true[worst[0]]) and first["predicted"] == approx(y_pred[worst[0]])


def test_clustering_sizes_and_silhouette_with_no_label_column(tmp_path):
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs

    X = numpy.asarray(make_blobs(n_samples=900, centers=3, n_features=4, random_state=2)[0])
    model = KMeans(n_clusters=3, n_init="auto", random_state=0).fit(X[:300])
    data = tmp_path / "points.csv"
    pandas.DataFrame({f"x{i}": X[300:, i] for i in range(4)}).to_csv(data, index=False)

    outcome = evaluate(write_spec(tmp_path / "e", save(model, tmp_path / "m"), data, batchRows=128))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    result = outcome.result
    assert result["task"] == "clustering" and result["errors"] == []
    assignments = model.predict(X[300:])
    clusters, sizes = numpy.unique(assignments, return_counts=True)
    assert result["clustering"]["clusters"] == [{"cluster": int(c), "size": int(s)} for c, s in zip(clusters, sizes)]
    # 600 rows: under the 10,000-row sample, so the silhouette is of every row
    assert result["clustering"]["silhouette"] == approx(metrics.silhouette_score(X[300:], assignments))


@pytest.mark.parametrize("zipmap", [True, False], ids=["zipmap", "tensor"])
def test_onnx_classifier_converted_by_skl2onnx_gives_scores(tmp_path, zipmap):
    """skl2onnx's default output names its classes (a ZipMap); a bare [N, C] tensor doesn't,
    and its columns are taken as the sorted classes because its labels say so."""
    pytest.importorskip("skl2onnx", reason="skl2onnx isn't installed in this interpreter (pip install skl2onnx)")
    onnxruntime = pytest.importorskip("onnxruntime", reason="onnxruntime isn't installed in this interpreter")
    from skl2onnx import to_onnx
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=1200, n_features=5, n_informative=3, n_classes=3, random_state=3)
    X, y = numpy.asarray(X, dtype=numpy.float32), numpy.asarray(y)
    model = LogisticRegression(max_iter=1000).fit(X[:800], y[:800])
    model_dir = tmp_path / "onnx"
    model_dir.mkdir()
    onnx_model: Any = to_onnx(model, X[:1], options={"zipmap": zipmap})
    (model_dir / "model.onnx").write_bytes(onnx_model.SerializeToString())
    frame = pandas.DataFrame({f"x{i}": X[800:, i] for i in range(5)})
    frame["label"] = y[800:]
    data = tmp_path / "test.csv"
    frame.to_csv(data, index=False)

    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data, framework="onnx", batchRows=150))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    figures = outcome.classification
    # what ONNX Runtime gives for the CSV's rows, as the runner reads them
    session = onnxruntime.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    rows = pandas.read_csv(data).drop(columns="label").to_numpy(dtype=numpy.float32)
    labels, probabilities = session.run(None, {session.get_inputs()[0].name: rows})
    if zipmap:
        proba = numpy.asarray([[p[c] for c in (0, 1, 2)] for p in probabilities], dtype=float)
    else:
        proba = numpy.asarray(probabilities, dtype=float)
    y_true = y[800:]
    assert figures["hasScores"] is True and figures["classes"] == [0, 1, 2]
    assert figures["accuracy"] == approx(metrics.accuracy_score(y_true, labels))
    assert figures["confusionMatrix"] == metrics.confusion_matrix(y_true, labels).tolist()
    assert figures["rocAuc"] == approx(metrics.roc_auc_score(y_true, proba, multi_class="ovr"))
    for c in range(3):
        assert figures["perClass"][c]["averagePrecision"] == approx(
            metrics.average_precision_score(y_true == c, proba[:, c])
        )
        _, _, thresholds = metrics.precision_recall_curve(y_true == c, proba[:, c], drop_intermediate=False)
        assert outcome.curves["curves"][c]["thresholds"] == approx(thresholds.tolist())


CUSTOM_WITH_SCORES = """
CLASSES = ["no", "yes"]

def predict(instances):
    rows = []
    for x in instances:
        p = min(max(x[0], 0.0), 1.0)  # the first feature is the probability of "yes"
        rows.append({"label": "yes" if p >= 0.5 else "no", "scores": [1 - p, p]})
    return rows
"""


def test_custom_predict_py_with_label_and_scores_on_jsonl(tmp_path):
    random = numpy.random.default_rng(4)
    p = random.random(400)
    truth = numpy.where(random.random(400) < p, "yes", "no")
    data = write_jsonl(tmp_path / "test.jsonl", [{"instance": [float(v), 1.0], "label": t} for v, t in zip(p, truth)])
    model_dir = custom_model(tmp_path / "custom", CUSTOM_WITH_SCORES)

    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data, framework="custom", batchRows=64))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    assert outcome.status["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    figures = outcome.classification
    predicted = numpy.where(p >= 0.5, "yes", "no")
    assert figures["classes"] == ["no", "yes"] and figures["hasScores"] is True
    assert figures["accuracy"] == approx(metrics.accuracy_score(truth, predicted))
    assert figures["rocAuc"] == approx(metrics.roc_auc_score(truth == "yes", p))
    assert figures["perClass"][1]["averagePrecision"] == approx(metrics.average_precision_score(truth == "yes", p))
    # the binary threshold answers from curves.json at 0.3 and 0.8
    curve = outcome.curves["curves"][1]
    for threshold in (0.3, 0.8):
        i = next(k for k, t in enumerate(curve["thresholds"]) if t >= threshold)
        assert curve["precision"][i] == approx(metrics.precision_score(truth == "yes", p >= threshold))
        assert curve["recall"][i] == approx(metrics.recall_score(truth == "yes", p >= threshold))
    errors = outcome.result["errors"]
    assert errors and all(e["label"] != e["predicted"] for e in errors)
    assert json.loads(errors[0]["instance"])[0] == approx(p[errors[0]["row"]])


FOLDER_READER = """
import os

CLASSES = ["cat", "dog"]

def predict(paths):
    # a folder dataset's instances are the paths of files without a decoder: the model reads them
    rows = []
    for path in paths:
        with open(path) as file:
            text = file.read()
        p = 0.9 if "woof" in text else 0.2
        rows.append({"label": "dog" if p >= 0.5 else "cat", "scores": [1 - p, p]})
    return rows
"""


def test_class_folder_with_a_custom_predict_py_that_reads_the_files(tmp_path):
    folder = tmp_path / "pets"
    texts = {
        "cat": ["meow", "purr", "woof?", "meow meow"],  # one cat that barks: a mistake
        "dog": ["woof", "woof woof", "grr"],  # one dog that doesn't: a mistake
    }
    for label, items in texts.items():
        (folder / label).mkdir(parents=True)
        for i, text in enumerate(items):
            (folder / label / f"{i:02d}.note").write_text(text)
    (folder / ".hidden").mkdir()  # not a class
    model_dir = custom_model(tmp_path / "reader", FOLDER_READER)

    outcome = evaluate(write_spec(tmp_path / "e", model_dir, folder, framework="custom", batchRows=3))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    figures = outcome.classification
    assert outcome.result["rows"] == 7 and figures["classes"] == ["cat", "dog"]
    assert figures["confusionMatrix"] == [[3, 1], [1, 2]]
    errors = outcome.result["errors"]
    # most confident mistake first: the barking cat (0.9), then the quiet dog (0.8 for "cat")
    assert [(e["row"], e["label"], e["predicted"]) for e in errors] == [(2, "cat", "dog"), (6, "dog", "cat")]
    assert errors[0]["confidence"] == approx(0.9) and errors[1]["confidence"] == approx(0.8)
    assert json.loads(errors[0]["instance"]) == str(folder / "cat" / "02.note")
    # the folder's hash: each relative path, NUL, the file's sha256, a newline, in row order
    digest = hashlib.sha256()
    for label, items in texts.items():
        for i in range(len(items)):
            relative = f"{label}/{i:02d}.note"
            file_hash = hashlib.sha256((folder / relative).read_bytes()).hexdigest()
            digest.update(f"{relative}\0{file_hash}\n".encode())
    assert outcome.status["sha256"] == digest.hexdigest()


def test_labels_the_model_never_saw_are_reported_not_a_crash(tmp_path):

    random = numpy.random.default_rng(5)
    X = random.normal(size=(600, 3))
    y = numpy.where(X[:, 0] > 0, "a", "b").astype(object)
    model = LogisticRegression().fit(X[:300], y[:300])
    y_test = y[300:].copy()
    y_test[:7] = "c"  # a class the model was never trained on
    frame = pandas.DataFrame({"x0": X[300:, 0], "x1": X[300:, 1], "x2": X[300:, 2], "label": y_test})
    data = tmp_path / "test.csv"
    frame.to_csv(data, index=False)

    outcome = evaluate(write_spec(tmp_path / "e", save(model, tmp_path / "m"), data, batchRows=50))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    figures = outcome.classification
    assert figures["unseenLabels"] == [{"label": "c", "count": 7}]
    assert figures["classes"] == ["a", "b", "c"]
    y_pred = model.predict(X[300:])
    labels = ["a", "b", "c"]
    assert figures["accuracy"] == approx(metrics.accuracy_score(y_test, y_pred))
    assert figures["confusionMatrix"] == metrics.confusion_matrix(y_test, y_pred, labels=labels).tolist()
    precision, recall, _, support = map(
        numpy.asarray,
        metrics.precision_recall_fscore_support(y_test, y_pred, labels=labels, zero_division=UNDEFINED),
    )
    unseen = figures["perClass"][2]
    # never predicted: precision undefined (null, not NaN), recall 0, no scores of its own
    assert numpy.isnan(precision[2]) and unseen["precision"] is None
    assert unseen["recall"] == 0 and unseen["support"] == support[2] == 7
    assert unseen["averagePrecision"] is None and unseen["rocAuc"] is None
    p, r, f, _ = metrics.precision_recall_fscore_support(
        y_test, y_pred, labels=labels, average="macro", zero_division=UNDEFINED
    )
    assert figures["macro"] == {"precision": approx(p), "recall": approx(r), "f1": approx(f)}
    # the scores' curves are the model's classes' only
    assert outcome.curves["classes"] == ["a", "b"]
    assert figures["perClass"][0]["recall"] == approx(recall[0])
    assert "NaN" not in (tmp_path / "e" / "result.json").read_text()
    assert {e["label"] for e in outcome.result["errors"]} >= {"c"}


def test_model_fitted_on_a_dataframe_gets_its_columns_by_name(tmp_path):
    from sklearn.tree import DecisionTreeClassifier

    random = numpy.random.default_rng(6)
    train = pandas.DataFrame({"height": random.normal(size=200), "weight": random.normal(size=200)})
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(train, train["weight"] > 0)
    test = pandas.DataFrame({"weight": random.normal(size=100), "label": False, "height": random.normal(size=100)})
    test["label"] = test["weight"] > 0
    data = tmp_path / "test.csv"
    test.to_csv(data, index=False)  # other column order than the fit's, label in the middle

    outcome = evaluate(write_spec(tmp_path / "e", save(model, tmp_path / "m"), data))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    figures = outcome.classification
    assert figures["classes"] == [False, True]
    assert figures["accuracy"] == approx(
        metrics.accuracy_score(test["label"], model.predict(test[["height", "weight"]]))
    )


def test_custom_model_without_scores_is_judged_on_its_labels(tmp_path):
    data = write_jsonl(
        tmp_path / "test.jsonl", [{"instance": i, "label": "even" if i % 2 == 0 else "odd"} for i in range(30)]
    )
    model_dir = custom_model(
        tmp_path / "parity",
        textwrap.dedent(
            """
            def predict(instances):
                return ["even" if i % 3 == 0 else "odd" for i in instances]
            """
        ),
    )
    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data, framework="custom", batchRows=7))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    figures = outcome.classification
    y_true = ["even" if i % 2 == 0 else "odd" for i in range(30)]
    y_pred = ["even" if i % 3 == 0 else "odd" for i in range(30)]
    assert figures["classes"] == ["even", "odd"] and figures["hasScores"] is False
    assert "scores" in figures["noScoresReason"] and outcome.curves is None
    assert figures["confusionMatrix"] == metrics.confusion_matrix(y_true, y_pred).tolist()
    assert figures["rocAuc"] is None and figures["prCurves"] == [] and figures["bestF1"] is None
    # without scores the mistakes come in row order
    wrong = [i for i in range(30) if y_true[i] != y_pred[i]]
    assert [e["row"] for e in outcome.result["errors"]] == wrong


class Cautious(LogisticRegression):
    """Predicts the positive class only at a probability of 0.8 or more: its predict() is not
    the argmax of its predict_proba(), which the runner must notice and honour."""

    def predict(self, X):
        return numpy.where(self.predict_proba(X)[:, 1] >= 0.8, self.classes_[1], self.classes_[0])


@pytest.mark.parametrize("kind", ["cautious", "svc"])
def test_labels_are_the_models_predict_even_where_it_is_not_the_argmax_of_its_scores(tmp_path, kind):
    from sklearn.svm import SVC

    random = numpy.random.default_rng(7)
    X = random.normal(size=(700, 2))
    y = (X[:, 0] + 0.8 * random.normal(size=700) > 0).astype(int)
    svc: Any = SVC  # its stubs type `probability` as a str
    model = Cautious() if kind == "cautious" else svc(probability=True, random_state=0)
    model.fit(X[:300], y[:300])
    data = tmp_path / "test.csv"
    pandas.DataFrame({"a": X[300:, 0], "b": X[300:, 1], "label": y[300:]}).to_csv(data, index=False)

    outcome = evaluate(write_spec(tmp_path / "e", save(model, tmp_path / "m"), data, batchRows=100))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    rows = pandas.read_csv(data)[["a", "b"]].to_numpy()
    y_pred = model.predict(rows)
    if kind == "cautious":  # the case is real: the argmax would give other labels
        assert (model.predict_proba(rows).argmax(axis=1) != y_pred).any()
    figures = outcome.classification
    assert figures["confusionMatrix"] == metrics.confusion_matrix(y[300:], y_pred).tolist()
    assert figures["accuracy"] == approx(metrics.accuracy_score(y[300:], y_pred))
    assert figures["rocAuc"] == approx(metrics.roc_auc_score(y[300:], model.predict_proba(rows)[:, 1]))


def test_torchscript_classifier_with_a_softmax_gives_scores(tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch isn't installed in this interpreter")

    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Softmax(dim=1))
    model_dir = tmp_path / "torch"
    model_dir.mkdir()
    torch.jit.save(torch.jit.script(network), str(model_dir / "model.pt"))
    random = numpy.random.default_rng(8)
    X = random.normal(size=(300, 3)).astype(numpy.float32)
    y = random.integers(0, 4, size=300)
    data = tmp_path / "test.csv"
    pandas.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "label": y}).to_csv(data, index=False)

    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data, framework="pytorch", batchRows=64))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    rows = pandas.read_csv(data)[["a", "b", "c"]].to_numpy(dtype=numpy.float32)
    with torch.no_grad():
        proba = network(torch.tensor(rows)).numpy().astype(float)
    figures = outcome.classification
    assert figures["classes"] == [0, 1, 2, 3] and figures["hasScores"] is True
    assert figures["accuracy"] == approx(metrics.accuracy_score(y, proba.argmax(axis=1)))
    assert figures["rocAuc"] == pytest.approx(metrics.roc_auc_score(y, proba, multi_class="ovr"), rel=1e-6)


def test_custom_scores_without_classes_take_the_sorted_labels_when_the_labels_agree(tmp_path):
    random = numpy.random.default_rng(9)
    p = random.random(200)
    truth = numpy.where(random.random(200) < p, "yes", "no")
    data = write_jsonl(tmp_path / "test.jsonl", [{"instance": [float(v)], "label": t} for v, t in zip(p, truth)])
    unnamed = CUSTOM_WITH_SCORES.replace('CLASSES = ["no", "yes"]', "")
    outcome = evaluate(write_spec(tmp_path / "e", custom_model(tmp_path / "m", unnamed), data, framework="custom"))
    figures = outcome.classification
    assert figures["hasScores"] is True and figures["classes"] == ["no", "yes"]
    assert figures["rocAuc"] == approx(metrics.roc_auc_score(truth == "yes", p))
    confidences = [e["confidence"] for e in outcome.result["errors"]]
    assert confidences and confidences == sorted(confidences, reverse=True)

    # columns the other way round than sorted: the labels disagree, so no scores, and why
    swapped = unnamed.replace('"scores": [1 - p, p]', '"scores": [p, 1 - p]')
    outcome = evaluate(write_spec(tmp_path / "e2", custom_model(tmp_path / "m2", swapped), data, framework="custom"))
    figures = outcome.classification
    assert figures["hasScores"] is False and "CLASSES" in figures["noScoresReason"] and outcome.curves is None
    assert figures["accuracy"] == approx(metrics.accuracy_score(truth, numpy.where(p >= 0.5, "yes", "no")))


def test_jsonl_instances_as_objects_feed_a_model_fitted_on_a_dataframe(tmp_path):
    from sklearn.tree import DecisionTreeClassifier

    random = numpy.random.default_rng(10)
    train = pandas.DataFrame({"height": random.normal(size=200), "weight": random.normal(size=200)})
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(train, train["height"] > 0)
    test = pandas.DataFrame({"weight": random.normal(size=50), "height": random.normal(size=50)})
    rows = [{"instance": row, "label": row["height"] > 0} for row in test.to_dict("records")]
    data = write_jsonl(tmp_path / "test.jsonl", rows)

    outcome = evaluate(write_spec(tmp_path / "e", save(model, tmp_path / "m"), data, batchRows=16))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    expected = metrics.accuracy_score(test["height"] > 0, model.predict(test[["height", "weight"]]))
    assert outcome.classification["accuracy"] == approx(expected)


def test_a_registered_decoder_turns_a_folders_files_into_instances(tmp_path, monkeypatch):
    """The seam for issue 16's image/text/audio models: a decoder per file kind."""
    from emkit.evaluation import datasets

    monkeypatch.setattr(datasets, "_DECODERS", {})
    datasets.register_decoder([".txt"], lambda path: Path(path).read_text())
    folder = tmp_path / "sounds"
    for label, texts in {"cat": ["meow", "woof"], "dog": ["woof"]}.items():
        (folder / label).mkdir(parents=True)
        for i, text in enumerate(texts):
            (folder / label / f"{i}.txt").write_text(text)
    (folder / "dog" / "3.bin").write_bytes(b"woof")  # no decoder for .bin: its path
    source = "def predict(items):\n    return ['dog' if 'woof' in item else 'cat' for item in items]\n"
    outcome = evaluate(write_spec(tmp_path / "e", custom_model(tmp_path / "m", source), folder, framework="custom"))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    # rows: cat/0.txt "meow", cat/1.txt "woof", dog/0.txt "woof", dog/3.bin (a path: no "woof" in it)
    assert outcome.classification["confusionMatrix"] == [[1, 1], [1, 1]]
    errors = {e["row"]: json.loads(e["instance"]) for e in outcome.result["errors"]}
    assert errors == {1: "woof", 3: str(folder / "dog" / "3.bin")}
