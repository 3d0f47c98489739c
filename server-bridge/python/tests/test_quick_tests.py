"""The quick test from Python: ``client.models.predict`` / ``predict_file`` and
``%%emkit model predict``, against the real bridge, with custom predict.py models (any
Python serves them) and, where the bridge's Python has it, a scikit-learn one."""

from __future__ import annotations

import hashlib

import pytest

from emkit.client import ApiError
from magics import run
from test_client import _bridge_python_has

# Three classes, the scores of each instance from its first number: a model with probabilities.
SCORING_MODEL = """\
CLASSES = ["cat", "dog", "fox"]

def predict(instances):
    rows = []
    for x in instances:
        if not isinstance(x, list) or not x:
            raise ValueError(f"an instance must be a non-empty list, not {x!r}")
        k = int(x[0]) % 3
        scores = [0.1, 0.1, 0.1]
        scores[k] = 0.8
        rows.append({"label": CLASSES[k], "scores": scores})
    return rows
"""

# Answers what it was given: the decoded bytes' hash, the name and the media type.
FILE_MODEL = """\
import base64, hashlib

def predict(instances):
    return [
        {
            "sha256": hashlib.sha256(base64.b64decode(i["b64"])).hexdigest(),
            "filename": i["filename"],
            "contentType": i["contentType"],
        }
        for i in instances
    ]
"""


@pytest.fixture
def custom_model(client, unique_name, tmp_path):
    def make(source: str) -> str:
        name = unique_name("quick")
        folder = tmp_path / name
        folder.mkdir()
        (folder / "predict.py").write_text(source)
        client.models.create(name, artifact_path=str(folder))
        return name

    return make


def _worker_pids(client, name):
    return [w["pid"] for w in client.status()["quickTests"] if w["model"] == f"{name}:1"]


def test_predict_starts_a_worker_then_reuses_it(client, custom_model):
    name = custom_model(SCORING_MODEL)
    first = client.models.predict(name, [[0], [4]])
    # without return_scores, predict()'s rows as they are
    assert [p["label"] for p in first["predictions"]] == ["cat", "dog"]
    assert first["warm"] is False and "scores" not in first
    pids = _worker_pids(client, name)
    assert len(pids) == 1

    second = client.models.predict(name, [[2]], return_scores=True)
    assert second["warm"] is True
    assert second["predictions"] == ["fox"]
    assert second["scores"] == [[0.1, 0.1, 0.8]]
    assert second["classes"] == ["cat", "dog", "fox"]
    assert _worker_pids(client, name) == pids


def test_numpy_instances_go_as_lists(client, custom_model):
    numpy = pytest.importorskip("numpy")
    name = custom_model(SCORING_MODEL)
    answer = client.models.predict(name, numpy.array([[1.0], [5.0]]), return_scores=True)
    assert answer["predictions"] == ["dog", "fox"]


def test_predict_errors_are_api_errors(client, custom_model):
    name = custom_model(SCORING_MODEL)
    with pytest.raises(ApiError) as model_error:
        client.models.predict(name, ["not a list"])
    assert model_error.value.status == 400 and "non-empty list" in model_error.value.message
    with pytest.raises(ApiError) as no_instances:
        client.models.predict(name, [])
    assert no_instances.value.status == 400 and no_instances.value.field == "instances"
    with pytest.raises(ApiError) as unknown:
        client.models.predict("no-such-model", [[1]])
    assert unknown.value.status == 404


def test_predict_file_from_a_path_and_from_bytes(client, custom_model, tmp_path):
    name = custom_model(FILE_MODEL)
    image = tmp_path / "photo 1.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    answer = client.models.predict_file(name, path=str(image))
    assert answer["predictions"] == [
        {
            "sha256": hashlib.sha256(image.read_bytes()).hexdigest(),
            "filename": "photo 1.png",
            "contentType": "image/png",
        }
    ]
    raw = client.models.predict_file(name, data=b"hello", content_type="text/plain")
    assert raw["predictions"] == [
        {"sha256": hashlib.sha256(b"hello").hexdigest(), "filename": None, "contentType": "text/plain"}
    ]
    assert raw["warm"] is True
    with pytest.raises(ValueError, match="path or data"):
        client.models.predict_file(name)


def test_predict_file_of_a_type_no_model_takes_is_refused(client, custom_model):
    name = custom_model(FILE_MODEL)
    with pytest.raises(ApiError) as refused:
        client.models.predict_file(name, data=b"{}", content_type="application/json")
    assert refused.value.status == 415 and "image/*" in refused.value.message


@pytest.mark.skipif(
    not _bridge_python_has("sklearn", "joblib"),
    reason="the bridge's Python (EMKIT_PYTHON, else python3 on the PATH) has no scikit-learn and joblib",
)
def test_a_scikit_learn_model_scores_are_predict_proba(client, unique_name, tmp_path):
    joblib = pytest.importorskip("joblib", reason="this test's Python needs joblib to save the model")
    datasets = pytest.importorskip("sklearn.datasets", reason="this test's Python needs scikit-learn")
    linear = pytest.importorskip("sklearn.linear_model")
    X, y = datasets.load_iris(return_X_y=True)
    model = linear.LogisticRegression(max_iter=500).fit(X, y)
    joblib.dump(model, tmp_path / "model.joblib")
    name = unique_name("iris")
    client.models.create(name, artifact_path=str(tmp_path / "model.joblib"))
    answer = client.models.predict(name, X[:5], return_scores=True)
    assert answer["predictions"] == model.predict(X[:5]).tolist()
    assert answer["classes"] == model.classes_.tolist()
    expected = model.predict_proba(X[:5])
    for row, want in zip(answer["scores"], expected):
        assert row == pytest.approx(want.tolist(), abs=1e-12)


# --- %%emkit model predict --------------------------------------------------------------------


def test_magic_predicts_the_cell_as_json(shell, bridge_env, client, custom_model):
    name = custom_model(SCORING_MODEL)
    ran = run(shell, f"%%emkit model predict {name} --scores\n[[0], [1]]\n")
    assert ran.error is None, ran.text
    assert [row["prediction"] for row in ran.value] == ["cat", "dog"]
    assert ran.value[0]["scores"] == [0.8, 0.1, 0.1]
    html = ran.value._repr_html_()
    assert "P(cat)" in html and "P(fox)" in html and f"model {name}" in html

    wrapped = run(shell, f'%%emkit model predict {name}\n{{"instances": [[2]]}}\n')
    assert wrapped.error is None, wrapped.text
    assert [row["prediction"] for row in wrapped.value] == [{"label": "fox", "scores": [0.1, 0.1, 0.8]}]
    assert "warm" in wrapped.value._repr_html_()


def test_magic_sends_a_file(shell, bridge_env, custom_model, tmp_path):
    name = custom_model(FILE_MODEL)
    sound = tmp_path / "clip.wav"
    sound.write_bytes(b"RIFF....WAVE")
    ran = run(shell, f"%emkit model predict {name} --file '{sound}'")
    assert ran.error is None, ran.text
    prediction = ran.value[0]["prediction"]
    assert prediction["filename"] == "clip.wav"
    assert prediction["contentType"] in ("audio/wav", "audio/x-wav")
    assert prediction["sha256"] == hashlib.sha256(sound.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("%emkit model predict {name}", "give the instances as JSON in the cell"),
        ("%%emkit model predict {name}\n[1, 2", "the cell is not JSON"),
        ('%%emkit model predict {name}\n{{"rows": []}}', "JSON list of instances"),
        ('%%emkit model predict {name}\n["not a list"]', "non-empty list"),
        ("%%emkit model list\n[[1]]", "%%emkit model list takes no cell"),
        ("%emkit model predict {name} --file /no/such/file.png", "cannot read /no/such/file.png"),
    ],
)
def test_magic_mistakes_are_one_line(shell, bridge_env, custom_model, cell, words):
    name = custom_model(SCORING_MODEL)
    ran = run(shell, cell.format(name=name))
    assert words in ran.one_line_error()


def test_the_file_model_sees_base64(client, custom_model):
    # the convention a custom predict.py decodes: TF Serving's {"b64": ...}
    name = custom_model("def predict(instances):\n    return [sorted(i) for i in instances]\n")
    answer = client.models.predict_file(name, data=b"x", content_type="application/octet-stream", filename="a.bin")
    assert answer["predictions"] == [["b64", "contentType", "filename"]]
