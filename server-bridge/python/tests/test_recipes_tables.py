"""The three table recipes end to end, as the runner runs them, on tables scikit-learn ships
(written as CSV): k-NN on iris (holdout accuracy ≥ 0.9), linear regression on diabetes
(holdout R² ≥ 0.35), k-means on iris's measurements (holdout silhouette > 0.3). Each model
folder loads with the serving loader (framework custom) and answers raw rows.
"""

from __future__ import annotations

import pytest

from emkit.serving.loaders import load
from recipe_data import diabetes_csv, iris_csv
from recipes import run_builtin, scalars, train_in_process

pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    return iris_csv(tmp_path_factory.mktemp("data") / "iris.csv")


@pytest.fixture(scope="module")
def knn(tmp_path_factory, iris):
    return run_builtin(tmp_path_factory.mktemp("knn"), "number-classification", iris, {"label": "species"})


def test_knn_on_iris_reaches_its_holdout_accuracy_with_per_class_figures(knn):
    assert knn.returncode == 0, knn.stderr
    figures = knn.result["classification"]
    assert figures["accuracy"] >= 0.9
    assert figures["classes"] == ["setosa", "versicolor", "virginica"]
    assert {row["class"] for row in figures["perClass"]} == {"setosa", "versicolor", "virginica"}
    assert all(row["precision"] is not None and row["recall"] is not None for row in figures["perClass"])
    assert figures["hasScores"] is True  # predict_scores: the curves are there
    assert (knn.evaluation / "curves.json").is_file()
    assert knn.result["rows"] == 30  # 20% of 150, 10 of each class
    assert [row["support"] for row in figures["perClass"]] == [10, 10, 10]
    assert "holdout accuracy" in knn.stdout and "versicolor: precision" in knn.stdout
    assert knn.recipe["classes"] == ["setosa", "versicolor", "virginica"]
    assert knn.recipe["columns"] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert knn.recipe["input"] == "row" and knn.recipe["parameters"]["k"] == 5
    assert (knn.artifacts / "holdout" / "holdout.csv").is_file()
    curves = scalars(knn.tensorboard)
    assert curves["val_accuracy"][0][1] == pytest.approx(figures["accuracy"])


def test_knn_model_answers_raw_rows_as_objects_or_lists_with_scores(knn):
    model = load("custom", str(knn.model_dir))
    setosa = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    virginica = [6.9, 3.1, 5.8, 2.3]
    assert model.predict([setosa, virginica]) == ["setosa", "virginica"]
    assert model.predict([{**setosa, "petal_width": "0.2", "note": "ignored"}]) == ["setosa"]
    assert model.scores is not None
    labels, scores, classes = model.scores([setosa, virginica])
    assert labels == ["setosa", "virginica"] and classes == ["setosa", "versicolor", "virginica"]
    assert scores[0][0] == pytest.approx(1.0) and sum(scores[1]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="instance 0 lacks column petal_width"):
        model.predict([{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4}])
    with pytest.raises(ValueError, match='instance 1: column "sepal_width" must be a number'):
        model.predict([setosa, {**setosa, "sepal_width": "wide"}])
    with pytest.raises(ValueError, match="instance 0 has 3 values; the model takes 4"):
        model.predict([[1, 2, 3]])
    assert model.predict([]) == []


def test_linear_regression_on_diabetes_reaches_its_holdout_r2(tmp_path):
    import pandas

    data = diabetes_csv(tmp_path / "diabetes.csv")
    frame = pandas.read_csv(data)
    run = run_builtin(tmp_path / "training", "number-prediction", data, {"target": "target"})
    assert run.returncode == 0, run.stderr
    figures = run.result["regression"]
    assert figures["r2"] >= 0.35
    assert run.result["task"] == "regression" and run.result["rows"] == round(len(frame) * 0.2)
    assert run.recipe["task"] == "regression" and run.recipe["classes"] is None
    assert "holdout R²" in run.stdout
    model = load("custom", str(run.model_dir))
    row = frame.drop(columns="target").iloc[0].to_dict()
    (value,) = model.predict([row])
    assert isinstance(value, float) and 25 <= value <= 346  # within diabetes's target range
    assert model.no_scores and "target" not in scalars(run.tensorboard) and "val_r2" in scalars(run.tensorboard)


def test_kmeans_on_iris_measurements_reaches_its_holdout_silhouette(tmp_path, iris):
    # no features given: every numeric column (species, text, is left out); and no
    # EM_ARTIFACT_DIR: the artifacts folder beside the model's
    run = run_builtin(tmp_path / "training", "clustering", iris, {"k": 3}, artifact_variable=False)
    assert run.returncode == 0, run.stderr
    figures = run.result["clustering"]
    assert figures["silhouette"] > 0.3
    assert sorted(c["cluster"] for c in figures["clusters"]) == [0, 1, 2]
    assert sum(c["size"] for c in figures["clusters"]) == 30
    assert "left out the columns that aren't numeric: species" in run.stdout
    assert run.recipe["columns"] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    model = load("custom", str(run.model_dir))
    small, large = [5.0, 3.4, 1.5, 0.2], [7.7, 3.0, 6.1, 2.3]
    clusters = model.predict([small, small, large])
    assert clusters[0] == clusters[1] != clusters[2] and all(c in (0, 1, 2) for c in clusters)


@pytest.mark.parametrize("kind", ["parquet", "jsonl", "folder"])
def test_parquet_jsonl_and_a_folder_holding_one_table_are_read(tmp_path, monkeypatch, capsys, kind):
    import pandas

    frame = pandas.read_csv(diabetes_csv(tmp_path / "diabetes.csv"))
    if kind == "parquet":
        pytest.importorskip("pyarrow", reason="pyarrow isn't installed in this interpreter")
        data = tmp_path / "diabetes.parquet"
        frame.to_parquet(data)
    elif kind == "jsonl":
        data = tmp_path / "diabetes.jsonl"
        frame.to_json(data, orient="records", lines=True)
    else:  # a copied dataset's data/ folder
        data = tmp_path / "data"
        data.mkdir()
        (tmp_path / "diabetes.csv").rename(data / "diabetes.csv")
    status, line, out = train_in_process(tmp_path, monkeypatch, capsys, "number-prediction", data, target="target")
    assert status == 0, line
    assert "linear regression on 354 rows of 10 features" in out and "holdout R²" in out
