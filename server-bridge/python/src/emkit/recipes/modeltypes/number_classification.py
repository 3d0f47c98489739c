"""number-classification: k-nearest neighbours on a table's numeric feature columns."""

from __future__ import annotations

from ..context import Context, RecipeError
from ..data import labels, numeric, require_classes
from ..split import holdout_split
from ..trained import TableHoldout, TrainedModel
from . import _tables


def train(context: Context) -> TrainedModel:
    from sklearn.neighbors import KNeighborsClassifier

    params = context.params
    label = params["label"]
    frame, features, path = _tables.read(context, label)
    X = numeric(frame, features, path)
    y = labels(frame, label, path)
    require_classes(y, path)
    train_rows, held = holdout_split(len(y), context.holdout, context.seed, y)
    k = params["k"]
    if k > len(train_rows):
        raise RecipeError(f"k={k} is more than the {len(train_rows)} training rows: lower k or give more data")
    model = _tables.pipeline(params["scale"], KNeighborsClassifier(n_neighbors=k, weights=params["weights"]))
    y_array = frame[label].to_numpy()
    model.fit(X[train_rows], y_array[train_rows])
    accuracy = float(model.score(X[train_rows], y_array[train_rows]))
    context.metric("accuracy", accuracy, 0)
    context.log(
        f"k-NN (k={k}, {params['weights']}) on {len(train_rows)} rows of {len(features)} features; "
        f"training accuracy {accuracy:.4f}; {len(held)} rows held out"
    )
    classes = model.classes_.tolist()
    return TrainedModel(
        "row",
        _tables.saver(model),
        TableHoldout(frame.iloc[held], features, label),
        classes=classes,
        columns=features,
    )


load = _tables.load


def predict(state, instances: list) -> list:
    return state["model"].predict(_tables.rows(state, instances)).tolist()


def predict_scores(state, instances: list):
    model, matrix = state["model"], _tables.rows(state, instances)
    scores = model.predict_proba(matrix)
    return model.classes_.take(scores.argmax(axis=1)).tolist(), scores.tolist()
