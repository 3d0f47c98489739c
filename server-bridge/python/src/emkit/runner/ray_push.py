"""What a training on a Ray cluster sends back to the bridge, over HTTP, with its own credential.

No shared filesystem is assumed: each rank pushes its output (appended to the bridge's
``rank-N.log``) and the files it writes under its node-local EM_* folders (model, checkpoints,
TensorBoard event files, notebook outputs); the driver pushes the training's status. A push
that fails (the bridge restarting) is kept and sent again at the next one.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

AREAS = ("model", "checkpoints", "tensorboard", "artifacts")
TIMEOUT_S = 10


class Pusher:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.token = token

    def _send(self, method: str, path: str, body: bytes, kind: str) -> None:
        request = urllib.request.Request(
            f"{self.url}/{path}",
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": kind},
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            answer.read()

    def status(self, status: dict, patience_s: float = 5) -> bool:
        """Whole, as status.json; tried again for ``patience_s`` (the final one waits out a bridge restart)."""
        body = json.dumps(status).encode()
        end = time.monotonic() + patience_s
        while True:
            try:
                self._send("POST", "status", body, "application/json")
                return True
            except (OSError, urllib.error.URLError):
                if time.monotonic() >= end:
                    return False
                time.sleep(1)

    def log(self, rank: str, data: bytes) -> bool:
        try:
            self._send("POST", f"logs/{rank}", data, "application/octet-stream")
            return True
        except (OSError, urllib.error.URLError):
            return False

    def usage(self, name: str, sample: dict) -> bool:
        """A rank's (or a replica's) latest usage; one that doesn't get through is not sent again."""
        try:
            self._send("POST", f"usage/{name}", json.dumps(sample).encode(), "application/json")
            return True
        except (OSError, urllib.error.URLError):
            return False

    def file(self, area: str, relative: str, data: bytes) -> bool:
        path = urllib.parse.quote(relative)
        try:
            self._send("PUT", f"files/{area}/{path}", data, "application/octet-stream")
            return True
        except (OSError, urllib.error.URLError):
            return False


class FolderSync:
    """Sends the files of a rank's EM_* folders that are new or changed since the last sync."""

    def __init__(self, pusher: Pusher, folders: dict[str, str]):
        self.pusher = pusher
        self.folders = folders
        self.sent: dict[tuple[str, str], tuple[int, int]] = {}

    def sync(self) -> bool:
        """True when every file is sent."""
        complete = True
        for area, root in self.folders.items():
            for dirpath, _dirs, files in os.walk(root):
                for name in sorted(files):
                    path = os.path.join(dirpath, name)
                    relative = os.path.relpath(path, root).replace(os.sep, "/")
                    try:
                        stat = os.stat(path)
                        key, mark = (area, relative), (stat.st_size, stat.st_mtime_ns)
                        if self.sent.get(key) == mark:
                            continue
                        with open(path, "rb") as file:
                            data = file.read()
                    except OSError:
                        continue  # gone meanwhile, or being written: the next sync sends it
                    if self.pusher.file(area, relative, data):
                        self.sent[key] = mark
                    else:
                        complete = False
        return complete
