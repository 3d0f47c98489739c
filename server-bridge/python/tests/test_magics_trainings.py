"""%emkit train (this notebook, a path, the cell), logs, stop and copy, in a real IPython
shell against a real bridge, with real trainings."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from pathlib import Path

import pytest

from magics import run


def notebook(path: Path, *cells: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
                    for source in cells
                ],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    return path


@pytest.fixture
def cleanup(client):
    """Trainings and experiments a test made, deleted after it whatever happened."""
    made = {"trainings": [], "experiments": []}
    yield made
    for key in made["trainings"]:
        with contextlib.suppress(Exception):
            client.trainings.stop(key)
        try:
            client.trainings.wait(key, timeout=30)
            client.trainings.delete(key)
        except Exception:
            pass
    for key in made["experiments"]:
        with contextlib.suppress(Exception):
            client.experiments.delete(key)


def test_train_with_no_path_submits_this_jupyter_notebook(
    shell, bridge_env, tmp_path, monkeypatch, unique_name, cleanup
):
    # Jupyter Server starts the kernel in the notebook's folder with JPY_SESSION_NAME naming it;
    # the notebook itself has the magic, and skips it when it runs as the training
    path = notebook(tmp_path / "My Churn.ipynb", "%emkit train --wait", "print('ran as a training', 6 * 7)")
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    name = unique_name("nb")
    cleanup["trainings"].append(name)
    ran = run(shell, f"%emkit train --wait --name {name}")
    assert ran.error is None, ran.text
    assert ran.value["state"] == "COMPLETE", ran.value["stateReason"]
    assert ran.value["source"]["entryPoint"] == "My Churn.ipynb"
    log = run(shell, f"%emkit logs {name}").stdout
    assert "ran as a training 42" in log
    assert "%emkit train is skipped inside a training" in log


def test_train_with_no_path_finds_a_relative_session_name_in_the_kernel_folder(
    shell, bridge_env, tmp_path, monkeypatch, unique_name, cleanup
):
    notebook(tmp_path / "relative.ipynb", "print('relative ok')")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", "work/relative.ipynb")  # relative to the server's root
    name = unique_name("rel")
    cleanup["trainings"].append(name)
    ran = run(shell, f"%emkit train --name {name} --no-wait")
    assert ran.error is None, ran.text
    assert ran.value["source"]["entryPoint"] == "relative.ipynb"
    assert f"training {name} submitted" in ran.stdout


def test_train_with_no_path_under_vscode(shell, bridge_env, tmp_path, monkeypatch, unique_name, cleanup):
    path = notebook(tmp_path / "vs.ipynb", "print('from vscode')")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    shell.user_ns["__vsc_ipynb_file__"] = str(path)
    name = unique_name("vs")
    cleanup["trainings"].append(name)
    try:
        ran = run(shell, f"%emkit train --name {name} --wait")
    finally:
        del shell.user_ns["__vsc_ipynb_file__"]
    assert ran.error is None, ran.text
    assert ran.value["state"] == "COMPLETE" and ran.value["source"]["entryPoint"] == "vs.ipynb"


def test_train_with_no_path_and_no_notebook_asks_for_the_path(shell, bridge_env, tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    shown = run(shell, "%emkit train").one_line_error()
    assert shown == (
        "emkit: this kernel doesn't know its notebook (not started by JupyterLab or VS Code): "
        "give the notebook's path: %emkit train path/to/notebook.ipynb"
    )
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "Untitled.ipynb"))
    shown = run(shell, "%emkit train").one_line_error()
    assert "Untitled.ipynb is not a saved .ipynb file: save it, or give the notebook's path" in shown


def test_max_retries_goes_to_the_bridge_and_a_bad_count_is_refused_here(shell, bridge_env, tmp_path):
    script = tmp_path / "fit.py"
    script.write_text("print(1)\n")
    # no cluster: the bridge refuses it, naming the option's field
    shown = run(shell, f"%emkit train {script} --max-retries 2").one_line_error()
    assert "maxRetries" in shown and "name a cluster" in shown, shown
    shown = run(shell, f"%emkit train {script} --max-retries -1").one_line_error()
    assert "'-1' is not 0 or more" in shown, shown


def test_train_is_skipped_inside_a_training(shell, bridge_env, monkeypatch):
    monkeypatch.setenv("EM_SOURCE_DIR", "/somewhere")
    ran = run(shell, "%%emkit train --wait\nprint('never')")
    assert ran.error is None and ran.value is None
    assert ran.stdout.strip() == "emkit: %emkit train is skipped inside a training"


def test_a_path_with_options_and_a_failing_run(shell, bridge_env, tmp_path, unique_name, cleanup):
    data = tmp_path / "data"
    data.mkdir()
    (data / "rows.csv").write_text("a,b\n")
    script = tmp_path / "fit.py"
    script.write_text(
        "import os, sys\n"
        "print('args', sys.argv[1:], 'data', sorted(os.listdir(os.environ['EM_DATASET_TRAIN'])))\n"
        "print('<script>alert(1)</script>')\n"
        "sys.exit(3)\n"
    )
    name, experiment = unique_name("fail"), unique_name("exp")
    cleanup["trainings"].append(name)
    cleanup["experiments"].append(experiment)
    ran = run(
        shell,
        f"%emkit train {script} --name {name} --experiment {experiment} --hp epochs=3 "
        f"--dataset train={data} --max-time 10m --tag team=ml --wait",
    )
    shown = ran.one_line_error()
    assert shown.startswith(f"emkit: training {name} ended FAIL TRAIN"), shown
    # the live display showed the log's last lines and the failure
    final = ran.html()[-1]
    assert "FAIL TRAIN" in final and "args [&#x27;--epochs&#x27;, &#x27;3&#x27;] data [&#x27;rows.csv&#x27;]" in final
    # a log line is text, never markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in final and "<script>" not in final
    training = run(shell, f"%emkit list trainings --experiment {experiment}").value
    [listed] = training
    assert (listed["name"], listed["maxDurationSeconds"], listed["tags"]) == (name, 600, {"team": "ml"})


def test_the_cell_as_a_script_then_logs_follow_stop_and_copy(shell, bridge_env, unique_name, cleanup, client):
    name = unique_name("loop")
    cleanup["trainings"].append(name)
    ran = run(
        shell,
        f"%%emkit train --name {name}\n"
        "import time\n"
        "for i in range(600):\n"
        "    print('tick', i, flush=True)\n"
        "    time.sleep(0.1)\n",
    )
    assert ran.error is None, ran.text
    assert ran.value["state"] in ("CREATE REQUESTED", "CREATE IN PROGRESS", "RUNNING")
    assert ran.value["source"]["kind"] == "script"

    # --follow streams while it runs; stopping it (from elsewhere) ends the stream
    def stop_soon():
        deadline = time.monotonic() + 30
        while "tick 3" not in client.trainings.log(name) and time.monotonic() < deadline:
            time.sleep(0.1)
        client.trainings.stop(name)

    stopper = threading.Thread(target=stop_soon)
    stopper.start()
    ran = run(shell, f"%emkit logs {name} --follow")
    stopper.join()
    assert ran.error is None, ran.text
    assert "tick 0\n" in ran.stdout and "tick 3\n" in ran.stdout and "tick 599" not in ran.stdout
    assert client.trainings.get(name)["state"] == "STOPPED"

    # stopping a stopped training is refused, in one line
    assert "emkit: " in run(shell, f"%emkit stop {name}").one_line_error()

    copy_name = unique_name("copy")
    cleanup["trainings"].append(copy_name)
    ran = run(shell, f"%emkit copy {name} --name {copy_name} --max-time 2s --wait")
    shown = ran.one_line_error()
    assert shown.startswith(f"emkit: training {copy_name} ended "), shown
    copied = client.trainings.get(copy_name)
    assert copied["copiedFrom"] == client.trainings.get(name)["id"] and copied["maxDurationSeconds"] == 2


def test_stop_waits_until_stopped(shell, bridge_env, tmp_path, unique_name, cleanup):
    script = tmp_path / "sleep.py"
    script.write_text("import time\nprint('up', flush=True)\ntime.sleep(120)\n")
    name = unique_name("stop")
    cleanup["trainings"].append(name)
    assert run(shell, f"%emkit train {script} --name {name}").error is None
    ran = run(shell, f"%emkit stop {name} --wait")
    assert ran.error is None, ran.text
    assert ran.value["state"] == "STOPPED"
    assert "STOPPED" in ran.html()[-1]
