"""A class-folder dataset of images or sounds, decoded file by file, the unreadable ones skipped.

emkit.recipes.data lists the files (``class_files``: an empty class folder or a single class is
refused there). A file that can't be used here — a link or something not a regular file, too
big, corrupt — is skipped and listed in the log with the reason: one bad photo among hundreds
shouldn't cost the learner the training, and the list says which to fix. A class left with no
usable file is refused, its files named.
"""

from __future__ import annotations

import os
import stat
from typing import Any, Callable, List, Tuple

from ..context import Context, RecipeError
from ..data import class_files
from ._media import MAX_RAW_BYTES, MediaError

MAX_NAMED = 10  # skipped files named in an error message; the log lists them all


class Examples:
    """What was read: ``items[i]`` (the decoded file) of class ``labels[i]`` from ``paths[i]``;
    ``skipped``: ``(path relative to the data, reason)`` per file left out."""

    def __init__(self, classes: List[str]):
        self.classes = classes
        self.items: List[Any] = []
        self.labels: List[str] = []
        self.paths: List[str] = []
        self.skipped: List[Tuple[str, str]] = []


class _Unusable(Exception):
    """A file that isn't read; the message says why."""


def _read_regular(path: str) -> bytes:
    """The file's bytes, if it is a regular file of a sane size. O_NOFOLLOW on the open itself:
    nothing can swap a link in between the listing's check and the read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO doesn't block
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if os.path.islink(path):
            raise _Unusable("is a symbolic link (not followed)") from None
        raise _Unusable(f"can't be read: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _Unusable("isn't a regular file")
        if info.st_size == 0:
            raise _Unusable("is empty")
        if info.st_size > MAX_RAW_BYTES:
            raise _Unusable(f"is over {MAX_RAW_BYTES // (1024 * 1024)} MB")
        return file.read(MAX_RAW_BYTES + 1)


def read_examples(
    context: Context, suffixes: Tuple[str, ...], kind: str, decode: Callable[[bytes, str], Any]
) -> Examples:
    """Every usable file of every class of ``context.data_path``, ``decode(bytes, name)``d
    (which raises MediaError for a bad file); ``kind`` ("image", "WAV") names the files."""
    root = context.data_path
    listed = class_files(root, suffixes, kind)
    examples = Examples(sorted(listed))
    for label in examples.classes:
        for path in listed[label]:
            relative = os.path.relpath(path, root)
            try:
                item = decode(_read_regular(path), relative)
            except _Unusable as error:
                examples.skipped.append((relative, str(error)))
                continue
            except MediaError as error:
                examples.skipped.append((relative, error.reason))
                continue
            examples.items.append(item)
            examples.labels.append(label)
            examples.paths.append(path)
    for relative, why in examples.skipped:
        context.warn(f"skipped {relative}: it {why}")
    if examples.skipped:
        context.log(
            f"skipped {len(examples.skipped)} of {len(examples.skipped) + len(examples.items)} {kind} files "
            "that can't be read (listed above)"
        )
    found = set(examples.labels)
    unusable = [label for label in examples.classes if label not in found]
    if unusable:
        prefixes = tuple(label + os.sep for label in unusable)
        named = [relative for relative, _ in examples.skipped if relative.startswith(prefixes)]
        more = f" and {len(named) - MAX_NAMED} more" if len(named) > MAX_NAMED else ""
        raise RecipeError(
            f'no readable {kind} file in the class folder{"s" if len(unusable) > 1 else ""} "{", ".join(unusable)}" '
            f"(skipped: {', '.join(named[:MAX_NAMED])}{more}): replace them with readable files"
        )
    return examples
