"""text-classification end to end, as the runner runs it, on short English and Korean texts
written here: from class folders of .txt files and from a CSV table; holdout accuracy ≥ 0.8
each, per-class precision/recall in result.json, and the model answers raw strings."""

from __future__ import annotations

import random

import pytest

from emkit.serving.loaders import load
from recipes import run_builtin

pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")

WORDS = {
    "food": {
        "en": ["I ate {x} for lunch", "The {x} was delicious", "We cooked {x} at home", "This {x} tastes sweet"],
        "ko": ["점심으로 {x}을 먹었어요", "{x}이 정말 맛있었다", "집에서 {x}을 요리했어요", "이 {x}은 달콤해요"],
        "x_en": ["pizza", "kimchi", "noodles", "rice", "bread", "soup"],
        "x_ko": ["피자", "김치", "국수", "밥", "빵", "된장국"],
    },
    "weather": {
        "en": ["It is {x} today", "Tomorrow will be {x} and windy", "The sky looks {x}", "Expect a {x} morning"],
        "ko": ["오늘은 날씨가 {x}", "내일은 {x} 바람이 불어요", "하늘이 {x} 보여요", "아침에는 {x} 예정이에요"],
        "x_en": ["rainy", "sunny", "cloudy", "snowy", "cold", "hot"],
        "x_ko": ["흐려요", "맑아요", "비가 와요", "눈이 와요", "추워요", "더워요"],
    },
    "sports": {
        "en": [
            "Our team won the {x} match",
            "He plays {x} every weekend",
            "The {x} game ended late",
            "She scored in {x}",
        ],
        "ko": [
            "우리 팀이 {x} 경기에서 이겼다",
            "그는 주말마다 {x}를 한다",
            "{x} 경기가 늦게 끝났어요",
            "그녀가 {x}에서 골을 넣었다",
        ],
        "x_en": ["soccer", "baseball", "basketball", "tennis", "volleyball", "hockey"],
        "x_ko": ["축구", "야구", "농구", "테니스", "배구", "하키"],
    },
}


def texts(per_language: int = 15, seed: int = 3):
    """``[(class, text)]``: English and Korean sentences of each class."""
    rng = random.Random(seed)
    found = []
    for label, words in WORDS.items():
        for language in ("en", "ko"):
            for _ in range(per_language):
                found.append((label, rng.choice(words[language]).format(x=rng.choice(words[f"x_{language}"]))))
    return found


def test_text_folders_of_english_and_korean_reach_the_holdout_accuracy(tmp_path):
    data = tmp_path / "texts"
    for index, (label, text) in enumerate(texts()):
        (data / label).mkdir(parents=True, exist_ok=True)
        (data / label / f"{index:03d}.txt").write_text(text, encoding="utf-8")
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
