"""A table's schema (columns: type, empty cells, distinct values) and first rows: CSV, Parquet, JSONL."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any, Dict, List, Optional, Tuple

from . import DatasetRefused
from .files import Entry, open_regular

TABLE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# columns are typed and counted over this many rows; the rows themselves are all counted
SCHEMA_ROWS = 10_000
DISTINCT_CAP = 10_000
_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEANS = {"true", "false"}


class _Column:
    def __init__(self, name: str):
        self.name = name
        self.nulls = 0
        self.values: set = set()
        self.kinds: set = set()

    def add(self, value: Any, kind: Optional[str]) -> None:
        if kind is None:
            self.nulls += 1
            return
        self.kinds.add(kind)
        if len(self.values) <= DISTINCT_CAP:
            self.values.add(value if isinstance(value, (str, int, float, bool)) else json.dumps(value, sort_keys=True))

    def schema(self) -> dict:
        kinds = self.kinds
        if not kinds or kinds == {"string"}:
            kind = "string"
        elif len(kinds) == 1:
            kind = next(iter(kinds))
        elif kinds <= {"integer", "number"}:
            kind = "number"
        else:
            kind = "other"
        distinct = len(self.values) if len(self.values) <= DISTINCT_CAP else None
        return {"name": self.name, "type": kind, "nulls": self.nulls, "distinct": distinct}


def _csv_cell(text: str) -> Tuple[Any, Optional[str]]:
    """A CSV cell as its value and kind: "" is empty; integers, numbers and true/false are read as such."""
    cell = text.strip()
    if cell == "":
        return None, None
    if _INTEGER.match(cell):
        return int(cell), "integer"
    try:
        number = float(cell)
        if math.isfinite(number):
            return number, "number"
    except ValueError:
        pass
    if cell.lower() in _BOOLEANS:
        return cell.lower() == "true", "boolean"
    return text, "string"


def _json_kind(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


def _typed_rows(rows: List[dict], columns: List[dict]) -> List[dict]:
    """Preview rows with each cell as its column's type: a CSV "3" in a number column is 3.0."""
    numbers = {c["name"] for c in columns if c["type"] == "number"}
    strings = {c["name"] for c in columns if c["type"] in ("string", "other")}
    typed = []
    for row in rows:
        out = {}
        for key, value in row.items():
            if key in numbers and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            elif key in strings and value is not None and not isinstance(value, (str, list, dict)):
                value = str(value)
            out[key] = value
        typed.append(out)
    return typed


def scan_csv(entry: Entry, preview_rows: int) -> dict:
    with open_regular(entry) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise DatasetRefused(
                    f"{entry.relative or entry.path} has no header row: a CSV table starts with its column names"
                )
            names = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
            columns = [_Column(n) for n in names]
            rows: List[dict] = []
            count = 0
            for cells in reader:
                if not cells:
                    continue
                count += 1
                if count > SCHEMA_ROWS:
                    continue
                row = {}
                for column, index in zip(columns, range(len(columns))):
                    value, kind = _csv_cell(cells[index]) if index < len(cells) else (None, None)
                    column.add(value, kind)
                    row[column.name] = value if kind != "string" else cells[index]
                if len(rows) < preview_rows:
                    rows.append(row)
        except UnicodeDecodeError as error:
            raise DatasetRefused(f"{entry.relative or entry.path} isn't UTF-8 text: {error.reason}") from None
        except csv.Error as error:
            raise DatasetRefused(f"{entry.relative or entry.path} can't be read as CSV: {error}") from None
    schema = [c.schema() for c in columns]
    return {"rows": count, "columns": schema, "preview": _typed_rows(rows, schema)}


def scan_jsonl(entry: Entry, preview_rows: int) -> dict:
    columns: Dict[str, _Column] = {}
    rows: List[dict] = []
    count = 0
    with open_regular(entry) as raw:
        for number, line in enumerate(raw, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                raise DatasetRefused(f"line {number} of {entry.relative or entry.path} isn't JSON") from None
            if not isinstance(row, dict):
                raise DatasetRefused(f"line {number} of {entry.relative or entry.path} isn't a JSON object")
            count += 1
            if count > SCHEMA_ROWS:
                continue
            for key in row:
                if key not in columns:
                    column = columns[key] = _Column(key)
                    column.nulls = count - 1  # the rows before it didn't have it
            for key, column in columns.items():
                value = row.get(key)
                column.add(value, _json_kind(value))
            if len(rows) < preview_rows:
                rows.append(row)
    if count == 0:
        raise DatasetRefused(f"{entry.relative or entry.path} holds no rows")
    return {"rows": count, "columns": [c.schema() for c in columns.values()], "preview": rows}


def _arrow_kind(arrow_type) -> str:
    import pyarrow

    types = pyarrow.types
    if types.is_boolean(arrow_type):
        return "boolean"
    if types.is_integer(arrow_type):
        return "integer"
    if types.is_floating(arrow_type) or types.is_decimal(arrow_type):
        return "number"
    if types.is_string(arrow_type) or types.is_large_string(arrow_type) or types.is_dictionary(arrow_type):
        return "string"
    return "other"


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return str(value)


def scan_parquet(entry: Entry, preview_rows: int) -> dict:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise DatasetRefused("reading Parquet needs pyarrow in the bridge's Python: pip install pyarrow") from None
    with open_regular(entry) as raw:
        try:
            table_file = parquet.ParquetFile(raw)
        except Exception as error:  # pyarrow's errors have no common base that names a bad file
            raise DatasetRefused(f"{entry.relative or entry.path} can't be read as Parquet: {error}") from None
        schema = table_file.schema_arrow
        columns = [_Column(field.name) for field in schema]
        kinds = [_arrow_kind(field.type) for field in schema]
        first = next(table_file.iter_batches(batch_size=SCHEMA_ROWS), None)
        records = first.to_pylist() if first is not None else []
        for row in records:
            for column, kind in zip(columns, kinds):
                value = row.get(column.name)
                column.add(_json_safe(value), None if value is None else kind)
        count = table_file.metadata.num_rows
    out = []
    for column, kind in zip(columns, kinds):
        described = column.schema()
        described["type"] = kind
        out.append(described)
    return {"rows": count, "columns": out, "preview": [_json_safe(r) for r in records[:preview_rows]]}


SCANNERS = {"csv": scan_csv, "jsonl": scan_jsonl, "parquet": scan_parquet}
