"""Listing a dataset's files: regular files only, never through a link, within caps."""

from __future__ import annotations

import hashlib
import os
import stat
from typing import IO, List, NamedTuple, Tuple

from . import DatasetRefused


class Limits(NamedTuple):
    max_files: int
    max_bytes: int
    max_file_bytes: int


class Entry(NamedTuple):
    relative: str  # '/' separated, relative to the dataset's root ("" for a single-file dataset)
    path: str
    size: int
    mtime_ns: int


def limits_of(spec: dict) -> Limits:
    given = spec.get("limits") or {}
    return Limits(
        int(given.get("maxFiles", 100_000)),
        int(given.get("maxBytes", 10 << 30)),
        int(given.get("maxFileBytes", 2 << 30)),
    )


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB"


def list_files(root: str, limits: Limits) -> Tuple[List[Entry], List[dict]]:
    """The regular files of ``root`` (a file, or a folder walked as ``os.walk`` does: a folder's files
    by name, then its subfolders by name) and what was left out (links, FIFOs, devices, files over
    the cap), as ``{"file", "reason"}``. Hidden names (".git", ".DS_Store") are left out silently."""
    info = os.lstat(root)
    if stat.S_ISREG(info.st_mode):
        if info.st_size > limits.max_file_bytes:
            raise DatasetRefused(
                f"{root} holds {info.st_size} bytes, over the {_mb(limits.max_file_bytes)} a file may have"
            )
        return [Entry("", root, info.st_size, info.st_mtime_ns)], []
    if not stat.S_ISDIR(info.st_mode):
        raise DatasetRefused(f"{root} is neither a regular file nor a folder")
    files: List[Entry] = []
    skipped: List[dict] = []
    total = 0

    def walk(folder: str, prefix: str) -> None:
        nonlocal total
        with os.scandir(folder) as listing:
            entries = sorted((e for e in listing if not e.name.startswith(".")), key=lambda e: e.name)
        folders = []
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            if entry.is_symlink():
                skipped.append({"file": relative, "reason": "a symbolic link (not followed)"})
            elif entry.is_dir(follow_symlinks=False):
                folders.append(entry)
            elif entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                if info.st_size > limits.max_file_bytes:
                    skipped.append(
                        {"file": relative, "reason": f"over the {_mb(limits.max_file_bytes)} a file may have"}
                    )
                    continue
                files.append(Entry(relative, entry.path, info.st_size, info.st_mtime_ns))
                total += info.st_size
                if len(files) > limits.max_files:
                    raise DatasetRefused(f"{root} holds more than the {limits.max_files} files a dataset may have")
                if total > limits.max_bytes:
                    raise DatasetRefused(f"{root} holds more than the {_mb(limits.max_bytes)} a dataset may have")
            else:
                skipped.append({"file": relative, "reason": "not a regular file (a FIFO, a socket or a device)"})
        for entry in folders:
            walk(entry.path, f"{prefix}{entry.name}/")

    walk(root, "")
    return files, skipped


def open_regular(entry: Entry) -> IO[bytes]:
    """Opens a listed file again, refusing it if it has become a link or anything but a regular file."""
    fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DatasetRefused(f"{entry.path} is no longer a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def fingerprint(files: List[Entry]) -> str:
    """What changes when any file is added, removed, resized or touched: checked before a full hash."""
    digest = hashlib.sha256()
    for entry in files:
        digest.update(f"{entry.relative}\0{entry.size}\0{entry.mtime_ns}\n".encode())
    return digest.hexdigest()
