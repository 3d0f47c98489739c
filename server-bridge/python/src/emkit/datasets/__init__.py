"""Datasets' scanner (issue 16): what the bridge stores with each dataset version.

``python -m emkit.datasets scan spec.json``: the kind and format of a file or folder, its schema
(a table's columns with types, nulls and distinct counts; class folders' classes with their counts),
its sha256, and a preview (a table's first rows; per class a few samples: image thumbnails, audio
durations, text snippets), written to the spec's ``output``.
``python -m emkit.datasets check spec.json``: has a referenced path changed since its version?
``python -m emkit.datasets unzip spec.json``: an uploaded .zip unpacked, every entry checked.

Only regular files are opened (no symbolic link followed, no FIFO or device), each within a size cap,
and the totals (files, bytes) are capped. Data the scanner refuses exits 3 with one JSON line
``{"message": ...}`` on stdout, for the bridge to answer 422 with.
"""


class DatasetRefused(ValueError):
    """The data can't be a dataset as it is (empty, over a cap, not a table it claims to be)."""
