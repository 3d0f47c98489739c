"""Recipes from Python: ``client.recipes`` and ``%emkit recipe`` against a real bridge, with a
real built-in training (number-classification on iris, written as a CSV here)."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest

from emkit.client import ApiError
from magics import run

MODEL_TYPES = [
    "image-classification",
    "text-classification",
    "audio-classification",
    "number-classification",
    "number-prediction",
    "clustering",
]


@pytest.fixture
def iris_csv(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    from sklearn.datasets import load_iris

    data: Any = load_iris(as_frame=True)  # a Bunch; its stubs say a tuple
    frame = data.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    frame["species"] = [data.target_names[t] for t in frame.pop("target")]
    path = tmp_path / "iris.csv"
    frame.to_csv(path, index=False)
    return path


def _bridge_python_has_sklearn() -> bool:
    """The bridge trains with EMKIT_PYTHON, else the python3 on the PATH it inherits from here."""
    python = os.environ.get("EMKIT_PYTHON") or shutil.which("python3")
    return (
        bool(python) and subprocess.run([python, "-c", "import sklearn, pandas"], capture_output=True).returncode == 0
    )


def test_client_lists_the_built_ins_and_checks_values(client, iris_csv):
    names = [r["name"] for r in client.recipes.list()]
    assert names[:6] == MODEL_TYPES
    knn = client.recipes.get("number-classification")
    assert {p["name"]: p["type"] for p in knn["parameters"]}["k"] == "integer"
    with pytest.raises(ApiError) as refused:
        client.recipes.train("number-classification", {"train": str(iris_csv)}, {"label": "species", "k": 0})
    assert (refused.value.status, refused.value.field) == (400, "hyperparameters.k")
    with pytest.raises(ApiError) as missing:
        client.recipes.train("number-classification", {"train": str(iris_csv)})
    assert (missing.value.status, missing.value.field) == (422, "hyperparameters.label")
    with pytest.raises(ApiError) as builtin:
        client.recipes.delete("clustering")
    assert builtin.value.status == 409


def test_magic_trains_a_built_in_and_names_its_model(shell, bridge_env, client, iris_csv, unique_name):
    listed = run(shell, "%emkit recipe list")
    assert listed.error is None, listed.text
    assert [r["name"] for r in listed.value][:6] == MODEL_TYPES
    assert "built-in" in listed.value._repr_html_()

    got = run(shell, "%emkit recipe get number-classification")
    assert got.error is None, got.text
    assert "k: integer, default '5'" in got.stdout

    if not _bridge_python_has_sklearn():
        pytest.skip("the bridge's Python (python3 on the PATH) has no scikit-learn/pandas: put .venv/bin first")
    name, model = unique_name("knn"), unique_name("iris")
    ran = run(
        shell,
        f"%emkit recipe train number-classification --dataset train={iris_csv} --hp label=species --hp k=3 "
        f"--model {model} --name {name} --wait",
    )
    assert ran.error is None, ran.text
    training = client.trainings.get(name)
    assert training["state"] == "COMPLETE", training["stateReason"]
    assert training["recipe"] == "number-classification"
    assert training["model"]["name"] == model and training["evaluation"]
    evaluation = client.evaluations.get(training["evaluation"])
    assert {c["class"] for c in evaluation["result"]["classification"]["perClass"]} == {
        "setosa",
        "versicolor",
        "virginica",
    }

    refused = run(shell, "%emkit recipe delete clustering")
    assert "built-in" in refused.one_line_error()
