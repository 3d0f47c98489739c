"""emkit.runner.ray_push against a small real HTTP server: what a cluster rank sends back, and resends."""

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from typing import ClassVar

import psutil
import pytest

from emkit.runner.ray_push import FolderSync, Pusher


class Recorder(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    refuse = False

    def _take(self):
        if Recorder.refuse:
            self.send_response(503)
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.received.append((self.command, self.path, self.headers["Authorization"], body))
        self.send_response(204)
        self.end_headers()

    do_POST = do_PUT = _take

    def log_message(self, format, *args):  # quiet
        pass


@pytest.fixture
def server():
    Recorder.received = []
    Recorder.refuse = False
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v1/trainings/t1/push"
    httpd.shutdown()


def test_status_logs_and_files_carry_the_credential(server, tmp_path):
    pusher = Pusher(server, "secret")
    assert pusher.status({"state": "RUNNING", "ranks": []})
    assert pusher.log("1", b"hello\n")
    (tmp_path / "model" / "sub").mkdir(parents=True)
    (tmp_path / "model" / "sub" / "w b.txt").write_bytes(b"weights")
    assert FolderSync(pusher, {"model": str(tmp_path / "model")}).sync()
    assert [(m, p, a) for m, p, a, _ in Recorder.received] == [
        ("POST", "/api/v1/trainings/t1/push/status", "Bearer secret"),
        ("POST", "/api/v1/trainings/t1/push/logs/1", "Bearer secret"),
        ("PUT", "/api/v1/trainings/t1/push/files/model/sub/w%20b.txt", "Bearer secret"),
    ]
    assert json.loads(Recorder.received[0][3])["state"] == "RUNNING"
    assert Recorder.received[2][3] == b"weights"


def test_a_file_is_sent_again_only_when_it_changed_or_was_refused(server, tmp_path):
    folder = tmp_path / "tb"
    folder.mkdir()
    (folder / "events").write_bytes(b"1")
    sync = FolderSync(Pusher(server, "secret"), {"tensorboard": str(folder)})
    Recorder.refuse = True
    assert not sync.sync()
    Recorder.refuse = False
    assert sync.sync()
    assert sync.sync()  # unchanged: nothing sent
    (folder / "events").write_bytes(b"12")
    assert sync.sync()
    assert [body for _, _, _, body in Recorder.received] == [b"1", b"12"]


def test_a_rank_samples_its_process_tree_and_pushes_it_at_its_interval(server):
    from emkit.usage.pushed import PushedUsage

    # a real rank's code: a process holding ~40 MB, with a child of its own (a data loader)
    code = (
        "import subprocess, sys, time\n"
        "held = b'x' * (40 * 1024 * 1024)\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        usage = PushedUsage(Pusher(server, "secret"), "1", 3600)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(psutil.Process(process.pid).children()) == 0:
            time.sleep(0.05)
        usage.tick(process.pid)
        usage.tick(process.pid)  # within the interval: nothing more
        usage.close()
    finally:
        for child in psutil.Process(process.pid).children(recursive=True):
            child.kill()
        process.kill()
        process.wait()
    assert [(m, p, a) for m, p, a, _ in Recorder.received] == [
        ("POST", "/api/v1/trainings/t1/push/usage/1", "Bearer secret")
    ]
    sample = json.loads(Recorder.received[0][3])
    assert sample["pid"] == process.pid
    assert sample["memoryMb"] > 40  # the rank's bytes, and its child's
    assert sample["cpuPercent"] >= 0 and sample["threads"] >= 2
    assert set(sample) == {"pid", "cpuPercent", "memoryMb", "threads", "openFiles", "gpuPercent", "gpuMemoryMb"}


def test_a_rank_with_usage_off_pushes_nothing(server):
    from emkit.usage.pushed import PushedUsage

    usage = PushedUsage(Pusher(server, "secret"), "0", 0)
    usage.tick(os.getpid())
    assert Recorder.received == []
