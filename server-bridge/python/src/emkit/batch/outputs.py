"""The predictions and errors files, appended batch by batch in order.

While the job runs, predictions go to ``partialFile`` (for Parquet: one part file per batch in
``partialFile``.parts/, since a Parquet file can't be appended to); ``finish`` gives it its
name, ``outputFile``, so a file by that name is always a whole job's output (or, after a stop,
the whole of what was scored, in order). errors.jsonl holds one ``{"key", "reason"}`` per bad
item. ``position`` is where each file ends after the batches written: what the manifest
records, and what a resumed job cuts the files back to.

A row: its key, the input's own fields (a table's columns, a JSONL line's object; nothing for a
file), ``prediction``, and ``scores`` where the model gives them (JSONL: ``{class: score}``;
CSV and Parquet: one ``score_<class>`` column per class).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from typing import Any, Optional

from . import faults
from .inputs import Items
from .scoring import JobError, Scored


class Position:
    def __init__(self, predictions: int = 0, errors: int = 0):
        self.predictions = predictions  # bytes, or for Parquet the number of part files
        self.errors = errors


class Output:
    def __init__(self, spec, resume: Optional[Position]):
        self.format = spec.output_format
        self.input_format = spec.input_format
        self.file = spec.output_file
        self.partial = spec.partial_file
        self.errors_file = spec.errors_file
        self.parts = f"{self.partial}.parts"
        os.makedirs(os.path.dirname(self.partial), exist_ok=True)
        start = resume or Position()
        _refuse_lost(self.partial, start.predictions, self.format == "parquet" and self.parts)
        _refuse_lost(self.errors_file, start.errors, None)
        if self.format == "parquet":
            self._cut_parts(start.predictions)
            self.predictions = None
        else:
            self.predictions = _open_at(self.partial, start.predictions)
        self.errors = _open_at(self.errors_file, start.errors)
        self.position = Position(start.predictions, start.errors)

    def write(self, items: Items, scored: Scored) -> int:
        """Appends one batch; the number of bad items it had."""
        bad = list(items.bad) + [(items.keys[p], reason) for p, reason in scored.bad]
        if bad:
            bad.sort(key=lambda entry: _order(entry[0]))
            self.errors.write("".join(json.dumps({"key": k, "reason": r}) + "\n" for k, r in bad).encode())
            self.errors.flush()
            self.position.errors = self.errors.tell()
        if scored.positions and self.format == "csv":
            self._write(_csv(*self._columns(items, scored), header=self.position.predictions == 0))
        elif scored.positions:
            frame = self._rows(items, scored)
            if self.format == "parquet":
                self._write_part(frame, items.index)
            else:
                self._append(frame)
        elif self.format == "parquet":
            self.position.predictions = items.index + 1  # no part file: an empty batch
        return len(bad)

    def sync(self) -> None:
        """Makes what was written durable (before the manifest records it)."""
        for file in (self.predictions, self.errors):
            if file is not None:
                file.flush()
                os.fsync(file.fileno())

    def finish(self) -> None:
        """The partial output becomes the output file, whole."""
        self.close()
        name_output(self.format, self.partial, self.file)

    def discard(self) -> None:
        """A failed job leaves no predictions that could pass for its output (its errors stay)."""
        self.close()
        with contextlib.suppress(OSError):
            os.unlink(self.partial)
        shutil.rmtree(self.parts, ignore_errors=True)

    def close(self) -> None:
        for file in (self.predictions, self.errors):
            if file is not None and not file.closed:
                file.close()

    # --- rows ----------------------------------------------------------------------------------

    def _rows(self, items: Items, scored: Scored):
        """The batch's rows as one pandas frame: the input's fields, with the key first and what the model gave."""
        frame, added = self._columns(items, scored)
        if "key" not in frame.columns:
            first, keys = added[0]
            frame.insert(0, first, keys)
            added = added[1:]
        for name, values in added:
            frame[name] = values
        return frame

    def _columns(self, items: Items, scored: Scored):
        """The input's fields of the rows scored (a frame, not to be changed: it may be the reader's own), and the
        columns added to them, in order: ``key`` (first, or in place of the input's own), ``prediction``, scores."""
        import pandas

        keys = [items.keys[p] for p in scored.positions]
        data = items.data
        if getattr(data, "columns", None) is not None:  # a table's rows, all their columns
            # the batch's frame is the reader's own, used once: no copy unless rows are left out
            frame = data.iloc[scored.positions].reset_index(drop=True) if scored.bad else data
        elif self.input_format == "jsonl":
            frame = pandas.DataFrame.from_records([_fields(data[p]) for p in scored.positions])
        else:  # a folder's decoded files aren't copied to the output: their key says which
            frame = pandas.DataFrame(index=range(len(keys)))
        added = [
            ("key", pandas.Series(keys, dtype=object if keys and isinstance(keys[0], str) else None)),
            ("prediction", scored.labels),
        ]
        if scored.scores is not None:
            classes = scored.classes or list(range(scored.scores.shape[1]))
            if self.format == "jsonl":
                names = [str(c) for c in classes]
                added.append(("scores", [dict(zip(names, row)) for row in scored.scores.tolist()]))
            else:
                added.extend((f"score_{column}", scored.scores[:, index]) for index, column in enumerate(classes))
        return frame, added

    def _append(self, frame) -> None:
        """JSONL lines (CSV goes through ``_csv``)."""
        text = frame.to_json(orient="records", lines=True, date_format="iso", double_precision=15, default_handler=str)
        if text and not text.endswith("\n"):
            text += "\n"
        self._write(text.encode())

    def _write(self, data: bytes) -> None:
        assert self.predictions is not None
        self.predictions.write(data)
        self.predictions.flush()
        self.position.predictions = self.predictions.tell()

    def _write_part(self, frame, index: int) -> None:
        import pyarrow
        import pyarrow.parquet as pq

        os.makedirs(self.parts, exist_ok=True)
        path = os.path.join(self.parts, f"{index:08d}.parquet")
        temporary = f"{path}.tmp"
        pq.write_table(pyarrow.Table.from_pandas(frame, preserve_index=False), temporary)
        with open(temporary, "rb") as file:
            os.fsync(file.fileno())
        os.replace(temporary, path)
        self.position.predictions = index + 1

    def _cut_parts(self, count: int) -> None:
        """Part files of batches past the ``count`` recorded ones were not recorded: they go."""
        if not os.path.isdir(self.parts):
            return
        for name in os.listdir(self.parts):
            stem = name.split(".", 1)[0]
            if not stem.isdigit() or int(stem) >= count or not name.endswith(".parquet"):
                os.unlink(os.path.join(self.parts, name))


def _csv(frame, added, header: bool) -> bytes:
    """CSV rows: the input's fields and the columns added, put together as an Arrow table (no copy of the frame)
    and written by pyarrow's writer (five times pandas' speed; strings quoted); by pandas for what Arrow can't type
    (a column of mixed values). The header as the csv module writes it (quoted only where it must be)."""
    import csv
    import io

    try:
        import pyarrow
        import pyarrow.csv
    except ImportError:
        return _pandas_csv(frame, added, header)
    try:
        table = pyarrow.Table.from_pandas(frame, preserve_index=False)
        for name, values in added:
            column = pyarrow.array(values)
            where = table.column_names.index(name) if name in table.column_names else -1
            if where >= 0:
                table = table.set_column(where, name, column)
            elif name == "key":
                table = table.add_column(0, name, column)
            else:
                table = table.append_column(name, column)
        sink = pyarrow.BufferOutputStream()
        pyarrow.csv.write_csv(table, sink, pyarrow.csv.WriteOptions(include_header=False))
        body = sink.getvalue().to_pybytes()
    except (ValueError, TypeError, pyarrow.ArrowException):
        return _pandas_csv(frame, added, header)
    if not header:
        return body
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow([str(c) for c in table.column_names])
    return head.getvalue().encode() + body


def _pandas_csv(frame, added, header: bool) -> bytes:
    frame = frame.copy()
    if "key" not in frame.columns:
        frame.insert(0, "key", added[0][1])
    for name, values in added:
        frame[name] = values
    return frame.to_csv(index=False, header=header).encode()


def _fields(row: Any) -> dict:
    """A JSONL line's fields for its output row: an object's own, anything else as its "instance"."""
    return row if isinstance(row, dict) else {"instance": row}


def _order(key):
    return (0, key, "") if isinstance(key, int) else (1, 0, str(key))


def _refuse_lost(path: str, recorded: int, parts) -> None:
    """What the manifest records must still be there: a file cut short (or gone) would leave a hole of zeros."""
    if recorded == 0:
        return
    if parts:
        found = len([n for n in os.listdir(parts) if n.endswith(".parquet")]) if os.path.isdir(parts) else 0
        have = found >= min(recorded, 1)
    else:
        have = os.path.exists(path) and os.path.getsize(path) >= recorded
    if not have:
        raise JobError(
            f"{path} no longer holds the {recorded} {'batches' if parts else 'bytes'} the manifest records: "
            "it was removed or cut short; run the job again",
            "output",
        )


def _open_at(path: str, size: int):
    """``path`` opened for appending from ``size`` bytes: what lies past them (a batch written
    but not recorded) is cut off; a fresh job (size 0) starts it empty."""
    # not through a link: a link planted in the output folder would have another file cut and written
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    file = os.fdopen(descriptor, "ab")
    file.truncate(size)
    file.seek(size)
    return file


def name_output(output_format: str, partial: str, target: str) -> None:
    """The partial output becomes ``target``; done again after a crash on the way, it ends what was begun (the
    manifest recorded the job's end first, so a partial file or parts found here are the whole output)."""
    parts = f"{partial}.parts"
    if output_format == "parquet" and (os.path.isdir(parts) or not (os.path.exists(partial) or os.path.exists(target))):
        _combine_parts(parts, partial)
        shutil.rmtree(parts, ignore_errors=True)
    if not os.path.exists(partial):
        if os.path.exists(target):
            return  # named before the crash
        open(partial, "wb").close()
    with open(partial, "rb") as file:
        os.fsync(file.fileno())
    faults.point("before-rename")
    os.replace(partial, target)
    faults.point("after-rename")


def _combine_parts(parts: str, target: str) -> None:
    import pyarrow
    import pyarrow.parquet as pq

    names = sorted(n for n in os.listdir(parts) if n.endswith(".parquet")) if os.path.isdir(parts) else []
    tables = [pq.read_table(os.path.join(parts, n)) for n in names]
    if not tables:
        pq.write_table(pyarrow.table({"key": pyarrow.array([], pyarrow.int64())}), target)
        return
    # a column all-null in one batch has another type there: one schema for all
    combined = pyarrow.concat_tables(tables, promote_options="default")
    pq.write_table(combined, target)
