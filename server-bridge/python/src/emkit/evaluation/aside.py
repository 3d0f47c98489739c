"""Writing a large JSON file aside: in a forked child, while this process goes on computing.

curves.json holds every threshold of every class's curve (200,000 rows: about 1.2 million
floats for a binary model), and encoding that much JSON takes Python about as long as all of
the scikit-learn metrics together. A forked child encodes it while the parent computes them,
so on any machine with a second core the file costs next to no time. The child only encodes
and writes (no BLAS, no locks the parent's threads could hold), resets SIGTERM to the default
and leaves with os._exit, so nothing of the parent's (its buffers, its atexit) runs twice.
Where there is no fork (Windows) the file is written in line.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from .plain import write_json


class AsideWrite:
    def __init__(self, path: str, document):
        self.path = path
        self.pid = 0
        if not hasattr(os, "fork"):
            write_json(path, document)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                write_json(path, document)
                code = 0
            except BaseException as error:
                print(f"[emkit] cannot write {path}: {error}", file=sys.stderr, flush=True)
            finally:
                os._exit(code)
        self.pid = pid

    def wait(self) -> None:
        """Until the file is written; OSError if it couldn't be."""
        if not self.pid:
            return
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            raise OSError(f"cannot write {self.path} (the writer ended with status {status})")

    def cancel(self) -> None:
        """Stop the writer, and leave no file behind."""
        leftovers = [self.path]
        if self.pid:
            leftovers.append(f"{self.path}.{self.pid}.tmp")  # write_json's temporary file
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
        for path in leftovers:
            with contextlib.suppress(OSError):
                os.unlink(path)
