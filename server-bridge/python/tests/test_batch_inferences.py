"""client.batch_inferences and %emkit batch against a real bridge and the real batch runner, with a real
scikit-learn model: every row scored, in order, as the model's own predict() has it."""

from __future__ import annotations

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
def scored(client, tmp_path, unique_name):
    """A LogisticRegression registered as a model, a CSV of 500 rows without labels, and its predictions."""
    sklearn = pytest.importorskip("sklearn.linear_model")
    import joblib
    import numpy as np

    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3)).round(6)
    model = sklearn.LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
    artifact = tmp_path / "model"
    artifact.mkdir()
    joblib.dump(model, artifact / "model.joblib")
    data = tmp_path / "rows.csv"
    data.write_text("a,b,c\n" + "".join(f"{r[0]},{r[1]},{r[2]}\n" for r in X))
    name = unique_name("scorer")
    client.models.create(name, artifact_path=str(artifact), framework="scikit-learn")
    return name, str(data), model.predict(X).tolist()


@needs_sklearn
def test_client_scores_waits_and_reads_the_predictions(client, scored, tmp_path):
    name, data, expected = scored
    job = client.batch_inferences.create(name, data, output=str(tmp_path / "out"), wait=True, timeout=120)
    assert job["state"] == "COMPLETE", client.batch_inferences.log(job["id"])
    assert job["progress"]["done"] == 500 and job["progress"]["errors"] == 0
    frame = client.batch_inferences.predictions(job["id"])
    assert frame["key"].tolist() == list(range(500))
    assert frame["prediction"].tolist() == expected
    assert job["id"] in [j["id"] for j in client.batch_inferences.list(model=name)]

    with pytest.raises(emkit.ApiError) as caught:
        client.batch_inferences.create(name, data, output=str(tmp_path / "out"))
    assert (caught.value.status, caught.value.field) == (409, "output")
    with pytest.raises(emkit.ApiError) as caught:
        client.batch_inferences.stop(job["id"])
    assert caught.value.status == 409
    client.batch_inferences.delete(job["id"])
    with pytest.raises(emkit.ApiError) as caught:
        client.batch_inferences.get(job["id"])
    assert caught.value.status == 404


@needs_sklearn
def test_magic_batch_create_waits_and_shows_the_job(shell, bridge_env, client, scored):
    name, data, _ = scored
    ran = run(shell, f"%emkit batch create --model {name} --input {data} --format jsonl --instances 2")
    assert ran.error is None, ran.text
    job = ran.value
    assert job["state"] == "COMPLETE" and job["format"] == "jsonl"
    assert "500/500" in job._repr_html_()
    listed = run(shell, f"%emkit batch list --model {name}")
    assert listed.error is None and job["id"] in [j["id"] for j in listed.value]
    log = run(shell, f"%emkit batch log {job['id']}")
    assert log.error is None and "scored 500 items" in log.text


def test_magic_batch_refusal_is_one_line(shell, bridge_env, tmp_path):
    ran = run(shell, f"%emkit batch create --model no-such-model --input {tmp_path}")
    assert ran.error is not None
    assert "no-such-model" in str(ran.error)


@needs_sklearn
def test_client_lists_the_bad_items_with_why(client, scored, tmp_path):
    name, _, _ = scored
    data = tmp_path / "some-bad.csv"
    rows = [f"{i / 10},{i / 20},{i / 30}" for i in range(50)]
    rows[7] = "seven,0.1,0.2"
    rows[31] = "0.3,thirty-one,0.2"
    data.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    job = client.batch_inferences.create(name, str(data), output=str(tmp_path / "out"), wait=True, timeout=120)
    assert job["state"] == "COMPLETE", client.batch_inferences.log(job["id"])
    assert job["progress"]["errors"] == 2
    errors = client.batch_inferences.errors(job["id"])
    assert [e["key"] for e in errors] == [7, 31] or [str(e["key"]) for e in errors] == ["7", "31"]
    assert all(e["reason"] for e in errors)
    assert len(client.batch_inferences.errors(job["id"], limit=1)) == 1


def test_magic_batch_create_names_its_cluster_to_the_bridge(shell, bridge_env, client, tmp_path, unique_name):
    # the cluster goes in the body: a cluster the bridge doesn't know is its refusal, said in one line
    (tmp_path / "rows.csv").write_text("x\n1\n")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "predict.py").write_text("def predict(instances):\n    return [1 for _ in instances]\n")
    name = unique_name("cluster")
    client.models.create(name, artifact_path=str(tmp_path / "model"), framework="custom")
    data = tmp_path / "rows.csv"
    ran = run(shell, f"%emkit batch create --model {name} --input {data} --cluster nowhere --no-wait")
    assert ran.error is not None
    assert 'cluster "nowhere" doesn\'t exist' in str(ran.error)
