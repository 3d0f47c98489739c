"""The input, read in order, batch by batch: a CSV, Parquet or JSONL table, or a folder of files.

``open_input(spec)`` checks that the input can be read; ``Input.count()`` gives the number of
items (a table's data lines, a folder's files) and ``Input.batches(size, skip)`` yields
``Items`` of at most ``size`` readable items each, with the keys of the items that could not be
read and why, starting at batch ``skip`` (what a resumed job has already written). The same
input read with the same size always gives the same batches, so a resumed job starts exactly
where the recorded batches end.

Keys: a table's row number (0-based: a CSV's data records, header excluded — a quoted field
may hold newlines, so a record may be several lines —, a JSONL file's lines), a folder's file
by its path relative to the folder, with "/" between parts.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import warnings
from typing import Any, Iterator, List, Optional, Tuple

from ..evaluation.datasets import DatasetError, decode
from ..serving.loaders import first_line

# pandas' C parser says so for a line with more fields than the header (on_bad_lines="warn")
SKIPPED_LINE = re.compile(r"Skipping line (\d+): (.*)")


class Items:
    """One batch read: ``data`` (a pandas DataFrame of a table's rows, or a list: JSONL
    objects, decoded files) holds the readable items, whose keys are ``keys``; ``bad`` the
    ``(key, reason)`` of the others."""

    def __init__(self, index: int, keys: List[Any], data: Any, bad: List[Tuple[Any, str]]):
        self.index = index
        self.keys = keys
        self.data = data
        self.bad = bad

    @property
    def size(self) -> int:
        return len(self.keys) + len(self.bad)


class Input:
    def __init__(self, path: str, kind: str):
        self.path = path
        self.format = kind

    def count(self) -> Optional[int]:
        counter = {"csv": _count_csv, "parquet": _count_parquet, "jsonl": _count_jsonl, "files": _count_files}
        try:
            return counter[self.format](self.path)
        except (OSError, ValueError) as error:
            print(f"[emkit] could not count the items of {self.path}: {first_line(error)}", file=sys.stderr)
            return None

    def batches(self, size: int, skip: int = 0) -> Iterator[Items]:
        reader = {"csv": _csv, "parquet": _parquet, "jsonl": _jsonl, "files": _files}
        return reader[self.format](self.path, size, skip)


def open_input(path: str, kind: str) -> Input:
    folder = kind == "files"
    if not os.path.exists(path):
        raise DatasetError(f"the input {path} doesn't exist", "input")
    if folder != os.path.isdir(path):
        raise DatasetError(f"the input {path} is {'not ' if folder else ''}a folder", "input")
    if not os.access(path, os.R_OK | (os.X_OK if folder else 0)):
        raise DatasetError(f"the input {path} can't be read (permission denied)", "input")
    return Input(path, kind)


# --- tables ---------------------------------------------------------------------------------------


def _csv(path: str, size: int, skip: int) -> Iterator[Items]:
    import pandas

    total, long_rows = scan_csv(path)
    skipped = set(long_rows)
    good = (key for key in range(total) if key not in skipped)
    pending = list(long_rows)  # reported with the batch they fall in, in order
    index = 0
    # the long rows are left out for pandas, which cuts a chunk's first row to the header's width without a word;
    # blank lines are rows (of nothing), so that a row's key is its data line's number
    reader = pandas.read_csv(
        path,
        chunksize=size,
        on_bad_lines="warn",
        skip_blank_lines=False,
        skiprows=[key + 1 for key in long_rows],
    )
    with reader:
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    frame = next(reader)
                except StopIteration:
                    break
                except (pandas.errors.ParserError, UnicodeDecodeError) as error:
                    raise DatasetError(f"{path} can't be read as CSV: {first_line(error)}") from None
            for line in _skipped_lines(caught):  # the scan missed it (a malformed quote): said, not keyed
                print(f"[emkit] pandas skipped line {line} of {path}", file=sys.stderr)
            keys = [key for _, key in zip(range(len(frame)), good)]
            last = keys[-1] if keys else total
            bad = [(key, LONG_ROW) for key in pending if key < last]
            pending = pending[len(bad) :]
            if index >= skip:
                yield Items(index, keys, frame.reset_index(drop=True), bad)
            index += 1
    if pending and index >= skip:  # long rows after the last good one
        yield Items(index, [], [], [(key, LONG_ROW) for key in pending])


LONG_ROW = "unparseable row: more fields than the header"


@functools.lru_cache(maxsize=4)  # counted, then read: one scan per job
def scan_csv(path: str) -> Tuple[int, List[int]]:
    """(the data rows, the keys of those with more fields than the header), by one pass over the records: a row
    is a record, which a quoted field holding newlines spreads over lines, so keys are record numbers (pandas'
    ``skiprows`` counts records too). Commas counted on a line with no quote; a record with one parsed by the csv
    module."""
    long_rows: List[int] = []
    count = -1  # the header is record -1
    width = 1
    with open(path, "rb") as file:
        for record in _records(file):
            fields = record.count(b",") + 1 if b'"' not in record else _width(record)
            if count < 0:
                width = fields
            elif fields > width:
                long_rows.append(count)
            count += 1
    return max(count, 0), long_rows


def _records(file) -> Iterator[bytes]:
    """The file's records: its lines, those of a quoted field that holds newlines put together (an odd count of
    quotes on a line opens or closes one; a doubled quote inside one counts twice)."""
    pending = None
    for line in file:
        odd = b'"' in line and line.count(b'"') % 2 == 1
        if pending is not None:
            pending += line
            if odd:
                yield pending
                pending = None
        elif odd:
            pending = line
        else:
            yield line
    if pending is not None:  # a quote left open at the end: the rest is its record
        yield pending


def _width(record: bytes) -> int:
    import csv
    import io

    text = record.decode("utf-8", errors="replace")
    return len(next(csv.reader(io.StringIO(text, newline="")), [])) or 1


def _skipped_lines(caught) -> List[int]:
    """The line numbers the parser skipped; other warnings are said on stderr."""
    bad = []
    for warning in caught:
        text = str(warning.message)
        found = [SKIPPED_LINE.match(line.strip()) for line in text.splitlines() if line.strip()]
        matches = [match for match in found if match is not None]
        if matches and len(matches) == len(found):
            bad.extend(int(match.group(1)) for match in matches)
        else:
            print(f"[emkit] {warning.category.__name__}: {first_line(warning.message)}", file=sys.stderr)
    return bad


def _parquet(path: str, size: int, skip: int) -> Iterator[Items]:
    import pyarrow.parquet as pq

    start = 0
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:
        raise DatasetError(f"{path} isn't a readable Parquet file: {first_line(error)}") from None
    with parquet:
        for index, batch in enumerate(parquet.iter_batches(batch_size=size)):
            count = batch.num_rows
            if index >= skip:
                yield Items(index, list(range(start, start + count)), batch.to_pandas(), [])
            start += count


def _jsonl(path: str, size: int, skip: int) -> Iterator[Items]:
    keys: list = []
    rows: list = []
    bad: list = []
    index = 0
    with open(path, "rb") as file:
        for key, line in enumerate(file):
            if not line.strip():
                continue
            if index >= skip:
                try:
                    rows.append(json.loads(line))
                    keys.append(key)
                except ValueError as error:
                    bad.append((key, f"unparseable row: {first_line(error)}"))
            else:
                keys.append(key)
            if len(keys) + len(bad) == size:
                if index >= skip:
                    yield Items(index, keys, rows, bad)
                keys, rows, bad = [], [], []
                index += 1
    if keys or bad:
        yield Items(index, keys, rows, bad)


def instance_of(row: Any) -> Any:
    """A JSONL line's instance: its "instance" where it has one, else the line itself (a row of columns)."""
    return row["instance"] if isinstance(row, dict) and "instance" in row else row


def _count_csv(path: str) -> int:
    return scan_csv(path)[0]


def _count_jsonl(path: str) -> int:
    with open(path, "rb") as file:
        return sum(1 for line in file if line.strip())


def _count_parquet(path: str) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


# --- folders of files -----------------------------------------------------------------------------


def folder_files(path: str) -> List[str]:
    """Every file under ``path`` (class subfolders are read through), hidden ones left out,
    as sorted relative paths with "/" between parts."""
    found = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            relative = os.path.relpath(os.path.join(root, name), path)
            found.append(relative.replace(os.sep, "/"))
    found.sort()
    return found


def _count_files(path: str) -> int:
    return len(folder_files(path))


def _files(path: str, size: int, skip: int) -> Iterator[Items]:
    files = folder_files(path)
    for index in range(skip, (len(files) + size - 1) // size):
        keys, instances, bad = [], [], []
        for relative in files[index * size : (index + 1) * size]:
            try:
                instances.append(decode(os.path.join(path, relative)))
                keys.append(relative)
            except (OSError, ValueError) as error:
                bad.append((relative, f"unreadable file: {first_line(error)}"))
        yield Items(index, keys, instances, bad)
