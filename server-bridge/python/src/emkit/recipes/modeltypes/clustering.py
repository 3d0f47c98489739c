"""clustering: k-means on a table's numeric columns; a prediction is a cluster id (0 to k-1)."""

from __future__ import annotations

from typing import Any

from ..context import Context, RecipeError
from ..data import numeric
from ..split import holdout_split
from ..trained import TableHoldout, TrainedModel
from . import _tables

SILHOUETTE_SAMPLE = 10_000
# ten starts, the best kept: steadier clusters than "auto"'s one start (typed as a str there)
N_INIT: Any = 10


def train(context: Context) -> TrainedModel:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    params = context.params
    frame, features, path = _tables.read(context, None, numeric_only=True)
    X = numeric(frame, features, path)
    train_rows, held = holdout_split(len(X), context.holdout, context.seed)
    k = params["k"]
    if k >= len(train_rows):
        rows = len(train_rows)
        raise RecipeError(f"k={k} clusters need more than the {rows} training rows: lower k or give more data")
    model = _tables.pipeline(params["scale"], KMeans(n_clusters=k, n_init=N_INIT, random_state=context.seed))
    model.fit(X[train_rows])
    assigned = model.named_steps["model"].labels_
    scaled = model.named_steps["scale"].transform(X[train_rows]) if params["scale"] else X[train_rows]
    found = len(set(assigned.tolist()))
    silhouette = None
    if 1 < found < len(assigned):
        sample = min(SILHOUETTE_SAMPLE, len(assigned))
        silhouette = float(silhouette_score(scaled, assigned, sample_size=sample, random_state=context.seed))
        context.metric("silhouette", silhouette, 0)
    context.log(
        f"k-means (k={k}) on {len(train_rows)} rows of {len(features)} columns ({', '.join(features[:20])}); "
        f"training silhouette {'n/a' if silhouette is None else f'{silhouette:.4f}'}; {len(held)} rows held out"
    )
    return TrainedModel("row", _tables.saver(model), TableHoldout(frame.iloc[held], features, None), columns=features)


load = _tables.load


def predict(state, instances: list) -> list:
    return state["model"].predict(_tables.rows(state, instances)).tolist()
