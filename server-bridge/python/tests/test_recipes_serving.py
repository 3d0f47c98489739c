"""The pieces a built-in model is served and evaluated with: the custom loader's optional
predict_scores(), the raw-input helpers of emkit.recipes.serving, and the evaluation's default
decoders (images and WAV files as the quick test's upload object, .txt files as text)."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path

import pytest

from emkit.evaluation import datasets
from emkit.recipes.serving import instance_bytes, instance_text
from emkit.serving.loaders import NoScores, load

SCORING = textwrap.dedent(
    """
    CLASSES = ["cat", "dog"]

    def load():
        return {"threshold": 0.5}

    def predict(model, instances):
        return ["dog" if "woof" in i else "cat" for i in instances]

    def predict_scores(model, instances):
        p = [0.9 if "woof" in i else 0.2 for i in instances]
        return ["dog" if x >= model["threshold"] else "cat" for x in p], [[1 - x, x] for x in p]
    """
)


def custom_model(folder, source: str):
    folder.mkdir()
    (folder / "predict.py").write_text(source)
    return str(folder)


def test_a_predict_py_with_predict_scores_gives_scores_in_its_classes_order(tmp_path):
    model = load("custom", custom_model(tmp_path / "m", SCORING))
    assert model.predict(["woof", "meow"]) == ["dog", "cat"]
    assert model.scores is not None
    labels, scores, classes = model.scores(["woof", "meow"])
    assert labels == ["dog", "cat"] and classes == ["cat", "dog"]
    assert scores == [pytest.approx([0.1, 0.9]), pytest.approx([0.8, 0.2])]
    assert model.scores_with_labels is True


def test_a_predict_scores_that_returns_something_else_is_no_scores(tmp_path):
    source = "def predict(instances):\n    return instances\n\ndef predict_scores(instances):\n    return [1, 2, 3]\n"
    model = load("custom", custom_model(tmp_path / "m", source))
    assert model.scores is not None
    with pytest.raises(NoScores, match=r"must return \(labels, scores\)"):
        model.scores(["a"])


def test_the_evaluation_uses_predict_scores_for_its_curves(tmp_path):
    from evaluations import evaluate, write_spec

    folder = tmp_path / "pets"
    for label, items in {"cat": ["meow", "purr", "woof?"], "dog": ["woof", "woof woof", "grr"]}.items():
        (folder / label).mkdir(parents=True)
        for i, text in enumerate(items):
            (folder / label / f"{i}.txt").write_text(text)  # decoded to its text by default
    model_dir = Path(custom_model(tmp_path / "m", SCORING))
    outcome = evaluate(write_spec(tmp_path / "e", model_dir, folder, framework="custom"))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    figures = outcome.classification
    assert figures["hasScores"] is True and figures["confusionMatrix"] == [[2, 1], [1, 2]]
    assert json.loads(outcome.result["errors"][0]["instance"]) == "woof?"


def test_images_and_sounds_decode_to_the_upload_object_and_texts_to_their_text(tmp_path):
    png = tmp_path / "a.PNG"
    png.write_bytes(b"\x89PNG fake")
    wav = tmp_path / "b.wav"
    wav.write_bytes(b"RIFF fake")
    text = tmp_path / "c.txt"
    text.write_bytes("\ufeff안녕하세요 hello".encode())
    other = tmp_path / "d.bin"
    other.write_bytes(b"x")
    assert datasets.decode(str(png)) == {
        "b64": base64.b64encode(b"\x89PNG fake").decode(),
        "filename": "a.PNG",
        "contentType": "image/png",
    }
    assert datasets.decode(str(wav))["contentType"] == "audio/wav"
    assert datasets.decode(str(text)) == "안녕하세요 hello"
    assert datasets.decode(str(other)) == str(other)
    broken = tmp_path / "e.txt"
    broken.write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(datasets.DatasetError, match=r"e\.txt isn't UTF-8 text"):
        datasets.decode(str(broken))


def test_raw_bytes_come_as_an_upload_object_a_base64_string_or_a_data_url():
    encoded = base64.b64encode(b"bytes").decode()
    assert instance_bytes({"b64": encoded, "filename": "x/y.png", "contentType": "image/png"}, 0) == (b"bytes", "y.png")
    assert instance_bytes(encoded, 0) == (b"bytes", "")
    assert instance_bytes(f"data:image/png;base64,{encoded}", 0) == (b"bytes", "")
    with pytest.raises(ValueError, match="instance 2 isn't valid base64"):
        instance_bytes("not base64!", 2)
    with pytest.raises(ValueError, match='instance 1 has no "b64"'):
        instance_bytes({"filename": "a.png"}, 1)
    with pytest.raises(ValueError, match="instance 0 must be a base64 string"):
        instance_bytes(7, 0)
    assert instance_text(["one column"], 0) == "one column"
