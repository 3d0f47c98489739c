"""One window's drift: the logged inputs, feature by feature, against the reference; and the
logged predictions against the model's predictions on a sample of the reference."""

from __future__ import annotations

import json
import math
from itertools import chain
from operator import itemgetter
from typing import Any, Dict, List, Optional

import numpy

from . import DriftError, payloads, reference, stats

LABEL_COLUMNS = ("label", "target")
# the distinct numbers past which predictions are a quantity rather than class labels
CLASS_LIMIT = 20


def feature_names(instances: List[Any], inputs: Optional[List[str]], ref: reference.Reference) -> List[str]:
    """The model's inputs where it says them, else the logged instances' field names; positional
    instances take the reference's columns in order (without a label column)."""
    if inputs:
        return list(inputs)
    first = instances[0]
    if isinstance(first, dict):
        names: Dict[str, None] = {}
        for instance in instances[:1000]:
            if isinstance(instance, dict):
                names.update(dict.fromkeys(instance))
        missing = [n for n in names if n not in ref.columns]
        if missing:
            reference.check_inputs(ref.columns, list(names), ref.source)
        return list(names)
    columns = [c for c in ref.columns if c not in LABEL_COLUMNS]
    width = len(first) if isinstance(first, list) else 1
    if width == len(ref.columns):
        return list(ref.columns)
    if width == len(columns):
        return columns
    raise DriftError(
        f"the logged instances hold {width} value{'s' if width != 1 else ''} and the reference {ref.source} "
        f'has {len(ref.columns)} columns ({", ".join(ref.columns[:50])}): send instances as {{"column": value}} '
        "objects, or give a reference with the model's input columns"
    )


def _column(instances: List[Any], name: str, position: int) -> List[Any]:
    first = instances[0]
    if isinstance(first, dict):
        return [i.get(name) if isinstance(i, dict) else None for i in instances]
    if isinstance(first, list):
        return [i[position] if isinstance(i, list) and len(i) > position else None for i in instances]
    return instances


def _numbers(values: List[Any]) -> numpy.ndarray:
    try:
        return numpy.array(values, dtype=float)
    except (TypeError, ValueError):
        import pandas

        coerced = pandas.to_numeric(pandas.Series(values, dtype=object), errors="coerce")
        return numpy.asarray(coerced, dtype=float)


def _judged(name: str, kind: str, figures: stats.Figures, settings: dict) -> dict:
    p_value = figures.p_value if math.isfinite(figures.p_value) else 1.0
    drifted = figures.psi > settings["psiThreshold"] or p_value < settings["pValue"]
    return {
        "feature": name,
        "kind": kind,
        "psi": round(figures.psi, 6),
        "test": figures.test,
        "statistic": round(figures.statistic, 6) if math.isfinite(figures.statistic) else 0.0,
        "pValue": p_value,
        "drifted": bool(drifted),
    }


def _numeric_matrix(instances: List[Any], names: List[str], positions: List[int]) -> Optional[numpy.ndarray]:
    """The numeric features of every instance as one float matrix, in one pass (C-level item
    getters rather than a Python loop per value); None when some value isn't a plain number or
    some instance lacks one, and the columns are then read one by one."""
    if not names:
        return None
    first = instances[0]
    keys = names if isinstance(first, dict) else positions if isinstance(first, list) else None
    if keys is None:
        return None
    pick = itemgetter(*keys)
    values = map(pick, instances) if len(keys) > 1 else ((pick(i),) for i in instances)
    try:
        # straight into the array: no list of tuples for numpy to walk and measure first
        matrix = numpy.fromiter(chain.from_iterable(values), dtype=float, count=len(instances) * len(names))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return matrix.reshape(len(instances), len(names))


def feature_drift(ref: reference.Reference, instances: List[Any], names: List[str], settings: dict) -> List[dict]:
    numeric = [(p, n) for p, n in enumerate(names) if n in ref.numeric]
    matrix = _numeric_matrix(instances, [n for _, n in numeric], [p for p, _ in numeric])
    judged = []
    for index, (position, name) in enumerate(numeric):
        values = matrix[:, index] if matrix is not None else _numbers(_column(instances, name, position))
        judged.append(_judged(name, "numeric", stats.numeric(ref.numeric[name], values), settings))
    for position, name in enumerate(names):
        if name in ref.numeric:
            continue
        current = stats.counts(_column(instances, name, position))
        judged.append(_judged(name, "categorical", stats.categorical(ref.categorical[name], current), settings))
    return worst_first(judged)


def worst_first(features: List[dict]) -> List[dict]:
    return sorted(features, key=lambda f: (not f["drifted"], -f["psi"], f["pValue"]))


def _quantities(distinct: List[Any]) -> bool:
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in distinct):
        return False
    return any(isinstance(v, float) and not v.is_integer() for v in distinct) or len(distinct) > CLASS_LIMIT


def prediction_drift(expected: Optional[List[Any]], logged: List[Any], settings: dict) -> Optional[dict]:
    """The logged predictions against the model's own on the reference sample: numbers (a
    regression's) by KS, labels by chi-squared. None without both, or for non-scalar answers."""
    if not expected:
        return None
    seen = stats.typed_counts(logged)
    seen.pop((type(None), None), None)
    scalar = (str, int, float, bool)
    distinct = [value for kind, value in seen if kind in scalar]
    if not seen or len(distinct) < len(seen) or not all(isinstance(p, scalar) for p in expected):
        return None
    if _quantities(list(set(expected))):
        values = numpy.repeat(numpy.array(distinct, dtype=float), list(seen.values()))
        figures = stats.numeric(stats.NumericReference(_numbers(expected)), values)
        return _judged("prediction", "numeric", figures, settings)
    current: Dict[str, int] = {}
    for (_, value), count in seen.items():
        key = stats.category(value)
        current[key] = current.get(key, 0) + count
    figures = stats.categorical(stats.CategoricalReference(stats.counts(expected)), current)
    return _judged("prediction", "categorical", figures, settings)


def compute(spec: dict) -> dict:
    settings = {
        "psiThreshold": float(spec.get("psiThreshold", 0.2)),
        "pValue": float(spec.get("pValue", 0.01)),
        "minCount": int(spec.get("minCount", 100)),
    }
    ref = reference.load(spec["reference"])
    inputs = spec.get("inputs")
    if inputs:
        reference.check_inputs(ref.columns, inputs, ref.source, spec.get("inputsFrom"))
    logged = payloads.read(spec["db"], spec["stageId"], spec["start"], spec["end"])
    answer: Dict[str, Any] = {
        "ok": True,
        "reference": ref.summary(),
        "count": logged.total,
        "skipped": logged.skipped,
        "judged": False,
        "features": [],
        "prediction": None,
    }
    if len(logged.instances) < settings["minCount"]:
        return answer
    names = feature_names(logged.instances, inputs, ref)
    answer["features"] = feature_drift(ref, logged.instances, names, settings)
    answer["judged"] = True
    expected = None
    if spec.get("referencePredictions"):
        with open(spec["referencePredictions"], encoding="utf-8") as file:
            expected = json.load(file)
    answer["prediction"] = prediction_drift(expected, logged.predictions, settings)
    return answer


def check(spec: dict) -> dict:
    """The reference's header against the model's inputs (when known): the create/PATCH-time check."""
    given = spec["reference"]
    found = reference.columns(given["path"], given.get("format"), int(given.get("maxBytes") or (512 << 20)))
    if spec.get("inputs"):
        reference.check_inputs(found, spec["inputs"], given.get("source") or given["path"], spec.get("inputsFrom"))
    return {"ok": True, "columns": found}


def sample(spec: dict) -> dict:
    """Up to ``rows`` reference rows as the model's instances ({column: value}, in the model's
    inputs' order), written to ``output``: what the bridge asks the stage's model to predict."""
    given = spec["reference"]
    frame = reference.read_frame(given["path"], given.get("format"), int(given.get("maxBytes") or (512 << 20)))
    source = given.get("source") or given["path"]
    inputs = spec.get("inputs")
    if inputs:
        reference.check_inputs(list(frame.columns), inputs, source)
        names = list(inputs)
    else:
        latest = payloads.latest_instance(spec["db"], spec["stageId"]) if spec.get("db") else None
        if isinstance(latest, dict):
            names = list(latest)
            reference.check_inputs(list(frame.columns), names, source)
        else:
            names = [c for c in frame.columns if c not in LABEL_COLUMNS]
    rows = int(spec.get("rows", 1000))
    if len(frame) > rows:
        frame = frame.sample(n=rows, random_state=reference.SEED)
    chosen = frame[names]
    # empty cells as JSON null, numpy scalars as plain numbers (``_plain``)
    instances = [
        {name: (None if value != value else value) for name, value in zip(names, row)}
        for row in chosen.itertuples(index=False, name=None)
    ]
    with open(spec["output"], "w", encoding="utf-8") as file:
        json.dump(instances, file, default=_plain)
    return {"ok": True, "rows": len(instances), "columns": names}


def _plain(value):
    """numpy scalars (and timestamps) as JSON values."""
    item = getattr(value, "item", None)
    if item is not None:
        return item()
    return str(value)
