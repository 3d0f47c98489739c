"""Reading a recipe's training data, with errors that say what to fix.

- ``locate(path)``: a class-folder tree or a table (CSV, Parquet, JSONL) — a folder that holds
  one table file and no subfolder is that table (a copied dataset's ``data/``).
- ``read_table(path)``: a pandas DataFrame; ``require_columns`` and ``numeric`` check it.
- ``class_files(path, suffixes)``: ``{class: [files]}``; an empty class folder or a single
  class is refused. Links are not followed; hidden files and folders are left out.
- ``read_class_folders(context, path, suffixes, what, read)``: each file through ``read``; a
  file it can't read (any exception, or ``Unreadable``) is skipped and listed in the log, and
  a class left without files is refused.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Tuple

from .context import Context, RecipeError

TABLE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
COLUMNS_SHOWN = 30
SKIPPED_SHOWN = 20


def locate(path: str) -> Tuple[str, str]:
    """``("folders", path)`` or ``("table", file)``."""
    if not os.path.exists(path):
        raise RecipeError(f"the training data {path} doesn't exist")
    if os.path.isfile(path):
        return "table", path
    entries = [e for e in os.scandir(path) if not e.name.startswith(".")]
    folders = [e for e in entries if e.is_dir(follow_symlinks=False)]
    tables = [e for e in entries if e.is_file(follow_symlinks=False) and _suffix(e.name) in TABLE_SUFFIXES]
    if not folders and len(tables) == 1:
        return "table", tables[0].path
    if not folders:
        raise RecipeError(f"{path} has no class subfolders and no single table file (CSV, Parquet or JSONL)")
    return "folders", path


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def read_table(path: str):
    import pandas

    kind = TABLE_SUFFIXES.get(_suffix(path))
    if kind is None:
        raise RecipeError(f"{os.path.basename(path)} isn't a table: give a .csv, .parquet or .jsonl file")
    try:
        if kind == "csv":
            frame = pandas.read_csv(path)
        elif kind == "parquet":
            frame = pandas.read_parquet(path)
        else:
            frame = pandas.read_json(path, lines=True)
    except pandas.errors.EmptyDataError:
        raise RecipeError(f"{os.path.basename(path)} is empty") from None
    except (ValueError, UnicodeDecodeError, OSError, ImportError) as error:
        raise RecipeError(f"{os.path.basename(path)} can't be read as {kind.upper()}: {_line(error)}") from None
    frame.columns = [str(c) for c in frame.columns]
    if len(frame) == 0:
        raise RecipeError(f"{os.path.basename(path)} has no rows")
    return frame


def shown_columns(frame) -> str:
    columns = list(frame.columns)
    more = f", … ({len(columns)} in all)" if len(columns) > COLUMNS_SHOWN else ""
    return ", ".join(columns[:COLUMNS_SHOWN]) + more


def require_columns(frame, names: List[str], what: str, path: str) -> None:
    """Each of ``names`` is a column; else the error names the missing one and the columns found."""
    for name in names:
        if name not in frame.columns:
            raise RecipeError(
                f'no {what} column "{name}" in {os.path.basename(path)}: its columns are {shown_columns(frame)}'
            )


def numeric(frame, columns: List[str], path: str, hint: str = "choose numeric feature columns"):
    """The columns as a float matrix; a value that isn't a number, or an empty one, is named
    with its column and row (the row as a spreadsheet counts it: the header is row 1)."""
    import numpy
    import pandas

    out = numpy.empty((len(frame), len(columns)), dtype=float)
    for position, column in enumerate(columns):
        values = frame[column]
        if values.dtype == bool:
            values = values.astype(float)
        converted: Any = pandas.to_numeric(values, errors="coerce")  # a Series, as values is
        bad = converted.isna().to_numpy()
        if bad.any():
            row = int(bad.argmax())
            raw = values.iloc[row]
            if _empty(raw):
                raise RecipeError(
                    f'column "{column}" of {os.path.basename(path)} has an empty value in row {row + 2}: '
                    "fill it or drop the row"
                )
            raise RecipeError(
                f'column "{column}" of {os.path.basename(path)} isn\'t numeric: row {row + 2} has {raw!r} ({hint})'
            )
        out[:, position] = converted.to_numpy(dtype=float)
    return out


def numeric_columns(frame, exclude: List[str]) -> List[str]:
    """The columns pandas reads as numbers (or booleans), but ``exclude``."""
    import pandas

    return [
        c
        for c in frame.columns
        if c not in exclude
        and (pandas.api.types.is_numeric_dtype(frame[c]) or pandas.api.types.is_bool_dtype(frame[c]))
    ]


def labels(frame, column: str, path: str) -> List[Any]:
    """The label column as plain Python values; an empty label is named with its row."""
    values = frame[column]
    empty = values.isna().to_numpy()
    if empty.any():
        row = int(empty.argmax())
        raise RecipeError(f'row {row + 2} of {os.path.basename(path)} has no label (column "{column}" is empty)')
    return values.tolist()


def _empty(value) -> bool:
    try:
        import pandas

        return bool(pandas.isna(value)) or (isinstance(value, str) and not value.strip())
    except (TypeError, ValueError):
        return False


def class_files(path: str, suffixes: Tuple[str, ...], what: str) -> Dict[str, List[str]]:
    """``{class: [absolute paths, sorted]}`` of the files with ``suffixes`` in each subfolder."""
    classes: Dict[str, List[str]] = {}
    ignored = 0
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        files = []
        for root, dirs, names in os.walk(entry.path):  # os.walk doesn't follow links to folders
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                full = os.path.join(root, name)
                if name.startswith(".") or not os.path.isfile(full) or os.path.islink(full):
                    continue
                if _suffix(name) in suffixes:
                    files.append(full)
                else:
                    ignored += 1
        if not files:
            raise RecipeError(
                f'the class folder "{entry.name}" has no {what} files ({"/".join(suffixes)}): '
                "add some, or remove the folder"
            )
        classes[entry.name] = files
    if not classes:
        raise RecipeError(f"{path} has no class subfolders: put each class's files in a subfolder named after it")
    if ignored:
        print(f"[emkit] ignored {ignored} files that aren't {what} files ({'/'.join(suffixes)})", flush=True)
    require_classes(list(classes), path)
    return classes


class Unreadable(Exception):
    """A ``read`` function's way to skip a file, with the reason the log gives."""


class ClassFile:
    def __init__(self, path: str, label: str, value: Any):
        self.path = path
        self.label = label
        self.value = value  # what ``read`` made of the file


def read_class_folders(
    context: Context, path: str, suffixes: Tuple[str, ...], what: str, read: Callable[[str], Any]
) -> List[ClassFile]:
    """Every file of ``class_files`` through ``read(path)``; the ones it raises on are skipped
    (listed in the log: a corrupt image, a file that isn't UTF-8), refused only when a class
    is left with none."""
    found: List[ClassFile] = []
    skipped: List[str] = []
    for label, paths in class_files(path, suffixes, what).items():
        kept = 0
        for file in paths:
            try:
                value = read(file)
            except Exception as error:
                why = str(error) if isinstance(error, Unreadable) else type(error).__name__
                skipped.append(f"{os.path.relpath(file, path)} ({why})")
                continue
            found.append(ClassFile(file, label, value))
            kept += 1
        if not kept:
            raise RecipeError(f'the class folder "{label}" has no readable {what} files: {", ".join(skipped[-3:])}')
    if skipped:
        more = f", and {len(skipped) - SKIPPED_SHOWN} more" if len(skipped) > SKIPPED_SHOWN else ""
        context.warn(f"skipped {len(skipped)} files: {', '.join(skipped[:SKIPPED_SHOWN])}{more}")
    return found


def require_classes(classes: List[Any], path: str) -> None:
    if len(set(classes)) < 2:
        only = f' ("{classes[0]}")' if classes else ""
        raise RecipeError(f"{os.path.basename(path) or path} has a single class{only}: a classifier needs at least two")


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
