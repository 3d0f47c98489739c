"""emkit.ray_serve without a cluster: the deployment's class itself, with a real model, answers
a Starlette request exactly as a local worker's App answers POST /predict (the cluster path is
tested end to end in test/integration/endpoints-ray.test.ts)."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

ray_serve = pytest.importorskip("emkit.ray_serve", reason="ray[serve] is not installed in this environment")
sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed in this environment")

from starlette.requests import Request  # noqa: E402  (after the skips: ray brings starlette)

ROWS = [[5.1, 3.5, 1.4, 0.2], [6.8, 2.8, 4.8, 1.4]]


def _iris(tmp_path) -> tuple:
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    os.makedirs(tmp_path / "model")
    joblib.dump(model, tmp_path / "model" / "model.joblib")
    return model, str(tmp_path)


def _call(deployment, body: bytes, method: str = "POST"):
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": method, "path": "/emkit-x/predict", "headers": [], "query_string": b""}
    response = asyncio.run(deployment(Request(scope, receive)))
    return response.status_code, json.loads(response.body)


def test_the_replica_loads_the_model_from_its_working_directory_and_answers_as_a_worker(tmp_path, monkeypatch):
    model, workdir = _iris(tmp_path)
    monkeypatch.chdir(workdir)  # Ray runs a replica in its uploaded working directory
    replica = ray_serve.ModelDeployment.func_or_class("scikit-learn", "model", "iris")
    status, answer = _call(replica, json.dumps({"instances": ROWS}).encode())
    assert status == 200
    assert answer == {"predictions": model.predict(ROWS).tolist()}
    status, answer = _call(replica, json.dumps({"instances": ROWS, "return_scores": True}).encode())
    assert status == 200 and answer["classes"] == [0, 1, 2] and len(answer["scores"]) == 2
    # the worker's refusals, word for word
    status, answer = _call(replica, b"not json")
    assert status == 400 and answer["error"]["code"] == "bad_request"
    status, answer = _call(replica, b'{"rows": []}')
    assert status == 400 and answer["error"]["code"] == "validation"
    status, _ = _call(replica, b"", method="GET")
    assert status == 405


def test_the_builder_binds_the_config_args():
    app = ray_serve.build({"framework": "scikit-learn", "model_dir": "model", "name": "iris"})
    assert app is not None


def test_a_replica_over_its_stages_memory_limit_fails_serves_check_but_never_its_first(tmp_path, monkeypatch):
    _, workdir = _iris(tmp_path)
    monkeypatch.chdir(workdir)
    replica = ray_serve.ModelDeployment.func_or_class("scikit-learn", "model", "iris")
    # this process holds far more than 64 MB (numpy, scikit-learn, the model): over the limit
    replica.reconfigure({"memoryLimitMb": 64, "usage": None})
    replica.check_health()  # the first check is part of the start: a replica over the limit still starts
    with pytest.raises(RuntimeError, match=r"went over the stage's memory limit of 64 MB \(rss \d+ MB\)"):
        replica.check_health()
    # the limit lifted (a PATCH, handed to the running replica): healthy again, with no restart
    replica.reconfigure({"memoryLimitMb": None, "usage": None})
    replica.check_health()
