"""text-classification: character n-grams (TF-IDF, 1 to ``ngram_max``) and a logistic
regression, from class folders of .txt files or a table's text and label columns. Character
n-grams need no word splitting, so Korean and English (and a mix) work alike."""

from __future__ import annotations

import os
import unicodedata
from typing import Any, List, Tuple

from .. import data
from ..context import Context
from ..split import holdout_split
from ..trained import FilesHoldout, TableHoldout, TrainedModel

MODEL_FILE = "model.joblib"
SUFFIXES = (".txt",)


def normalise(text: str) -> str:
    """One form for the same text: composed Hangul (a macOS file's is decomposed), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def train(context: Context) -> TrainedModel:
    kind, path = data.locate(context.data_path)
    files: List[str] = []
    frame: Any = None
    if kind == "folders":
        texts, labels, files = _read_folders(context, path)
    else:
        texts, labels, frame = _read_table(context, path)
    data.require_classes(labels, path)
    train_rows, held = holdout_split(len(labels), context.holdout, context.seed, labels)
    model = _pipeline(context)
    model.fit([texts[i] for i in train_rows], [labels[i] for i in train_rows])
    accuracy = float(model.score([texts[i] for i in train_rows], [labels[i] for i in train_rows]))
    context.metric("accuracy", accuracy, 0)
    context.log(
        f"character 1-{context.params['ngram_max']}-grams and a logistic regression (C={context.params['C']}) "
        f"on {len(train_rows)} texts; training accuracy {accuracy:.4f}; {len(held)} texts held out"
    )
    if kind == "folders":
        holdout = FilesHoldout([(files[i], labels[i]) for i in held])
    else:
        params = context.params
        holdout = TableHoldout(frame.iloc[held], [params["text"]], params["label"])

    def save(model_dir: str) -> None:
        import joblib

        joblib.dump(model, os.path.join(model_dir, MODEL_FILE))

    return TrainedModel("text", save, holdout, classes=model.classes_.tolist())


def _pipeline(context: Context):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, context.params["ngram_max"]), preprocessor=normalise, sublinear_tf=True
    )
    return Pipeline([("ngrams", vectorizer), ("model", LogisticRegression(C=context.params["C"], max_iter=5000))])


def _read_text(file: str) -> str:
    with open(file, encoding="utf-8-sig") as handle:
        text = handle.read()
    if not text.strip():
        raise data.Unreadable("empty")
    return text


def _read_folders(context: Context, path: str) -> Tuple[List[str], List[str], List[str]]:
    found = data.read_class_folders(context, path, SUFFIXES, "text", _read_text)
    return [f.value for f in found], [f.label for f in found], [f.path for f in found]


def _read_table(context: Context, path: str):
    params = context.params
    frame = data.read_table(path)
    data.require_columns(frame, [params["text"]], "text", path)
    data.require_columns(frame, [params["label"]], "label", path)
    labels = data.labels(frame, params["label"], path)
    texts = frame[params["text"]].fillna("").astype(str).tolist()
    return texts, labels, frame


def load(model_dir: str, recipe: dict):
    import joblib

    return joblib.load(os.path.join(model_dir, MODEL_FILE))


def _texts(instances: list) -> List[str]:
    from ..serving import instance_text

    return [instance_text(instance, index) for index, instance in enumerate(instances)]


def predict(model, instances: list) -> list:
    return model.predict(_texts(instances)).tolist()


def predict_scores(model, instances: list):
    scores = model.predict_proba(_texts(instances))
    return model.classes_.take(scores.argmax(axis=1)).tolist(), scores.tolist()
