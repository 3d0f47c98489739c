"""The input columns a model declares in itself, as the bridge reads them (`emkit.serving.declared_inputs`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import joblib
import pandas
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SRC = os.path.join(os.path.dirname(__file__), "..", "src")


def declared(framework: str, model_dir: str) -> dict:
    env = dict(os.environ, PYTHONPATH=SRC)
    run = subprocess.run(
        [sys.executable, "-m", "emkit.serving.declared_inputs", framework, model_dir],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(run.stdout)


def test_a_pipeline_fitted_on_a_table_declares_its_columns(tmp_path):
    table = pandas.DataFrame({"age": [30, 40, 50, 60], "income": [40.0, 60.0, 45.0, 70.0]})
    joblib.dump(
        make_pipeline(StandardScaler(), LogisticRegression()).fit(table, [0, 1, 0, 1]), tmp_path / "model.joblib"
    )
    assert declared("scikit-learn", str(tmp_path)) == {"columns": ["age", "income"]}


def test_an_estimator_fitted_on_plain_arrays_declares_none(tmp_path):
    joblib.dump(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), tmp_path / "model.joblib")
    assert declared("scikit-learn", str(tmp_path)) == {"columns": None}


def test_other_frameworks_are_not_loaded_and_declare_none(tmp_path):
    (tmp_path / "predict.py").write_text("raise RuntimeError('never imported')\n")
    assert declared("custom", str(tmp_path)) == {"columns": None}


def test_a_model_that_cannot_load_says_why(tmp_path):
    (tmp_path / "model.joblib").write_bytes(b"not a pickle")
    answer = declared("scikit-learn", str(tmp_path))
    assert set(answer) == {"error"} and "cannot load" in answer["error"]
