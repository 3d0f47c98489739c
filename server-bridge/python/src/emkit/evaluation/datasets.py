"""Test datasets, read batch by batch: CSV and Parquet tables, JSONL lines, class folders.

One seam: ``open_dataset(data) -> Dataset``; ``Dataset.batches(rows)`` yields ``Batch``es of
at most ``rows`` rows, so no more than that is ever held for the model's input, and
``Dataset.sha256`` is the hash of what was read, computed on the way (a folder: of each
relative path, NUL, the file's sha256 and a newline, in row order). ``peek(data)`` reads only
a header, a first line or a folder listing, for the bridge's check at create time.

A folder's instances go through ``decode``: by default an image or a WAV file is the quick
test's upload object ``{"b64", "filename", "contentType"}``, a .txt file its text, any other file
its path (what a custom predict.py reads itself); ``register_decoder`` adds or replaces one.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Callable, Dict, Iterator, List, Optional, cast

CHUNK = 1 << 20
SUFFIXES = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
DEFAULT_LABEL = "label"


class DatasetError(ValueError):
    """The data can't be read as asked; ``field`` is the EvaluationCreate field to fix."""

    def __init__(self, message: str, field: str = "data"):
        super().__init__(message)
        self.field = field


class Batch:
    """``instances``: a pandas DataFrame of the feature columns (tables), else a list (JSONL
    instances, decoded folder files). ``labels``: a numpy array, or None without labels.
    ``start``: the first row's index in the dataset; ``rows`` the indices of all."""

    def __init__(self, instances: Any, labels: Any, start: int):
        self.instances = instances
        self.labels = labels
        self.start = start

    def __len__(self) -> int:
        return len(self.instances)

    @property
    def rows(self) -> range:
        return range(self.start, self.start + len(self))


class Preview:
    """What ``peek`` found: the format, the columns (tables) or classes (folders), whether
    there are labels, and the label and feature columns a table's batches would use."""

    def __init__(self, data_format: str, columns=None, classes=None, label=None, features=None, has_labels=True):
        self.format = data_format
        self.columns: Optional[List[str]] = columns
        self.classes: Optional[List[str]] = classes
        self.label: Optional[str] = label
        self.features: Optional[List[str]] = features
        self.has_labels = has_labels


# --- decoders: what a folder's file becomes as a model's instance -----------------------------

_DECODERS: Dict[str, Callable[[str], Any]] = {}


def register_decoder(suffixes, decode: Callable[[str], Any]) -> None:
    """Make files with these suffixes (".png", ".wav"…) ``decode(path)`` as instances."""
    for suffix in suffixes:
        _DECODERS[suffix.lower()] = decode


def decode(path: str) -> Any:
    """A folder file as the model's instance: its registered decoder's, else its path (what a
    custom predict.py reads itself)."""
    decoder = _DECODERS.get(os.path.splitext(path)[1].lower())
    return decoder(path) if decoder is not None else path


# what a built-in recipe's model takes raw (emkit.recipes.serving): the same object as the
# quick test's file upload sends, and a text file's text
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".wav": "audio/wav",
    ".wave": "audio/wav",
}


def upload_object(path: str) -> Dict[str, str]:
    """``{"b64", "filename", "contentType"}`` of a file."""
    import base64

    with open(path, "rb") as file:
        data = base64.b64encode(file.read()).decode("ascii")
    content_type = MEDIA_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
    return {"b64": data, "filename": os.path.basename(path), "contentType": content_type}


def text_file(path: str) -> str:
    """A .txt file's text (UTF-8, a byte-order mark dropped)."""
    try:
        with open(path, encoding="utf-8-sig") as file:
            return file.read()
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path} isn't UTF-8 text: {error.reason} at byte {error.start}") from None


register_decoder(list(MEDIA_TYPES), upload_object)
register_decoder([".txt"], text_file)


# --- the formats ----------------------------------------------------------------------------


def data_format(data) -> str:
    """The format asked for, else the one the path's suffix (or being a folder) says."""
    if data.format is not None:
        return data.format
    if os.path.isdir(data.path):
        return "folder"
    suffix = os.path.splitext(data.path)[1].lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise DatasetError(
        f"can't tell the format of {data.path} from its name: give format (csv, parquet, jsonl or folder)", "format"
    )


def _check_readable(path: str, folder: bool) -> None:
    if not os.path.exists(path):
        raise DatasetError(f"{path} doesn't exist")
    if folder and not os.path.isdir(path):
        raise DatasetError(f"{path} isn't a folder: a folder dataset has one subfolder per class")
    if not folder and os.path.isdir(path):
        raise DatasetError(f"{path} is a folder: give format folder, or a file")
    if not os.access(path, os.R_OK | (os.X_OK if folder else 0)):
        raise DatasetError(f"{path} can't be read (permission denied)")
    if not folder and os.path.getsize(path) == 0:
        raise DatasetError(f"{path} is empty")


def peek(data) -> Preview:
    """The header, first line or folder listing only: fast, for the check at create time."""
    kind = data_format(data)
    _check_readable(data.path, kind == "folder")
    if kind == "folder":
        classes = sorted(_class_files(data.path))
        return Preview(kind, classes=classes, has_labels=True)
    if kind == "jsonl":
        first = _first_jsonl_row(data.path)
        return Preview(kind, has_labels="label" in first)
    columns = _table_columns(data.path, kind)
    return _table_preview(kind, columns, data)


def _table_preview(kind: str, columns: List[str], data) -> Preview:
    label = data.label if data.label is not None else (DEFAULT_LABEL if DEFAULT_LABEL in columns else None)
    found = ", ".join(columns[:50]) + (", …" if len(columns) > 50 else "")
    if label is not None and label not in columns:
        raise DatasetError(f'no label column "{label}" in {data.path}: its columns are {found}', "label")
    if data.features is not None:
        missing = [f for f in data.features if f not in columns]
        if missing:
            raise DatasetError(
                f"feature column{'s' if len(missing) > 1 else ''} {', '.join(missing)} not in {data.path}: "
                f"its columns are {found}",
                "features",
            )
        if label is not None and label in data.features:
            raise DatasetError(f'the label column "{label}" is also among the features', "features")
    features = data.features or [c for c in columns if c != label]
    if not features:
        raise DatasetError(f"{data.path} has no feature columns besides the label {label!r}", "features")
    return Preview(kind, columns=columns, label=label, features=features, has_labels=label is not None)


def _table_columns(path: str, kind: str) -> List[str]:
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except Exception as error:
            raise DatasetError(f"{path} isn't a readable Parquet file: {_line(error)}") from None
    import pandas

    try:
        return [str(c) for c in pandas.read_csv(path, nrows=0).columns]
    except pandas.errors.EmptyDataError:
        raise DatasetError(f"{path} is empty: a CSV file needs a header line") from None
    except (ValueError, UnicodeDecodeError, pandas.errors.ParserError) as error:
        raise DatasetError(f"{path} isn't a readable CSV file: {_line(error)}") from None


def _first_jsonl_row(path: str) -> dict:
    with open(path, "rb") as file:
        for number, line in enumerate(file, 1):
            if line.strip():
                return _jsonl_row(line, number, path)
    raise DatasetError(f"{path} is empty: it has no JSON lines")


def _jsonl_row(line: bytes, number: int, path: str) -> dict:
    try:
        row = json.loads(line)
    except ValueError as error:
        raise DatasetError(f"line {number} of {path} isn't JSON: {_line(error)}") from None
    if not isinstance(row, dict) or "instance" not in row:
        raise DatasetError(f'line {number} of {path} isn\'t an object with an "instance" (and a "label")')
    return row


def _class_files(path: str) -> Dict[str, List[str]]:
    """{class: [relative paths, sorted]} for each non-hidden subfolder (files found recursively)."""
    classes = {}
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        files = []
        for root, dirs, names in os.walk(entry.path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            files.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
        classes[entry.name] = [os.path.relpath(f, path) for f in files]
    if not classes:
        raise DatasetError(f"{path} has no class subfolders: a folder dataset has one subfolder per class")
    return classes


class _HashingReader:
    """A binary file whose every byte read goes through sha256 (pandas reads CSV through it)."""

    def __init__(self, path: str):
        self.file = open(path, "rb")  # noqa: SIM115 (closed by close(), after the last batch)
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.hash.update(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self.file.readline(size)
        self.hash.update(line)
        return line

    def __iter__(self):
        return iter(self.readline, b"")

    def finish(self) -> str:
        """Hash what no reader asked for (a trailing part), close, and give the digest."""
        while True:
            chunk = self.file.read(CHUNK)
            if not chunk:
                break
            self.hash.update(chunk)
        self.file.close()
        return self.hash.hexdigest()

    def close(self) -> None:
        self.file.close()


def file_sha256(path: str) -> str:
    with open(path, "rb") as file:
        return stream_sha256(file)


def stream_sha256(file) -> str:
    """The sha256 of what is left of an open binary file, read in chunks."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def folder_entry(relative: str, sha256: str) -> bytes:
    """One file's part of a folder's hash: its '/'-separated relative path, NUL, its sha256, a newline.
    A folder's sha256 is that of these lines in order (the datasets' scanner hashes folders the same way,
    so a dataset and an evaluation of the same class folders line up on one hash)."""
    return f"{relative}\0{sha256}\n".encode()


class Dataset:
    def __init__(self, data, preview: Preview):
        self.path = data.path
        self.format = preview.format
        self.preview = preview
        self.label = preview.label
        self.features = preview.features
        self.has_labels = preview.has_labels
        self.sha256: Optional[str] = None  # once every batch was read

    def use_features(self, features: List[str]) -> None:
        """Read these columns (the model's own names, in its order) as the instances."""
        self.features = features

    def batches(self, rows: int) -> Iterator[Batch]:
        reader = {"csv": self._csv, "parquet": self._parquet, "jsonl": self._jsonl, "folder": self._folder}
        return reader[self.format](rows)

    def _table_batch(self, frame, start: int) -> Batch:
        labels = None
        if self.label is not None:
            column = frame[self.label]
            if column.isna().any():
                row = start + int(column.isna().to_numpy().argmax())
                raise DatasetError(f'row {row} of {self.path} has no label (column "{self.label}" is empty)', "label")
            labels = column.to_numpy()
        return Batch(frame[self.features], labels, start)

    def _csv(self, rows: int) -> Iterator[Batch]:
        import pandas

        reader = _HashingReader(self.path)
        start = 0
        try:
            with pandas.read_csv(cast(Any, reader), chunksize=rows) as chunks:
                for frame in chunks:
                    yield self._table_batch(frame, start)
                    start += len(frame)
        except (pandas.errors.ParserError, UnicodeDecodeError) as error:
            reader.close()
            raise DatasetError(f"{self.path} isn't a readable CSV file: {_line(error)}") from None
        except BaseException:
            reader.close()
            raise
        self.sha256 = reader.finish()

    def _parquet(self, rows: int) -> Iterator[Batch]:
        import pyarrow.parquet as pq

        columns = list(self.features or []) + ([self.label] if self.label is not None else [])
        start = 0
        # pyarrow decodes a row group's columns, then slices them into batches: the model's
        # input is `rows` rows, the Arrow buffers beneath at most one row group
        with pq.ParquetFile(self.path) as parquet:
            for record_batch in parquet.iter_batches(batch_size=rows, columns=columns):
                frame = record_batch.to_pandas()
                yield self._table_batch(frame, start)
                start += len(frame)
        # Parquet is read footer first, by column chunk, not in byte order: hash it in one more pass
        self.sha256 = file_sha256(self.path)

    def _jsonl(self, rows: int) -> Iterator[Batch]:
        reader = _HashingReader(self.path)
        instances: list = []
        labels: list = []
        start = 0
        try:
            for number, line in enumerate(reader, 1):
                if not line.strip():
                    continue
                row = _jsonl_row(line, number, self.path)
                if self.has_labels:
                    if "label" not in row or row["label"] is None:
                        raise DatasetError(f'line {number} of {self.path} has no "label"', "label")
                    labels.append(row["label"])
                instances.append(row["instance"])
                if len(instances) == rows:
                    yield Batch(instances, _label_array(labels) if self.has_labels else None, start)
                    start += len(instances)
                    instances, labels = [], []
            if instances:
                yield Batch(instances, _label_array(labels) if self.has_labels else None, start)
        except BaseException:
            reader.close()
            raise
        self.sha256 = reader.finish()

    def _folder(self, rows: int) -> Iterator[Batch]:
        import numpy

        digest = hashlib.sha256()
        instances: list = []
        labels: list = []
        start = 0
        for label, files in _class_files(self.path).items():
            for relative in files:
                path = os.path.join(self.path, relative)
                digest.update(folder_entry(relative, file_sha256(path)))
                instances.append(decode(path))
                labels.append(label)
                if len(instances) == rows:
                    yield Batch(instances, numpy.asarray(labels, dtype=object), start)
                    start += len(instances)
                    instances, labels = [], []
        if instances:
            yield Batch(instances, numpy.asarray(labels, dtype=object), start)
        self.sha256 = digest.hexdigest()


def _label_array(labels: list):
    """JSON labels as a numpy array: numbers as numbers, anything mixed as objects."""
    import numpy

    kinds = {type(label) for label in labels}
    if kinds <= {int} or kinds <= {int, float} or kinds <= {str} or kinds <= {bool}:
        return numpy.asarray(labels)
    return numpy.asarray(labels, dtype=object)


def open_dataset(data) -> Dataset:
    """``data`` is the spec's ``data`` (path, format, label, features)."""
    preview = peek(data)
    return Dataset(data, preview)


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
