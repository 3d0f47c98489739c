"""A window's logged inputs and predictions, read straight from the bridge's SQLite file,
read-only (the bridge keeps writing; WAL lets both go on), one query for the whole window.

The payload table is ``inference_payloads`` (payload logging, issue 18 part 2): one row per
logged request, its ``instances`` and ``predictions`` as JSON text. Rows cut by the size cap
(``truncated``) and error answers are left out: their instances aren't whole.
"""

from __future__ import annotations

import sqlite3
from typing import Any, List, NamedTuple, Optional

try:  # several times faster on a window of 100,000 requests; the standard module otherwise
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    from json import loads as _loads

from . import DriftError


class Logged(NamedTuple):
    instances: List[Any]
    predictions: List[Any]
    skipped: int  # requests left out: truncated ones, error answers


QUERY = (
    "SELECT instances, predictions FROM inference_payloads "
    "WHERE stage_id = ? AND time >= ? AND time < ? AND truncated = 0 AND status >= 200 AND status < 300 "
    "ORDER BY seq"
)
SKIPPED = (
    "SELECT count(*) FROM inference_payloads WHERE stage_id = ? AND time >= ? AND time < ? "
    "AND NOT (truncated = 0 AND status >= 200 AND status < 300)"
)


def connect(db: str) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as error:
        raise DriftError(f"cannot open the payload log: {error}", 500, None) from None


def read(db: str, stage_id: str, start: str, end: str, limit: Optional[int] = None) -> Logged:
    """All the window's logged instances (flattened: a request of 3 instances gives 3) and the
    predictions beside them (None where a request's answer had fewer)."""
    connection = connect(db)
    try:
        rows = connection.execute(QUERY, (stage_id, start, end)).fetchall()
        skipped = connection.execute(SKIPPED, (stage_id, start, end)).fetchone()[0]
    except sqlite3.Error as error:
        raise DriftError(f"cannot read the payload log: {error}", 500, None) from None
    finally:
        connection.close()
    if limit is not None and len(rows) > limit:
        # an evenly spaced sample of the requests keeps the window's time spread
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    # one parse for the window: joining the texts costs less than a call per row
    instances = _loads("[" + ",".join(r[0] or "null" for r in rows) + "]")
    predictions = _loads("[" + ",".join(r[1] or "null" for r in rows) + "]")
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
    return Logged(flat_instances, flat_predictions, skipped)


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
