"""The resource usage sidecar (``python -m emkit.usage``): its pipes as the bridge uses them, and
what it reads of real processes — a child that holds memory, one that has ended. NVML is
optional: without it (no NVIDIA GPU here) the GPU fields are null, never an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import pytest

from trainings import python_env

psutil = pytest.importorskip("psutil", reason="the sidecar samples through psutil (pip install psutil)")

from emkit.usage.gpu import Gpus  # noqa: E402
from emkit.usage.protocol import parse_request, sample_round  # noqa: E402
from emkit.usage.sampler import Sampler  # noqa: E402

HOLDER = textwrap.dedent(
    """
    import sys, time
    block = bytearray(int(sys.argv[1]) * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    print("holding", flush=True)
    time.sleep(60)
    """
)


def _holder(megabytes: int) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(megabytes)], stdout=subprocess.PIPE, text=True, env=python_env()
    )
    assert child.stdout is not None and child.stdout.readline().startswith("holding")
    return child


def test_requests_are_read_strictly():
    assert parse_request('{"sample": [{"key": "a", "pid": 12}, {"key": "b", "pid": 0}]}') == {"a": 12}
    # a bool is no pid, a key must be text, anything else is no request at all
    assert parse_request('{"sample": [{"key": "a", "pid": true}, {"key": 3, "pid": 4}, "x"]}') == {}
    for line in ("not json", "[]", '{"watch": []}', '{"sample": {}}'):
        assert parse_request(line) is None


def test_a_process_and_its_children_are_counted_together():
    parent = subprocess.Popen(
        [sys.executable, "-c", HOLDER.replace("time.sleep(60)", "") + _SPAWN_CHILD, "40"],
        stdout=subprocess.PIPE,
        text=True,
        env=python_env(),
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().startswith("holding")
        assert parent.stdout.readline().startswith("child holding")
        sampler = Sampler()
        tree = sampler.sample(parent.pid)
        assert tree is not None
        assert len(tree.pids) == 2 and tree.pids[0] == parent.pid
        # 40 MB in the parent and 40 in its child: both are counted
        assert tree.memory_mb > 80
        assert tree.threads >= 2 and tree.open_files >= 0 and tree.cpu_percent >= 0
    finally:
        parent.kill()
        parent.wait()


def test_a_child_asked_for_on_its_own_is_not_counted_again_in_its_parent():
    parent = subprocess.Popen(
        [sys.executable, "-c", HOLDER.replace("time.sleep(60)", "") + _SPAWN_CHILD, "40"],
        stdout=subprocess.PIPE,
        text=True,
        env=python_env(),
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline().startswith("holding")
        assert parent.stdout.readline().startswith("child holding")
        (child,) = psutil.Process(parent.pid).children()
        # a batch job's runner and its scoring worker: each its own series
        answer = sample_round(Sampler(), None, {"runner": parent.pid, "worker": child.pid})
        by_key = {sample["key"]: sample for sample in answer["samples"]}
        assert by_key["worker"]["pid"] == child.pid and by_key["worker"]["memoryMb"] > 40
        # the parent's own 40 MB, not its child's again
        assert 40 < by_key["runner"]["memoryMb"] < 40 + by_key["worker"]["memoryMb"]
    finally:
        parent.kill()
        parent.wait()


_SPAWN_CHILD = textwrap.dedent(
    """
    import subprocess
    child = subprocess.Popen([sys.executable, "-c", "import sys, time\\n"
        "block = bytearray(40 * 1024 * 1024)\\n"
        "for i in range(0, len(block), 4096): block[i] = 1\\n"
        "print('child holding', flush=True)\\n"
        "time.sleep(60)"])
    child.wait()
    """
)


def test_a_round_names_what_has_ended_and_leaves_gpu_fields_null_without_nvml():
    child = _holder(30)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    try:
        answer = sample_round(Sampler(), None, {"live": child.pid, "gone": ended.pid})
        assert answer["gone"] == ["gone"]
        (sample,) = answer["samples"]
        assert sample["key"] == "live" and sample["pid"] == child.pid
        assert sample["memoryMb"] > 30
        assert sample["gpuPercent"] is None and sample["gpuMemoryMb"] is None
        assert answer["time"].endswith("Z")
    finally:
        child.kill()
        child.wait()


def test_cpu_is_measured_between_rounds_and_from_the_start_for_a_new_process():
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        deadline = time.time() + 30
        while psutil.Process(busy.pid).cpu_times().user < 0.2 and time.time() < deadline:
            time.sleep(0.05)
        sampler = Sampler()
        first = sampler.sample(busy.pid)
        # first seen: its CPU time since it started, not 0
        assert first is not None and first.cpu_percent > 0
        while time.time() < deadline:
            again = sampler.sample(busy.pid)
            assert again is not None
            if again.cpu_percent > 20:
                break
            time.sleep(0.2)
        else:
            pytest.fail("a process spinning on a core never showed as busy")
    finally:
        busy.kill()
        busy.wait()


def test_gpu_figures_are_summed_over_a_process_tree():
    # NVML's answers, shaped as nvidia-ml-py gives them (no GPU here to ask)
    nvml = SimpleNamespace(
        nvmlDeviceGetComputeRunningProcesses=lambda h: [
            SimpleNamespace(pid=10, usedGpuMemory=512 * 1024 * 1024),
            SimpleNamespace(pid=11, usedGpuMemory=None),
        ],
        nvmlDeviceGetGraphicsRunningProcesses=lambda h: [],
        nvmlDeviceGetProcessUtilization=lambda h, since: [
            SimpleNamespace(pid=10, smUtil=30, timeStamp=5),
            SimpleNamespace(pid=10, smUtil=40, timeStamp=7),
            SimpleNamespace(pid=11, smUtil=5, timeStamp=6),
        ],
        nvmlShutdown=lambda: None,
    )
    gpus = Gpus(nvml, ["gpu0", "gpu1"])
    gpus.read()
    # two GPUs, each answering the same: the sums; the newest utilisation sample of each pid
    assert gpus.of([10, 11]) == (2 * (40.0 + 5.0), 1024.0)
    assert gpus.of([99]) == (0.0, 0.0)


def test_no_nvml_means_no_gpu(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # as if nvidia-ml-py were not installed
    assert Gpus.open() is None


def _sidecar() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "emkit.usage"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=python_env(),
    )


def test_the_sidecar_answers_one_line_a_request_and_ends_with_its_stdin():
    child = _holder(20)
    sidecar = _sidecar()
    try:
        assert sidecar.stdin is not None and sidecar.stdout is not None
        hello = json.loads(sidecar.stdout.readline())
        assert hello == {"ready": True, "gpu": hello["gpu"]}
        sidecar.stdin.write(json.dumps({"sample": [{"key": "k", "pid": child.pid}]}) + "\n")
        sidecar.stdin.flush()
        answer = json.loads(sidecar.stdout.readline())
        assert [s["key"] for s in answer["samples"]] == ["k"] and answer["gone"] == []
        sidecar.stdin.write("what\n")
        sidecar.stdin.flush()
        assert "not a request" in json.loads(sidecar.stdout.readline())["error"]
        sidecar.stdin.close()
        assert sidecar.wait(timeout=20) == 0
    finally:
        sidecar.kill()
        child.kill()
        child.wait()


def test_without_psutil_it_says_so_and_exits(tmp_path):
    # a psutil that fails to import, first on the path
    (tmp_path / "psutil.py").write_text("raise ImportError('no psutil here')\n")
    env = python_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env["PYTHONPATH"]])
    run = subprocess.run([sys.executable, "-m", "emkit.usage"], input="", capture_output=True, text=True, env=env)
    assert run.returncode == 3
    said = json.loads(run.stdout)
    assert "psutil is not installed" in said["error"] and "pip install psutil" in said["error"]
