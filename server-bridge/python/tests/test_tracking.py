"""emkit.tracking: event files as TensorBoard itself reads them back."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from emkit import _tfevents, tracking
from trainings import python_env, wait_until

FILE_NAME = re.compile(r"^events\.out\.tfevents\.\d{10}\.(?P<host>.+)\.(?P<pid>\d+)\.(?P<n>\d+)(?P<suffix>.*)$")

needs_tensorboard = pytest.mark.skipif(
    importlib.util.find_spec("tensorboard") is None, reason="tensorboard isn't installed in this environment"
)


def event_files(log_dir: Path) -> List[Path]:
    return sorted(log_dir.glob("events.out.tfevents.*"))


def scalars(log_dir: Path) -> Dict[str, List[Tuple[int, float]]]:
    """What TensorBoard shows for one run: {tag: [(step, value), ...]}."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(log_dir))
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


def records(path: Path) -> List[bytes]:
    """Split a file into TFRecords, checking both CRCs of each."""
    data, out, at = path.read_bytes(), [], 0
    while at < len(data):
        header = data[at : at + 8]
        (length,) = struct.unpack("<Q", header)
        assert struct.unpack("<I", data[at + 8 : at + 12])[0] == _tfevents.masked_crc32c(header)
        body = data[at + 12 : at + 12 + length]
        assert struct.unpack("<I", data[at + 12 + length : at + 16 + length])[0] == _tfevents.masked_crc32c(body)
        out.append(body)
        at += 16 + length
    return out


@pytest.fixture
def fresh_default(monkeypatch, tmp_path):
    """log_metric's default writer, pointed at a fresh EM_TENSORBOARD_LOG_DIR."""
    monkeypatch.setenv("EM_TENSORBOARD_LOG_DIR", str(tmp_path / "tensorboard"))
    monkeypatch.setattr(tracking, "_default", None)
    monkeypatch.setattr(tracking, "_steps", {})
    yield tmp_path / "tensorboard"
    if tracking._default is not None:
        tracking._default.close()


# --- the format -----------------------------------------------------------------------------


def test_crc32c_known_answers():
    assert _tfevents.crc32c(b"123456789") == 0xE3069283
    assert _tfevents.crc32c(b"") == 0
    assert _tfevents.crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720, B.4: 32 bytes of zeros


def test_records_are_framed_and_the_first_holds_the_file_version(tmp_path):
    with tracking.SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("loss", 0.5, 1)
    (path,) = event_files(tmp_path)
    first, second = records(path)
    assert _tfevents.FILE_VERSION in first
    assert b"loss" in second and struct.pack("<f", 0.5) in second


def test_file_names_follow_tensorboard(tmp_path):
    first = tracking.SummaryWriter(str(tmp_path), filename_suffix=".v2")
    second = tracking.SummaryWriter(str(tmp_path))
    names = [FILE_NAME.match(p.name) for p in event_files(tmp_path)]
    assert all(names) and len(names) == 2
    assert {m["host"] for m in names} == {socket.gethostname()}
    assert {m["pid"] for m in names} == {str(os.getpid())}
    assert {m["suffix"] for m in names} == {".v2", ""}
    assert len({m["n"] for m in names}) == 2  # distinct, even within one second
    first.close()
    second.close()


# --- read back by TensorBoard ---------------------------------------------------------------


@needs_tensorboard
def test_log_metric_steps_count_per_metric(fresh_default):
    tracking.log_metric("loss", 0.5)
    tracking.log_metric("loss", 0.25)
    tracking.log_metric("accuracy", 0.75, step=10)
    tracking.log_metrics({"loss": 0.125, "accuracy": 0.875})
    tracking.flush()
    assert len(event_files(fresh_default)) == 1
    assert scalars(fresh_default) == {"loss": [(0, 0.5), (1, 0.25), (2, 0.125)], "accuracy": [(10, 0.75), (11, 0.875)]}


@needs_tensorboard
def test_summary_writer_scalars(tmp_path):
    with tracking.SummaryWriter(str(tmp_path), max_queue=1000, flush_secs=60) as writer:
        assert writer.get_logdir() == str(tmp_path)
        for step in range(5):
            writer.add_scalar("train/loss", 1 / (step + 1), step)
        writer.add_scalar("big", 3.0e39, 1)  # beyond float32: infinite, as torch writes it
        writer.add_scalar("no_step", 2.0)
        writer.add_scalars("compare", {"train": 1.0, "val": 2.0}, 7)
    assert scalars(tmp_path) == {
        "train/loss": [(step, pytest.approx(1 / (step + 1))) for step in range(5)],
        "big": [(1, float("inf"))],
        "no_step": [(0, 2.0)],
    }
    # add_scalars: one run per key, each under the main tag, as torch lays them out
    assert scalars(tmp_path / "compare_train") == {"compare": [(7, 1.0)]}
    assert scalars(tmp_path / "compare_val") == {"compare": [(7, 2.0)]}


@needs_tensorboard
def test_new_style_scalars_are_tensors(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    with tracking.SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("f", 0.5, 1, new_style=True)
        writer.add_scalar("d", 0.1, 2, new_style=True, double_precision=True)
    accumulator = EventAccumulator(str(tmp_path))
    accumulator.Reload()
    assert sorted(accumulator.Tags()["tensors"]) == ["d", "f"]
    (f,), (d,) = accumulator.Tensors("f"), accumulator.Tensors("d")
    assert (
        f.step,
        tensor_util.make_ndarray(f.tensor_proto).dtype.name,
        float(tensor_util.make_ndarray(f.tensor_proto)),
    ) == (1, "float32", 0.5)
    assert (
        d.step,
        tensor_util.make_ndarray(d.tensor_proto).dtype.name,
        float(tensor_util.make_ndarray(d.tensor_proto)),
    ) == (2, "float64", 0.1)
    assert accumulator.SummaryMetadata("f").plugin_data.plugin_name == "scalars"


def test_file_names_sort_in_the_order_they_were_made_within_one_second(monkeypatch):
    import itertools

    from emkit import _tfevents

    monkeypatch.setattr(_tfevents, "_file_counter", itertools.count(9))
    monkeypatch.setattr(_tfevents.time, "time", lambda: 1_800_000_000.0)
    names = [_tfevents.file_name() for _ in range(3)]  # the 9th, 10th and 11th of that second
    assert sorted(names) == names


@needs_tensorboard
def test_purge_step_hides_what_a_previous_run_logged_from_there(tmp_path):
    with tracking.SummaryWriter(str(tmp_path)) as writer:
        for step in range(6):
            writer.add_scalar("loss", float(step), step)
    with tracking.SummaryWriter(str(tmp_path), purge_step=3) as writer:  # resumed from step 3
        writer.add_scalar("loss", 30.0, 3)
    assert scalars(tmp_path)["loss"] == [(0, 0.0), (1, 1.0), (2, 2.0), (3, 30.0)]


@needs_tensorboard
def test_numpy_and_torch_values(tmp_path):
    numpy = pytest.importorskip("numpy", reason="numpy isn't installed")
    with tracking.SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("numpy", numpy.float64(0.25), numpy.int64(1))
        writer.add_scalar("array", numpy.array(0.5), 2)
        if importlib.util.find_spec("torch") is not None:
            import torch

            writer.add_scalar("torch", torch.tensor(0.75), torch.tensor(3))
    logged = scalars(tmp_path)
    assert logged["numpy"] == [(1, 0.25)] and logged["array"] == [(2, 0.5)]
    if "torch" in logged:
        assert logged["torch"] == [(3, 0.75)]


# --- when it reaches the disk ---------------------------------------------------------------


def test_a_metric_is_on_disk_within_a_second_or_so(tmp_path):
    writer = tracking.SummaryWriter(str(tmp_path), flush_secs=0.2)
    (path,) = event_files(tmp_path)
    size = path.stat().st_size
    writer.add_scalar("loss", 1.0, 1)  # below max_queue: waits for the timer
    wait_until(lambda: path.stat().st_size > size, 3, "the timed flush")
    writer.close()


def test_max_queue_writes_at_once(tmp_path):
    writer = tracking.SummaryWriter(str(tmp_path), max_queue=3, flush_secs=60)
    (path,) = event_files(tmp_path)
    for step in range(3):
        writer.add_scalar("loss", 1.0, step)
    assert len(records(path)) == 4
    writer.close()


def test_what_is_logged_is_written_at_exit(tmp_path):
    code = "import emkit.tracking as t\nt.log_metric('loss', 0.5)\nt.log_metric('loss', 0.25)\n"
    log_dir = tmp_path / "tensorboard"
    subprocess.run(
        [sys.executable, "-c", code], env=python_env(EM_TENSORBOARD_LOG_DIR=str(log_dir)), check=True, timeout=30
    )
    (path,) = event_files(log_dir)
    assert len(records(path)) == 3


def test_without_a_training_log_metric_writes_to_runs(tmp_path):
    env = python_env()
    env.pop("EM_TENSORBOARD_LOG_DIR", None)
    code = (
        "import emkit.tracking as t, sys\n"
        "t.log_metric('x', 1)\n"
        "print(sorted(sys.modules.keys() & {'tensorboard', 'torch', 'google.protobuf'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, check=True, timeout=30, capture_output=True, text=True
    )
    assert json.loads(result.stdout.replace("'", '"')) == []  # nothing heavy imported
    assert len(event_files(tmp_path / "runs")) == 1
