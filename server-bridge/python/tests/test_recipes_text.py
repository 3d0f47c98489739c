"""text-classification end to end, as the runner runs it, on short English and Korean texts
written here: from class folders of .txt files and from a CSV table; holdout accuracy ≥ 0.8
each, per-class precision/recall in result.json, and the model answers raw strings."""

from __future__ import annotations

import pytest

from emkit.serving.loaders import load
from recipe_data import texts, write_text_folders
from recipes import run_builtin

pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")


def test_text_folders_of_english_and_korean_reach_the_holdout_accuracy(tmp_path):
    data = write_text_folders(tmp_path / "texts")
    (data / "food" / "broken.txt").write_bytes(b"\xff\xfe\xfa not utf-8 \xc3")
    (data / "food" / "notes.md").write_text("not a .txt file")
    run = run_builtin(tmp_path / "training", "text-classification", data)
    assert run.returncode == 0, run.stderr
    figures = run.result["classification"]
    assert figures["accuracy"] >= 0.8
    assert figures["classes"] == ["food", "sports", "weather"]
    assert all(row["precision"] is not None and row["recall"] is not None for row in figures["perClass"])
    assert figures["hasScores"] is True
    assert "skipped 1 files: food/broken.txt (UnicodeDecodeError)" in run.stderr
    # the holdout is a class-folder tree of the held-out files, read back as text by the evaluation
    held = sorted(p.relative_to(run.artifacts / "holdout").parts[0] for p in (run.artifacts / "holdout").rglob("*.txt"))
    assert len(held) == run.result["rows"] == 18 and held.count("food") == 6
    model = load("custom", str(run.model_dir))
    answers = model.predict(["오늘은 날씨가 맑아요", "He plays tennis every weekend", {"text": "피자가 맛있었다"}])
    assert answers == ["weather", "sports", "food"]
    assert model.scores is not None
    labels, scores, classes = model.scores(["내일은 눈이 와요"])
    assert labels == ["weather"] and classes == ["food", "sports", "weather"] and len(scores[0]) == 3
    with pytest.raises(ValueError, match="instance 0 must be a text string, not int"):
        model.predict([42])


def test_a_text_table_with_korean_and_english_reaches_the_holdout_accuracy(tmp_path):
    import pandas

    frame = pandas.DataFrame([{"sentence": text, "topic": label} for label, text in texts(seed=8)])
    data = tmp_path / "texts.csv"
    frame.to_csv(data, index=False)
    run = run_builtin(tmp_path / "training", "text-classification", data, {"text": "sentence", "label": "topic"})
    assert run.returncode == 0, run.stderr
    assert run.result["classification"]["accuracy"] >= 0.8
    holdout = pandas.read_csv(run.artifacts / "holdout" / "holdout.csv")
    assert list(holdout.columns) == ["sentence", "topic"] and len(holdout) == 18
    assert run.recipe["input"] == "text" and run.recipe["columns"] is None
