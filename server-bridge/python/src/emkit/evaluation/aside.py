"""Writing a large JSON file aside: by forked children, while this process goes on computing.

curves.json holds every threshold of every class's curve (200,000 rows: about 1.2 million
floats for a binary model), and encoding that much JSON takes Python longer than all of the
scikit-learn metrics together. Forked children encode its list's items, a share each, into
part files while the parent computes the metrics; the parent then joins the parts into the
file. On a machine with cores to spare that costs next to no time. A child only encodes and
writes (no BLAS, no lock the parent's threads could hold), resets SIGTERM to the default and
leaves with os._exit, so nothing of the parent's (its buffers, its atexit) runs twice.
Where there is no fork (Windows) the file is written in line.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from typing import Any, Dict, List

MAX_WRITERS = 8


def _encode(items: list) -> str:
    return ",".join(json.dumps(item, allow_nan=False, separators=(",", ":")) for item in items)


class AsideWrite:
    """``path`` gets ``head`` with ``head[key] = items``, the items encoded by children."""

    def __init__(self, path: str, head: Dict[str, Any], key: str, items: list):
        self.path = path
        # the head's JSON up to the open list: '{"rows":3,"curves":['
        self.head = json.dumps({**head, key: []}, allow_nan=False, separators=(",", ":"))[: -len("]}")]
        self.parts: List[str] = []
        self.pids: List[int] = []
        if not hasattr(os, "fork") or not items:
            self.inline = _encode(items)
            return
        self.inline = None
        writers = max(1, min(len(items), os.cpu_count() or 1, MAX_WRITERS))
        share = -(-len(items) // writers)
        sys.stdout.flush()
        sys.stderr.flush()
        for start in range(0, len(items), share):
            part = f"{path}.{os.getpid()}.part{len(self.parts)}"
            self.parts.append(part)
            pid = os.fork()
            if pid == 0:  # a child
                code = 1
                try:
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    with open(part, "w", encoding="utf-8") as file:
                        file.write(_encode(items[start : start + share]))
                    code = 0
                except BaseException as error:
                    print(f"[emkit] cannot write {part}: {error}", file=sys.stderr, flush=True)
                finally:
                    os._exit(code)
            self.pids.append(pid)

    def wait(self) -> None:
        """Until the file is written whole (a temporary file, then a rename); OSError if it can't be."""
        failed = False
        for pid in self.pids:
            _, status = os.waitpid(pid, 0)
            failed = failed or not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
        self.pids = []
        if failed:
            raise OSError(f"cannot write {self.path}: a writer failed (its error is in the log)")
        temporary = f"{self.path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(self.head)
            if self.inline is not None:
                file.write(self.inline)
            for i, part in enumerate(self.parts):
                if i:
                    file.write(",")
                with open(part, encoding="utf-8") as text:
                    file.write(text.read())
            file.write("]}\n")
        os.replace(temporary, self.path)
        self._remove(self.parts)

    def cancel(self) -> None:
        """Stop the writers, and leave no file behind."""
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        self.pids = []
        self._remove([*self.parts, f"{self.path}.{os.getpid()}.tmp", self.path])

    @staticmethod
    def _remove(paths: List[str]) -> None:
        for path in paths:
            with contextlib.suppress(OSError):
                os.unlink(path)
