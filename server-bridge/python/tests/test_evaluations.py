"""client.evaluations and %emkit evaluate against a real bridge and the real evaluation runner,
with a real scikit-learn model; and the report's rendering of a result."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess

import pytest

import emkit
from magics import run

BRIDGE_PYTHON = shutil.which("python3") or "python3"


def _has_sklearn(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import sklearn, joblib, pandas"], capture_output=True)
    return probe.returncode == 0


needs_sklearn = pytest.mark.skipif(
    not _has_sklearn(BRIDGE_PYTHON),
    reason=f"SKIPPED: the bridge's python3 ({BRIDGE_PYTHON}) lacks scikit-learn, joblib or pandas",
)


@pytest.fixture
def classifier(client, tmp_path, unique_name):
    """A binary LogisticRegression registered as a model, and a held-out CSV with its own label column."""
    sklearn = pytest.importorskip("sklearn.linear_model")
    import joblib
    import numpy as np

    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.5, size=300) > 0).astype(int)
    model = sklearn.LogisticRegression().fit(X[:200], y[:200])
    artifact = tmp_path / "model"
    artifact.mkdir()
    joblib.dump(model, artifact / "model.joblib")
    data = tmp_path / "held-out.csv"
    data.write_text("a,b,c,target\n" + "".join(f"{r[0]},{r[1]},{r[2]},{t}\n" for r, t in zip(X[200:], y[200:])))
    name = unique_name("clf")
    client.models.create(name, artifact_path=str(artifact), framework="scikit-learn")
    made = []
    yield name, str(data), made
    for key in made:
        with contextlib.suppress(emkit.ApiError):
            client.evaluations.delete(key)


@needs_sklearn
def test_client_evaluates_waits_and_answers_a_threshold(client, classifier):
    name, data, made = classifier
    evaluation = client.evaluations.create(f"{name}:1", data, label="target", wait=True, timeout=120)
    made.append(evaluation["id"])
    assert evaluation["state"] == "COMPLETE", client.evaluations.log(evaluation["id"])
    assert evaluation["result"]["rows"] == 100
    assert evaluation["result"]["classification"]["classes"] == [0, 1]
    assert evaluation["data"]["sha256"] and evaluation["task"] == "classification"

    low, high = client.evaluations.get(evaluation["id"], threshold=0.1), client.evaluations.get(evaluation["id"], 0.9)
    assert low["atThreshold"]["threshold"] == 0.1 and high["atThreshold"]["threshold"] == 0.9
    positive = next(c for c in low["atThreshold"]["perClass"] if c["class"] == 1)
    strict = next(c for c in high["atThreshold"]["perClass"] if c["class"] == 1)
    assert positive["recall"] >= strict["recall"] and positive["predicted"] >= strict["predicted"]

    assert [e["id"] for e in client.evaluations.list(model=name)] == [evaluation["id"]]
    iterations = client.evaluations.iterations(name)
    assert iterations["dataset"]["sha256"] == evaluation["data"]["sha256"]
    assert [i["evaluation"]["id"] for i in iterations["iterations"]] == [evaluation["id"]]
    assert isinstance(client.evaluations.log(evaluation["id"]), str)

    with pytest.raises(emkit.ApiError) as caught:
        client.evaluations.stop(evaluation["id"])
    assert caught.value.status == 409
    client.evaluations.delete(evaluation["id"])
    with pytest.raises(emkit.ApiError) as caught:
        client.evaluations.get(evaluation["id"])
    assert caught.value.status == 404


def test_client_refusals_name_the_field(client, tmp_path, unique_name):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "predict.py").write_text("def predict(x):\n    return x\n")
    name = unique_name("m")
    client.models.create(name, artifact_path=str(artifact), framework="custom", framework_version="1")
    before = client.status()["counts"]["evaluations"]
    with pytest.raises(emkit.ApiError) as caught:
        client.evaluations.create(name, str(fifo))
    assert (caught.value.status, caught.value.field) == (422, "data")
    assert "neither a regular file nor a folder" in caught.value.message
    with pytest.raises(emkit.ApiError) as caught:
        client.evaluations.create(name, str(tmp_path / "x.csv"), threshold=3)
    assert (caught.value.status, caught.value.field) == (400, "threshold")
    assert client.status()["counts"]["evaluations"] == before


@needs_sklearn
def test_magic_evaluate_shows_figures_table_and_confusion_matrix(shell, bridge_env, client, classifier):
    name, data, made = classifier
    ran = run(shell, f"%emkit evaluate {name} --data {data} --label target --threshold 0.3")
    assert ran.error is None, ran.text
    report = ran.value
    made.append(report["id"])
    assert report["state"] == "COMPLETE"
    html = report._repr_html_()
    for shown in ("accuracy", "per class", "confusion matrix", "at threshold 0.3"):
        assert shown in html
    assert report["atThreshold"]["threshold"] == 0.3
    listed = run(shell, "%emkit list evaluations")
    assert listed.error is None and report["id"] in [e["id"] for e in listed.value]
    assert "accuracy" in listed.value._repr_html_()


@needs_sklearn
def test_magic_promote_shows_the_evaluation_of_the_promoted_version(shell, bridge_env, client, classifier, tmp_path):
    name, data, made = classifier
    ran = run(shell, f"%emkit promote {name} 1 --alias staging")
    assert ran.error is None, ran.text
    assert f"no evaluation of {name}:1 yet: `%emkit evaluate {name}:1 --data PATH`" in ran.stdout
    assert ran.value["evaluation"] is None and ran.value["aliases"] == ["staging"]

    evaluation = client.evaluations.create(f"{name}:1", data, label="target", wait=True, timeout=120)
    made.append(evaluation["id"])
    assert evaluation["state"] == "COMPLETE", client.evaluations.log(evaluation["id"])
    ran = run(shell, f"%emkit promote {name} 1 --alias production")
    assert ran.error is None, ran.text
    assert ran.value["evaluation"]["id"] == evaluation["id"]
    line = next(x for x in ran.stdout.splitlines() if x.startswith("evaluated on "))
    assert line.startswith(f"evaluated on {evaluation['data']['path']} (")
    c = evaluation["result"]["classification"]
    for key, value in (("accuracy", c["accuracy"]), ("macroF1", c["macro"]["f1"]), ("rocAuc", c["rocAuc"])):
        assert f"{key} {value:.4f}" in line

    # another version of the name is not judged by version 1's evaluation
    second = client.models.create(name, artifact_path=str(tmp_path / "model"), framework="scikit-learn")
    ran = run(shell, f"%emkit promote {name} {second['version']} --alias production")
    assert ran.error is None, ran.text
    assert f"no evaluation of {name}:{second['version']} yet" in ran.stdout
    assert ran.value["evaluation"] is None


@needs_sklearn
def test_magic_missing_label_column_is_one_line(shell, bridge_env, classifier):
    name, data, _ = classifier
    shown = run(shell, f"%emkit evaluate {name} --data {data} --label nope").one_line_error()
    assert "nope" in shown and "target" in shown


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("%emkit evaluate churn", "the following arguments are required: --data"),
        ("%emkit evaluate churn --data x.csv --threshold 2", "not a probability between 0 and 1"),
        ("%emkit evaluate churn --data x.csv --task ranking", "invalid choice: 'ranking'"),
    ],
)
def test_magic_bad_usage_is_one_line(shell, line, says):
    assert says in run(shell, line).one_line_error()


def test_report_renders_a_regression_and_escapes_what_it_shows():
    from emkit.magics.evaluations import EvaluationReport

    report = EvaluationReport(
        {
            "id": "e1",
            "model": {"name": "price", "version": 2},
            "data": {"path": "/data/<test>.csv"},
            "state": "COMPLETE",
            "stateReason": None,
            "atThreshold": None,
            "result": {
                "task": "regression",
                "rows": 3,
                "classification": None,
                "clustering": None,
                "regression": {"rmse": 1.5, "mae": 1.25, "r2": 0.5, "residuals": {"edges": [], "counts": []}},
                "errors": [
                    {
                        "row": 2,
                        "instance": "[<b>1</b>]",
                        "label": 3,
                        "predicted": 5,
                        "confidence": None,
                        "residual": 2.0,
                    }
                ],
            },
        }
    )
    html = report._repr_html_()
    assert "RMSE 1.5000 · MAE 1.2500 · R² 0.5000" in html
    assert "&lt;test&gt;.csv" in html and "[&lt;b&gt;1&lt;/b&gt;]" in html and "<b>1</b>" not in html
    assert "largest residuals" in html
    from IPython.lib.pretty import pretty

    assert "RMSE 1.5000" in pretty(report)
