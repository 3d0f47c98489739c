"""The evaluation runner's life and its data: batches never larger than batchRows in every
format, a model failing mid-way (FAILED), SIGTERM (STOPPED), and the bad datasets that the
create-time check (``--check``) and the runner report clearly."""

from __future__ import annotations

import json
import os
import signal
import textwrap
from pathlib import Path
from typing import Any

import pytest

from evaluations import check, custom_model, evaluate, run_process, start, write_jsonl, write_spec
from trainings import wait_until

pandas = pytest.importorskip("pandas", reason="pandas isn't installed in this interpreter")

# A predict.py that notes each batch's size in calls.jsonl beside it, and predicts the parity.
COUNTING = """
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))

def predict(instances):
    with open(os.path.join(HERE, "calls.jsonl"), "a") as file:
        file.write(json.dumps(len(instances)) + "\\n")
    return [int(row[0]) % 2 if isinstance(row, list) else 0 for row in instances]
"""


def table(rows: int) -> Any:
    return pandas.DataFrame({"n": range(rows), "m": range(rows), "label": [i % 2 for i in range(rows)]})


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl", "folder"])
def test_batches_never_hold_more_than_batch_rows(tmp_path, kind):
    if kind == "parquet":
        pytest.importorskip("pyarrow", reason="pyarrow isn't installed in this interpreter")
    rows = 1000
    if kind == "csv":
        data = tmp_path / "data.csv"
        table(rows).to_csv(data, index=False)
    elif kind == "parquet":
        data = tmp_path / "data.parquet"
        table(rows).to_parquet(data, row_group_size=300)
    elif kind == "jsonl":
        data = write_jsonl(tmp_path / "data.jsonl", [{"instance": [i, i], "label": i % 2} for i in range(rows)])
    else:
        data = tmp_path / "folder"
        for label in ("0", "1"):
            (data / label).mkdir(parents=True)
        for i in range(rows):
            (data / str(i % 2) / f"{i:04d}.bin").write_bytes(b"x")
    model_dir = custom_model(tmp_path / "counting", COUNTING)

    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data, framework="custom", batchRows=64))
    assert outcome.status["state"] == "COMPLETE", outcome.status
    sizes = [json.loads(line) for line in (model_dir / "calls.jsonl").read_text().splitlines()]
    assert sum(sizes) == rows and max(sizes) <= 64
    assert len(sizes) == -(-rows // 64)  # 16 batches: 15 of 64 and one of 40
    assert outcome.status["rowsDone"] == rows and outcome.result["rows"] == rows
    if kind != "folder":
        assert outcome.classification["accuracy"] == 1.0


FAILS_ON_ROW_100 = """
def predict(instances):
    if any(row[0] == 100 for row in instances):
        raise RuntimeError("cannot score row 100")
    return [row[0] % 2 for row in instances]
"""


def test_a_model_that_fails_mid_way_ends_failed_with_its_error(tmp_path):
    data = tmp_path / "data.csv"
    table(300).to_csv(data, index=False)
    model_dir = custom_model(tmp_path / "failing", FAILS_ON_ROW_100)

    outcome = run_process(write_spec(tmp_path / "e", model_dir, data, framework="custom", batchRows=64))
    assert outcome.code != 0 and outcome.status["state"] == "FAILED", outcome.log
    reason = outcome.status["reason"]
    assert reason == "the model failed on rows 64-127: RuntimeError: cannot score row 100", reason
    assert outcome.status["rowsDone"] == 64 and outcome.status["endedAt"]
    # the traceback goes to the log; nothing half-stored
    assert "Traceback" in outcome.log and "cannot score row 100" in outcome.log
    assert outcome.result is None and outcome.curves is None
    assert not list((tmp_path / "e").glob("*.tmp"))


SLOW = """
import time

def predict(instances):
    time.sleep(0.05)
    return [row[0] % 2 for row in instances]
"""


def test_sigterm_stops_the_run_and_it_ends_stopped(tmp_path):
    data = tmp_path / "data.csv"
    table(20_000).to_csv(data, index=False)
    model_dir = custom_model(tmp_path / "slow", SLOW)
    spec = write_spec(tmp_path / "e", model_dir, data, framework="custom", batchRows=10)
    status_file = tmp_path / "e" / "status.json"

    process = start(spec)
    try:

        def running():
            try:
                status = json.loads(status_file.read_text())
            except (OSError, ValueError):
                return None
            return status if status["state"] == "RUNNING" and status["rowsDone"] >= 20 else None

        seen = wait_until(running, 60, "the runner to report rows done")
        assert seen["pid"] == process.pid and seen["task"] == "classification"
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    status = json.loads(status_file.read_text())
    assert code == 0 and status["state"] == "STOPPED", status
    assert status["reason"].startswith("stopped after") and 20 <= status["rowsDone"] < 20_000
    assert not (tmp_path / "e" / "result.json").exists() and not (tmp_path / "e" / "curves.json").exists()


# --- bad datasets: the create-time check and the runner say the same -------------------------


@pytest.fixture
def sklearn_model(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")
    import joblib
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0, 0], [1, 1], [0, 1], [1, 0]], [0, 1, 1, 0])
    folder = tmp_path / "model"
    folder.mkdir()
    joblib.dump(model, folder / "model.joblib")
    return folder


def both(tmp_path: Path, model_dir: Path, data: Path, **options):
    """(--check's answer, the runner's status) on the same spec."""
    spec = write_spec(tmp_path / "e", model_dir, data, **options)
    answer = check(spec)
    outcome = evaluate(spec)
    assert outcome.result is None, "a bad dataset must store no result"
    return answer, outcome.status


def test_check_of_a_good_csv_names_its_columns(tmp_path, sklearn_model):
    data = tmp_path / "data.csv"
    table(10).to_csv(data, index=False)
    answer = check(write_spec(tmp_path / "e", sklearn_model, data))
    assert answer == {
        "ok": True,
        "format": "csv",
        "columns": ["n", "m", "label"],
        "classes": None,
        "label": "label",
        "features": ["n", "m"],
        "task": None,
    }


def test_a_missing_label_column_names_the_column_and_the_columns_found(tmp_path, sklearn_model):
    data = tmp_path / "data.csv"
    table(10).to_csv(data, index=False)
    answer, status = both(tmp_path, sklearn_model, data, label="target")
    assert answer["ok"] is False and answer["field"] == "label"
    assert '"target"' in answer["message"] and "n, m, label" in answer["message"]
    assert status["state"] == "FAILED" and status["reason"] == answer["message"]


def test_no_label_column_and_no_label_given_is_an_error_for_a_classifier(tmp_path, sklearn_model):
    data = tmp_path / "data.csv"
    pandas.DataFrame({"a": [1, 2], "b": [3, 4]}).to_csv(data, index=False)
    answer, status = both(tmp_path, sklearn_model, data)
    assert answer["ok"] is False and answer["field"] == "label"
    assert 'no label column "label"' in answer["message"] and "a, b" in answer["message"]
    assert status["state"] == "FAILED" and "a, b" in status["reason"]


@pytest.mark.parametrize(
    ("name", "content", "field", "says"),
    [
        ("empty.csv", "", "data", "is empty"),
        ("empty.jsonl", "\n\n", "data", "is empty"),
        ("data.txt", "a,b\n1,2\n", "format", "can't tell the format"),
        ("bad.jsonl", '{"instance": [1], "label": 0}\nnot json\n', None, "line 2"),
        ("header.csv", "n,m,label\n", None, "no rows"),
    ],
    ids=["empty-csv", "blank-jsonl", "unknown-suffix", "bad-jsonl-line", "header-only"],
)
def test_bad_files_are_clear_errors(tmp_path, sklearn_model, name, content, field, says):
    data = tmp_path / name
    data.write_text(content)
    answer, status = both(tmp_path, sklearn_model, data)
    if field is not None:  # found from the header or first line
        assert answer["ok"] is False and answer["field"] == field and says in answer["message"], answer
    else:  # found only by reading on
        assert answer["ok"] is True, answer
    assert status["state"] == "FAILED" and says in status["reason"], status


def test_a_folder_without_class_subfolders_is_a_clear_error(tmp_path, sklearn_model):
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"x")
    answer, status = both(tmp_path, sklearn_model, folder)
    assert answer == {
        "ok": False,
        "message": f"{folder} has no class subfolders: a folder dataset has one subfolder per class",
        "field": "data",
    }
    assert status["state"] == "FAILED" and status["reason"] == answer["message"]


def test_check_of_a_folder_lists_its_classes_and_of_a_jsonl_without_labels_says_clustering(tmp_path, sklearn_model):
    folder = tmp_path / "pets"
    for label in ("dog", "cat"):
        (folder / label).mkdir(parents=True)
    assert check(write_spec(tmp_path / "e1", sklearn_model, folder))["classes"] == ["cat", "dog"]
    data = write_jsonl(tmp_path / "points.jsonl", [{"instance": [1, 2]}])
    answer = check(write_spec(tmp_path / "e2", sklearn_model, data))
    assert answer["ok"] is True and answer["format"] == "jsonl" and answer["task"] == "clustering"


def test_a_path_that_does_not_exist(tmp_path, sklearn_model):
    missing = tmp_path / "nowhere.csv"
    answer, status = both(tmp_path, sklearn_model, missing)
    assert answer == {"ok": False, "message": f"{missing} doesn't exist", "field": "data"}
    assert status["state"] == "FAILED" and status["reason"] == answer["message"]


@pytest.mark.skipif(os.geteuid() == 0, reason="run as root, which reads any file: an unreadable one can't be made")
def test_a_file_that_cannot_be_read_unless_root(tmp_path, sklearn_model):
    locked = tmp_path / "locked.csv"
    locked.write_text("a,label\n1,0\n")
    locked.chmod(0)
    answer = check(write_spec(tmp_path / "e2", sklearn_model, locked))
    assert answer["ok"] is False and "permission denied" in answer["message"]


def test_regression_task_asked_with_text_labels_fails_clearly(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"instance": [1], "label": "x"}])
    model_dir = custom_model(tmp_path / "m", textwrap.dedent("def predict(rows):\n    return [0.5 for _ in rows]\n"))
    outcome = evaluate(write_spec(tmp_path / "e", model_dir, data, framework="custom", task="regression"))
    assert outcome.status["state"] == "FAILED" and "numeric labels" in outcome.status["reason"]


def test_check_reads_the_spec_from_stdin(tmp_path, sklearn_model):
    import subprocess

    from trainings import PYTHON, python_env

    data = tmp_path / "data.csv"
    table(3).to_csv(data, index=False)
    spec = write_spec(tmp_path / "e", sklearn_model, data, label="nope").read_text()
    done = subprocess.run(
        [PYTHON, "-m", "emkit.evaluation", "--check", "-"],
        input=spec,
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=60,
    )
    answer = json.loads(done.stdout)
    assert done.returncode == 0 and answer["ok"] is False and answer["field"] == "label", done


def test_a_package_missing_from_the_models_environment_is_named(tmp_path, sklearn_model, monkeypatch):
    """Stands for an environment made for PyTorch alone: a needed module that isn't there."""
    from emkit.evaluation import environment

    monkeypatch.setitem(environment.NEEDED, "emkit_no_such_module", "emkit-no-such-package")
    data = tmp_path / "data.csv"
    table(5).to_csv(data, index=False)
    spec = write_spec(tmp_path / "e", sklearn_model, data)
    outcome = evaluate(spec)
    assert outcome.status["state"] == "FAILED"
    assert outcome.status["reason"].startswith("the model's environment lacks emkit-no-such-package")
    from emkit.evaluation.check import check as check_in_process
    from emkit.evaluation.datasets import DatasetError
    from emkit.evaluation.spec import read_spec

    with pytest.raises(DatasetError, match="pip install emkit-no-such-package") as raised:
        check_in_process(read_spec(str(spec)))
    assert raised.value.field == "environment"


def test_a_scikit_learn_too_old_for_the_metrics_is_named_with_the_version_needed(tmp_path, sklearn_model, monkeypatch):
    from emkit.evaluation import environment

    monkeypatch.setitem(environment.OLDEST, "scikit-learn", (99, 0))
    data = tmp_path / "data.csv"
    table(5).to_csv(data, index=False)
    outcome = evaluate(write_spec(tmp_path / "e", sklearn_model, data))
    assert outcome.status["state"] == "FAILED"
    assert "lacks scikit-learn>=99.0" in outcome.status["reason"]
    assert "pip install 'scikit-learn>=99.0'" in outcome.status["reason"]


WAITS_FOR_GO = """
import os, time

HERE = os.path.dirname(os.path.abspath(__file__))

def load():
    # hold the model's loading until the test says go: status.json must already be there
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(HERE, "go")) and time.monotonic() < deadline:
        time.sleep(0.02)

def predict(instances):
    return [row[0] % 2 for row in instances]
"""


def test_status_is_written_at_the_start_before_the_model_loads(tmp_path):
    data = tmp_path / "data.csv"
    table(50).to_csv(data, index=False)
    model_dir = custom_model(tmp_path / "slow-load", WAITS_FOR_GO)
    spec = write_spec(tmp_path / "e", model_dir, data, framework="custom")
    status_file = tmp_path / "e" / "status.json"
    process = start(spec)
    try:

        def started():
            try:
                return json.loads(status_file.read_text())
            except (OSError, ValueError):
                return None

        first = wait_until(started, 60, "status.json at the start")
        assert first["state"] == "RUNNING" and first["rowsDone"] == 0 and first["pid"] == process.pid
        assert first["startedAt"] and first["endedAt"] is None and first["sha256"] is None
        (model_dir / "go").touch()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    final = json.loads(status_file.read_text())
    assert final["state"] == "COMPLETE" and final["rowsDone"] == 50 and final["startedAt"] == first["startedAt"]
