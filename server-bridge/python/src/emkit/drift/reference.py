"""The reference table: read once (a regular file, within a size cap, at most ``MAX_ROWS``
rows sampled), summarised per column (``stats.NumericReference`` / ``CategoricalReference``)
and cached beside the stage's windows, keyed by the file's path, size and time, so a window
reads a small cache rather than the table."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections import OrderedDict
from typing import Dict, List, Optional

import numpy

from . import DriftError
from .stats import CategoricalReference, NumericReference, counts

MAX_ROWS = 100_000
SEED = 18
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CACHE_VERSION = 1
MAX_COLUMNS = 2000
# summaries a long-lived process keeps in memory (``serve``): a 100,000 x 20 one is about 16 MB
MEMORY_ENTRIES = 8
_memory: OrderedDict[str, Reference] = OrderedDict()


class Reference:
    def __init__(
        self,
        source: str,
        rows: int,
        columns: List[str],
        numeric: Dict[str, NumericReference],
        categorical: Dict[str, CategoricalReference],
    ):
        self.source = source
        self.rows = rows
        self.columns = columns
        self.numeric = numeric
        self.categorical = categorical

    def summary(self) -> dict:
        return {"source": self.source, "rows": self.rows, "columns": self.columns}


def _format(path: str, given: Optional[str]) -> str:
    if given in ("csv", "parquet", "jsonl"):
        return given
    kind = FORMATS.get(os.path.splitext(path)[1].lower())
    if kind is None:
        raise DriftError(f"{path} isn't a table emkit reads (.csv, .parquet or .jsonl)")
    return kind


def _open_regular(path: str, max_bytes: int):
    """The file, opened without following a link, refused if it isn't a regular file or is over the cap."""
    if not os.path.isabs(path):
        raise DriftError(f"{path} isn't an absolute path")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise DriftError(f"cannot read the reference {path}: {error.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise DriftError(f"the reference {path} isn't a regular file")
    if info.st_size > max_bytes:
        os.close(fd)
        raise DriftError(
            f"the reference {path} holds {info.st_size} bytes, over the {max_bytes >> 20} MB a reference may have"
        )
    if info.st_size == 0:
        os.close(fd)
        raise DriftError(f"the reference {path} is empty")
    return os.fdopen(fd, "rb"), info


def read_frame(path: str, data_format: Optional[str], max_bytes: int, header_only: bool = False):
    """The reference as a pandas DataFrame of at most MAX_ROWS rows (a seeded sample of a longer one)."""
    import pandas

    kind = _format(path, data_format)
    file, _ = _open_regular(path, max_bytes)
    with file:
        try:
            if kind == "csv":
                frame = pandas.read_csv(file, nrows=0 if header_only else None)
            elif kind == "parquet":
                import pyarrow.parquet as pq

                parquet = pq.ParquetFile(file)
                frame = parquet.schema_arrow.empty_table().to_pandas() if header_only else parquet.read().to_pandas()
            else:
                frame = pandas.read_json(file, lines=True, nrows=1 if header_only else None)
                if "instance" in frame.columns and len(frame) and isinstance(frame["instance"].iloc[0], dict):
                    # an evaluation's JSONL ({"instance": {...}, "label": ...}): its instances are the rows
                    frame = pandas.DataFrame(frame["instance"].tolist())
        except (ValueError, UnicodeDecodeError) as error:
            raise DriftError(f"the reference {path} isn't a readable {kind} table: {_line(error)}") from None
    frame.columns = [str(c) for c in frame.columns]
    if len(frame.columns) > MAX_COLUMNS:
        raise DriftError(f"the reference {path} has {len(frame.columns)} columns, over the {MAX_COLUMNS} watched")
    if not header_only and len(frame) > MAX_ROWS:
        frame = frame.sample(n=MAX_ROWS, random_state=SEED)
    return frame


def columns(path: str, data_format: Optional[str], max_bytes: int) -> List[str]:
    return list(read_frame(path, data_format, max_bytes, header_only=True).columns)


def check_inputs(
    reference_columns: List[str], inputs: List[str], source: str, declared_by: Optional[str] = None
) -> None:
    """The model's inputs must all be columns of the reference; else a 422 naming those missing
    (``declared_by``: where the model declares them, said in the refusal)."""
    missing = [name for name in inputs if name not in reference_columns]
    if missing:
        shown = ", ".join(reference_columns[:50]) + (", …" if len(reference_columns) > 50 else "")
        whose = f" (as {declared_by} declares them)" if declared_by else ""
        raise DriftError(
            f"the reference {source} lacks the model's input column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}{whose}: its columns are {shown}"
        )


def _is_numeric(series) -> bool:
    import pandas.api.types as types

    return types.is_numeric_dtype(series) and not types.is_bool_dtype(series)


def summarise(frame, source: str) -> Reference:
    numeric: Dict[str, NumericReference] = {}
    categorical: Dict[str, CategoricalReference] = {}
    for name in frame.columns:
        series = frame[name]
        if _is_numeric(series):
            numeric[name] = NumericReference(series.to_numpy(dtype=float, na_value=numpy.nan))
        else:
            categorical[name] = CategoricalReference(counts(series.tolist()))
    return Reference(source, len(frame), list(frame.columns), numeric, categorical)


def _cache_key(path: str, max_bytes: int) -> str:
    """The file as it is now: a changed file (size or time) is a new key."""
    info = os.stat(path)
    key = f"{CACHE_VERSION}\0{path}\0{info.st_size}\0{info.st_mtime_ns}\0{max_bytes}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def load(spec: dict) -> Reference:
    """The reference's summary: from this process's memory, else from the cache file when the
    file is unchanged, else read (and cached in both)."""
    path = spec["path"]
    source = spec.get("source") or path
    max_bytes = int(spec.get("maxBytes") or (512 << 20))
    cache_dir = spec.get("cacheDir")
    try:
        key = _cache_key(path, max_bytes)
    except OSError as error:
        raise DriftError(f"cannot read the reference {path}: {error.strerror}") from None
    kept = _memory.get(key)
    if kept is not None:
        _memory.move_to_end(key)
        return Reference(source, kept.rows, kept.columns, kept.numeric, kept.categorical)
    cached = os.path.join(cache_dir, f"reference-{key}.npz") if cache_dir else None
    reference = None
    if cached and os.path.exists(cached):
        # a cache from a crashed write: read the table again
        with contextlib.suppress(OSError, ValueError, KeyError):
            reference = _read_cache(cached, source)
    if reference is None:
        reference = summarise(read_frame(path, spec.get("format"), max_bytes), source)
        if cached:
            _write_cache(cached, reference)
    _memory[key] = reference
    while len(_memory) > MEMORY_ENTRIES:
        _memory.popitem(last=False)
    return reference


def _write_cache(path: str, reference: Reference) -> None:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    meta = {
        "rows": reference.rows,
        "columns": reference.columns,
        "numeric": list(reference.numeric),
        "categorical": {name: ref.counts for name, ref in reference.categorical.items()},
    }
    arrays = {f"n{i}": ref.sorted for i, ref in enumerate(reference.numeric.values())}
    partial = f"{path}.{os.getpid()}.tmp.npz"
    arrays["meta"] = numpy.array(json.dumps(meta))
    numpy.savez(partial, **arrays)  # pyright: ignore[reportArgumentType]
    os.replace(partial, path)


def _read_cache(path: str, source: str) -> Reference:
    with numpy.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        numeric = {}
        for i, name in enumerate(meta["numeric"]):
            numeric[name] = NumericReference(data[f"n{i}"])
    categorical = {name: CategoricalReference(counts) for name, counts in meta["categorical"].items()}
    return Reference(source, meta["rows"], meta["columns"], numeric, categorical)


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
