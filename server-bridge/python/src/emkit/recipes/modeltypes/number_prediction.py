"""number-prediction: linear regression of a table's target column on its numeric features."""

from __future__ import annotations

from ..context import Context
from ..data import numeric
from ..split import holdout_split
from ..trained import TableHoldout, TrainedModel
from . import _tables


def train(context: Context) -> TrainedModel:
    from sklearn.linear_model import LinearRegression

    params = context.params
    target = params["target"]
    frame, features, path = _tables.read(context, target)
    X = numeric(frame, features, path)
    y = numeric(frame, [target], path, hint="the target of a number prediction must be a number")[:, 0]
    train_rows, held = holdout_split(len(y), context.holdout, context.seed)
    model = _tables.pipeline(params["scale"], LinearRegression())
    model.fit(X[train_rows], y[train_rows])
    r2 = float(model.score(X[train_rows], y[train_rows]))
    context.metric("r2", r2, 0)
    context.log(
        f"linear regression on {len(train_rows)} rows of {len(features)} features; "
        f"training R² {r2:.4f}; {len(held)} rows held out"
    )
    return TrainedModel("row", _tables.saver(model), TableHoldout(frame.iloc[held], features, target), columns=features)


load = _tables.load


def predict(state, instances: list) -> list:
    return state["model"].predict(_tables.rows(state, instances)).tolist()
