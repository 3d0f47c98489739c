"""Training data for the built-in recipes' tests and benchmark (test/bench/recipes-bench.py),
made here or shipped by scikit-learn: iris and diabetes as CSV, short English and Korean texts."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, cast

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


def write_text_folders(folder: Path, per_language: int = 15, seed: int = 3) -> Path:
    """A class-folder tree of .txt files, one text each."""
    for index, (label, text) in enumerate(texts(per_language, seed)):
        (folder / label).mkdir(parents=True, exist_ok=True)
        (folder / label / f"{index:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def iris_csv(path: Path) -> Path:
    """iris with short column names and the species by name: four measurements and "species"."""
    from sklearn.datasets import load_iris

    iris: Any = load_iris(as_frame=True)
    frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    frame["species"] = [iris.target_names[t] for t in frame.pop("target")]
    frame.to_csv(path, index=False)
    return path


def diabetes_csv(path: Path) -> Path:
    """diabetes: ten numeric features and "target"."""
    from sklearn.datasets import load_diabetes

    cast(Any, load_diabetes(as_frame=True)).frame.to_csv(path, index=False)
    return path
