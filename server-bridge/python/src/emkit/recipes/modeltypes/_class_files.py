"""A class-folder dataset of images or sounds, decoded file by file, the unreadable ones skipped.

emkit.recipes.data lists the files and skips (and lists in the log) those the reader here
refuses — a link or something not a regular file, an empty or too big one, one that doesn't
decode — so that one bad photo among hundreds doesn't cost the learner the training; a class
left with none is refused there, its files named.
"""

from __future__ import annotations

import os
import stat
from typing import Any, Callable, List, Tuple

from ..context import Context
from ..data import Unreadable, read_class_folders
from ._media import MAX_RAW_BYTES, MediaError


class Examples:
    """What was read: ``items[i]`` (the decoded file) of class ``labels[i]`` from ``paths[i]``."""

    def __init__(self, classes: List[str], items: List[Any], labels: List[str], paths: List[str]):
        self.classes = classes
        self.items = items
        self.labels = labels
        self.paths = paths


def read_regular(path: str) -> bytes:
    """The file's bytes, if it is a regular file of a sane size. O_NOFOLLOW on the open itself:
    nothing can swap a link in between the listing's check and the read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO doesn't block
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if os.path.islink(path):
            raise Unreadable("a symbolic link, not followed") from None
        raise Unreadable(f"can't be read: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file")
        if info.st_size == 0:
            raise Unreadable("empty")
        if info.st_size > MAX_RAW_BYTES:
            raise Unreadable(f"over {MAX_RAW_BYTES // (1024 * 1024)} MB")
        return file.read(MAX_RAW_BYTES + 1)


def read_examples(
    context: Context, suffixes: Tuple[str, ...], kind: str, decode: Callable[[bytes, str], Any]
) -> Examples:
    """Every usable file of every class of ``context.data_path``, ``decode(bytes, name)``d
    (which raises MediaError for a bad file); ``kind`` ("image", "WAV") names the files."""
    root = context.data_path

    def read(path: str):
        try:
            return decode(read_regular(path), os.path.relpath(path, root))
        except MediaError as error:
            raise Unreadable(error.reason) from None

    found = read_class_folders(context, root, suffixes, kind, read)
    classes = sorted({file.label for file in found})
    return Examples(
        classes, [file.value for file in found], [file.label for file in found], [file.path for file in found]
    )
