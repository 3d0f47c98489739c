"""emkit.runner.ray_job without a cluster: a rank's process and its pushes, and the one-rank driver
that runs it in its own process tree, against a small real HTTP server standing for the bridge.
(The Ray parts, placement groups and actors, are tested on a real cluster by
test/integration/cluster-trainings.test.ts.)"""

import http.server
import json
import os
import sys
import threading
import time
from typing import ClassVar

import pytest

from emkit.runner import ray_job


class Bridge(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    arrived = threading.Condition()

    def _take(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with Bridge.arrived:
            Bridge.received.append((self.path.split("/push/", 1)[1], body))
            Bridge.arrived.notify_all()
        self.send_response(204)
        self.end_headers()

    do_POST = do_PUT = _take

    def log_message(self, format, *args):  # quiet
        pass


@pytest.fixture
def bridge():
    Bridge.received = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Bridge)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v1/trainings/t1/push"
    httpd.shutdown()


def wait_for(what, timeout=30):
    end = time.monotonic() + timeout
    with Bridge.arrived:
        while not what():
            if time.monotonic() > end:
                raise AssertionError(f"nothing came: {Bridge.received}")
            Bridge.arrived.wait(0.1)


def raw_spec(push_url: str, entry: str = "train.py") -> dict:
    return {
        "trainingId": "t1",
        "trainingName": "t1",
        "entryPoint": entry,
        "kind": "script",
        "hyperparameters": {"lr": "0.5"},
        "instanceCount": 1,
        "maxDurationSeconds": None,
        "env": {"EM_HP_LR": "0.5"},
        "strategy": "SPREAD",
        "cpusPerRank": 1,
        "maxRetries": 0,
        "pushUrl": push_url,
        "rankInDriver": True,
    }


def logs(rank: str) -> bytes:
    return b"".join(body for path, body in Bridge.received if path == f"logs/{rank}")


def test_a_rank_pushes_its_first_line_while_it_runs_then_its_files(bridge, tmp_path, monkeypatch):
    go = tmp_path / "go"
    (tmp_path / "train.py").write_text(
        "import os, sys, time\n"
        "print('first', sys.argv[1:], os.environ['EMKIT_NODE'], 'EMKIT_PUSH_TOKEN' in os.environ, flush=True)\n"
        f"while not os.path.exists({str(go)!r}):\n"
        "    time.sleep(0.02)\n"
        "open(os.path.join(os.environ['EM_MODEL_DIR'], 'w.txt'), 'w').write('weights')\n"
        "print('last')\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMKIT_PUSH_TOKEN", "secret")
    rank = ray_job.RankRun(raw_spec(bridge), 0, "secret", "127.0.0.9")
    rank.start("127.0.0.9", None)
    ended: dict = {}
    follower = threading.Thread(target=lambda: ended.update(rank.follow()))
    follower.start()
    # the first line reaches the bridge while the process still waits for it to be seen
    wait_for(lambda: b"first" in logs("0"))
    assert rank.process is not None and rank.process.poll() is None
    go.write_text("")
    follower.join(30)
    assert ended == {"code": 0, "detail": None}
    assert logs("0") == b"first ['--lr', '0.5'] 127.0.0.9 False\nlast\n"
    assert ("files/model/w.txt", b"weights") in Bridge.received


def test_the_one_rank_driver_runs_it_here_and_reports_where(bridge, tmp_path, monkeypatch):
    (tmp_path / "train.py").write_text("import os\nprint('hello, attempt', os.environ['EMKIT_ATTEMPT'])\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ray_job, "_this_node", lambda: ("127.0.0.9", "abc123"))
    had_ray = "ray" in sys.modules
    assert ray_job.Driver(raw_spec(bridge), "secret").run() == 0
    statuses = [json.loads(body) for path, body in Bridge.received if path == "status"]
    assert [s["state"] for s in statuses] == ["RUNNING", "COMPLETE"]
    # a rank in the driver is never started again (its node lost is the job lost): always the first attempt
    assert [s["attempt"] for s in statuses] == [1, 1]
    assert statuses[-1]["ranks"] == [
        {"rank": 0, "node": "127.0.0.9", "nodeId": "abc123", "pid": os.getpid(), "exitCode": 0}
    ]
    assert logs("0") == b"hello, attempt 1\n"
    assert ("ray" in sys.modules) == had_ray  # no Ray client on the one-rank path


def test_the_one_rank_driver_fails_the_training_with_the_rank_s_exit(bridge, tmp_path, monkeypatch):
    (tmp_path / "train.py").write_text("import sys\nprint('bad')\nsys.exit(3)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ray_job, "_this_node", lambda: ("127.0.0.9", "abc123"))
    assert ray_job.Driver(raw_spec(bridge), "secret").run() == 1
    final = json.loads([body for path, body in Bridge.received if path == "status"][-1])
    assert (final["state"], final["reason"], final["exitCode"]) == ("FAIL TRAIN", "rank 0 exited with status 3", 3)


def test_the_driver_finds_its_node_on_the_command_line_of_the_raylet_above_it(tmp_path):
    # a stand-in raylet (argv[0] "raylet", Ray's flags) whose grandchild is the driver, as in a job
    probe = "from emkit.runner import ray_job; print(ray_job._this_node())"
    child = f"import subprocess, sys; sys.exit(subprocess.run([{sys.executable!r}, '-c', {probe!r}]).returncode)"
    raylet = [
        "bash",
        "-c",
        'exec -a raylet "$0" -c "$1" --node_id=abc123 --node_ip_address=127.0.0.9',
        sys.executable,
        child,
    ]
    import subprocess

    found = subprocess.run(raylet, capture_output=True, text=True, timeout=60, env=os.environ)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "('127.0.0.9', 'abc123')"
