"""Error analysis: the misclassified (or worst-residual) rows, the worst first, at most a limit.

Kept while the batches go by: each batch offers its mistakes with a badness (the predicted
class's score, or the residual's size); only the worst ``limit`` of the batch are turned into
records (their instance as JSON, cut to INSTANCE_CHARS), and the kept list never grows past
``limit``. Ties go to the earlier row.
"""

from __future__ import annotations

import json
from typing import Any, List

from .plain import plain, scalar

INSTANCE_CHARS = 500


class Mistakes:
    def __init__(self, limit: int):
        self.limit = limit
        self.kept: List[tuple] = []  # (-badness, row, record)

    def offer(self, batch, where, badness, labels, predicted, confidence=None, residual=None) -> None:
        """``where``: the mistakes' positions in ``batch``; the arrays are the batch's, by position."""
        import numpy

        if self.limit == 0 or len(where) == 0:
            return
        if len(self.kept) == self.limit:
            # full: only a row worse than the least bad kept one can get in (a tie goes to the
            # earlier row, which is the kept one)
            where = where[numpy.asarray(badness)[where] > -self.kept[-1][0]]
            if len(where) == 0:
                return
        if len(where) > self.limit:
            # the worst `limit` of this batch; argpartition is O(rows), a full sort isn't needed
            keys = -numpy.asarray(badness)[where]
            chosen = numpy.argpartition(keys, self.limit - 1)[: self.limit]
            where = where[numpy.sort(chosen)]
        for i in where.tolist():
            record = {
                "row": batch.start + i,
                "instance": instance_text(batch.instances, i),
                "label": scalar(labels[i]),
                "predicted": scalar(predicted[i]),
                "confidence": scalar(confidence[i]) if confidence is not None else None,
                "residual": scalar(residual[i]) if residual is not None else None,
            }
            self.kept.append((-float(badness[i]), record["row"], record))
        self.kept.sort(key=lambda kept: kept[:2])
        del self.kept[self.limit :]

    def records(self) -> List[dict]:
        return [record for _, _, record in self.kept]


def instance_text(instances: Any, i: int) -> str:
    """Row i as JSON: a table's row as {column: value}, anything else as it is."""
    if hasattr(instances, "iloc"):
        row = instances.iloc[i]
        value = {str(k): v for k, v in zip(instances.columns, row.tolist())}
    else:
        value = instances[i]
    try:
        text = json.dumps(plain(value), ensure_ascii=False, allow_nan=False, default=str)
    except ValueError:
        text = json.dumps(str(value))
    return text if len(text) <= INSTANCE_CHARS else text[: INSTANCE_CHARS - 1] + "…"
