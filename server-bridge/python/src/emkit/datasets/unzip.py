"""An uploaded .zip unpacked into a new folder, every entry checked before anything is written:
no absolute path, no "..", no link, no device; the count and the sizes capped. Python's zipfile
reads no more of an entry than the size it declares, so a lying header can't fill the disk."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from typing import List

from . import DatasetRefused
from .files import Limits

CHUNK = 1 << 20
# what macOS's Archive Utility adds beside the real content
IGNORED_PREFIXES = ("__MACOSX/",)


def _checked_parts(name: str) -> List[str]:
    if "\\" in name or "\0" in name:
        raise DatasetRefused(f'the zip entry "{name}" has a backslash or a NUL byte in its path')
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise DatasetRefused(f'the zip entry "{name}" has an absolute path')
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise DatasetRefused(f'the zip entry "{name}" climbs out of the folder with ".."')
    return parts


def unzip(archive: str, into: str, limits: Limits, stem: str) -> str:
    """Unpacks ``archive`` into the new folder ``into``; answers the dataset's root: ``into``, or the one
    folder in it named like the archive (``animals.zip`` holding ``animals/…``)."""
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise DatasetRefused(f"the upload isn't a readable .zip file: {error}") from None
    with bundle:
        members = [m for m in bundle.infolist() if not m.filename.startswith(IGNORED_PREFIXES)]
        total = 0
        files = 0
        planned = []
        for member in members:
            parts = _checked_parts(member.filename)
            mode = member.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise DatasetRefused(f'the zip entry "{member.filename}" is a symbolic link')
            # no type bits (zip tools that don't record Unix modes): a file, or a folder by its trailing "/"
            if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise DatasetRefused(f'the zip entry "{member.filename}" is neither a file nor a folder')
            if not parts:
                continue
            if member.is_dir():
                planned.append((parts, None))
                continue
            if member.file_size > limits.max_file_bytes:
                raise DatasetRefused(f'the zip entry "{member.filename}" is over the size a file may have')
            files += 1
            total += member.file_size
            if files > limits.max_files:
                raise DatasetRefused(f"the zip holds more than the {limits.max_files} files a dataset may have")
            if total > limits.max_bytes:
                raise DatasetRefused(f"the zip unpacks to more than the {limits.max_bytes >> 20} MB a dataset may have")
            planned.append((parts, member))
        os.makedirs(into, exist_ok=False)
        for parts, member in planned:
            target = os.path.join(into, *parts)
            if member is None:
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with bundle.open(member) as source, open(target, "xb") as out:
                shutil.copyfileobj(source, out, CHUNK)
    entries = [e for e in os.listdir(into) if not e.startswith(".")]
    if len(entries) == 1 and entries[0] == stem and os.path.isdir(os.path.join(into, stem)):
        return os.path.join(into, stem)
    return into
