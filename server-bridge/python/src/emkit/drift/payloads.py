"""A window's logged inputs and predictions, read straight from the bridge's SQLite file,
read-only (the bridge keeps writing; WAL lets both go on), one query for the whole window.

The payload table is ``inference_payloads`` (payload logging, issue 18 part 2): one row per
logged request, its ``instances`` and ``predictions`` as JSON text. Rows cut by the size cap
(``truncated``) and error answers are left out: their instances aren't whole.
"""

from __future__ import annotations

import sqlite3
from itertools import chain
from typing import Any, List, NamedTuple

try:  # several times faster on a window of 100,000 requests; the standard module otherwise
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    from json import loads as _loads

from . import DriftError


class Logged(NamedTuple):
    instances: List[Any]
    predictions: List[Any]
    skipped: int  # requests left out: truncated ones, error answers
    total: int  # the window's whole, answered inputs (more than ``instances`` when sampled)


# A window is judged on at most this many logged requests (every k-th by seq past it): memory and
# time stay bounded whatever the traffic (100,000 one-instance requests take about 1 s of CPU).
MAX_REQUESTS = 200_000


WHOLE = "truncated = 0 AND status >= 200 AND status < 300"
# One row for the whole window: SQLite joins the texts (in C) and both aggregates see the rows in
# the same order, so the n-th prediction list stays beside the n-th instances list. The rows come
# in the index's (time) order, not sorted again by seq (a sort of every row's text); each list is
# bracketed in SQL and handed over as bytes, which orjson parses without a UTF-8 decode and copy.
QUERY = (
    f"SELECT CAST('[' || coalesce(group_concat(CASE WHEN {WHOLE} THEN instances END, ','), '') || ']' AS BLOB), "
    f"CAST('[' || coalesce(group_concat(CASE WHEN {WHOLE} THEN coalesce(predictions, 'null') END, ','), '') || ']' "
    f"AS BLOB), sum(CASE WHEN {WHOLE} THEN 0 ELSE 1 END) "
    "FROM inference_payloads WHERE stage_id = ? AND time >= ? AND time < ? AND seq % ? = 0"
)
REQUESTS = "SELECT count(*) FROM inference_payloads WHERE stage_id = ? AND time >= ? AND time < ?"
INPUTS = (
    "SELECT coalesce(sum(json_array_length(instances)), 0) FROM inference_payloads "
    f"WHERE stage_id = ? AND time >= ? AND time < ? AND {WHOLE}"
)


def connect(db: str) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as error:
        raise DriftError(f"cannot open the payload log: {error}", 500, None) from None


def read(db: str, stage_id: str, start: str, end: str) -> Logged:
    """All the window's logged instances (flattened: a request of 3 instances gives 3) and the
    predictions beside them (None where a request's answer had fewer)."""
    connection = connect(db)
    window = (stage_id, start, end)
    try:
        requests = connection.execute(REQUESTS, window).fetchone()[0]
        step = -(-requests // MAX_REQUESTS)  # 1 while within the cap
        total = connection.execute(INPUTS, window).fetchone()[0] if step > 1 else None
        instances_text, predictions_text, skipped = connection.execute(QUERY, (*window, max(step, 1))).fetchone()
    except sqlite3.Error as error:
        raise DriftError(f"cannot read the payload log: {error}", 500, None) from None
    finally:
        connection.close()
    # one parse for the window: a call per row costs more than the parse itself
    instances = _loads(instances_text)
    predictions = _loads(predictions_text)
    skipped = skipped or 0
    # the types counted in C rather than a generator per row
    lists = set(map(type, instances)) <= {list} and set(map(type, predictions)) <= {list}
    if lists and list(map(len, instances)) == list(map(len, predictions)):
        # every request a list, every answer as long: flattened in C
        flat = list(chain.from_iterable(instances))
        return Logged(flat, list(chain.from_iterable(predictions)), skipped, len(flat) if total is None else total)
    flat_instances: List[Any] = []
    flat_predictions: List[Any] = []
    for request, answer in zip(instances, predictions):
        if not isinstance(request, list):
            skipped += 1
            continue
        flat_instances.extend(request)
        answered = answer if isinstance(answer, list) else []
        if len(answered) == len(request):
            flat_predictions.extend(answered)
        else:
            flat_predictions.extend([None] * len(request))
    return Logged(flat_instances, flat_predictions, skipped, len(flat_instances) if total is None else total)


def latest_instance(db: str, stage_id: str) -> Any:
    """The newest logged instance of the stage (its field names are the model's inputs when the
    model doesn't say them), or None."""
    connection = connect(db)
    try:
        row = connection.execute(
            "SELECT instances FROM inference_payloads WHERE stage_id = ? AND truncated = 0 "
            "AND status >= 200 AND status < 300 ORDER BY seq DESC LIMIT 1",
            (stage_id,),
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if row is None or row[0] is None:
        return None
    request = _loads(row[0])
    return request[0] if isinstance(request, list) and request else None
