"""Notebook trainings: `python -m emkit.runner.notebook`, alone and under the supervisor."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from trainings import PYTHON, importable, python_env

pytestmark = pytest.mark.skipif(not importable("IPython"), reason="IPython isn't installed in this environment")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def code(source: str, *tags: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": list(tags)},
        "outputs": [],
        "source": source,
    }


def markdown(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells: dict) -> dict:
    numbered = [{"id": f"cell-{i}", **cell} for i, cell in enumerate(cells)]
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": numbered,
    }


class Executed:
    def __init__(self, result: subprocess.CompletedProcess, output: Path, error_file: Path):
        self.returncode, self.stdout, self.stderr = result.returncode, result.stdout, result.stderr
        self.notebook = json.loads(output.read_text()) if output.exists() else None
        self.error = json.loads(error_file.read_text()) if error_file.exists() else None

    @property
    def cells(self) -> List[dict]:
        return self.notebook["cells"]

    def stream(self, cell: dict, name: str = "stdout") -> str:
        return "".join(
            "".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream" and o["name"] == name
        )


def execute(tmp_path: Path, document: dict, hyperparameters: Optional[Dict[str, str]] = None, env=None) -> Executed:
    path = tmp_path / "train.ipynb"
    path.write_text(json.dumps(document))
    output, error_file = tmp_path / "artifacts" / "train.ipynb", tmp_path / "rank-0.error.json"
    args = [a for key, value in (hyperparameters or {}).items() for a in (f"--{key}", value)]
    command = [
        PYTHON,
        "-m",
        "emkit.runner.notebook",
        str(path),
        "--output",
        str(output),
        "--error-file",
        str(error_file),
        "--",
        *args,
    ]
    environment = python_env(EM_HPS=json.dumps(hyperparameters or {}), **(env or {}))
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)
    return Executed(result, output, error_file)


# --- parameters -----------------------------------------------------------------------------


def test_hyperparameters_are_injected_after_the_parameters_cell_and_typed(tmp_path):
    hyperparameters = {"epochs": "10", "lr": "0.1", "name": "resnet", "augment": "true", "pretrained": "False"}
    hyperparameters.update({"seed": "None", "scale": "1e3", "learning-rate": "0.5", "not valid": "x"})
    document = notebook(
        markdown("# Training"),
        code("epochs = 1\nlr = 0.01\nname = 'small'", "parameters"),
        code(
            "import sys\n"
            "for k in ['epochs', 'lr', 'name', 'augment', 'pretrained', 'seed', 'scale', 'learning_rate']:\n"
            "    print(k, repr(globals()[k]))\n"
            "print('argv', sys.argv[1:])"
        ),
    )
    run = execute(tmp_path, document, hyperparameters)
    assert run.returncode == 0, run.stderr

    kinds = [(c["cell_type"], c["metadata"].get("tags")) for c in run.cells]
    assert kinds == [("markdown", None), ("code", ["parameters"]), ("code", ["injected-parameters"]), ("code", [])]
    injected = run.cells[2]
    assert injected["source"].startswith("# Parameters\n")
    assert "id" in injected  # nbformat 4.5
    printed = run.stream(run.cells[3])
    expected = ["epochs 10", "lr 0.1", "name 'resnet'", "augment True", "pretrained False", "seed None"]
    for line in [*expected, "scale 1000.0", "learning_rate 0.5"]:
        assert line + "\n" in printed
    argv = [a for key, value in hyperparameters.items() for a in (f"--{key}", value)]
    assert f"argv {argv!r}" in printed
    assert run.notebook["metadata"]["emkit"]["parameters"]["epochs"] == 10
    assert run.notebook["metadata"]["kernelspec"]["name"] == "python3"  # the original metadata stays


def test_without_a_parameters_cell_they_go_first(tmp_path):
    run = execute(tmp_path, notebook(code("print(epochs * 2)")), {"epochs": "21"})
    assert run.returncode == 0, run.stderr
    assert run.cells[0]["metadata"]["tags"] == ["injected-parameters"]
    assert run.stream(run.cells[1]) == "42\n"


def test_without_hyperparameters_nothing_is_injected(tmp_path):
    run = execute(tmp_path, notebook(code("x = 1", "parameters"), code("x")))
    assert run.returncode == 0, run.stderr
    assert len(run.cells) == 2
    assert run.notebook["metadata"]["emkit"]["parameters"] == {}


# --- outputs --------------------------------------------------------------------------------


def test_outputs_are_recorded_as_nbformat_and_shown_in_the_log(tmp_path):
    document = notebook(
        code("import sys\nprint('one')\nprint('two')\nprint('oops', file=sys.stderr)\n6 * 7"),
        markdown("some *text*"),
        code("from IPython.display import HTML\ndisplay(HTML('<b>bold</b>'))\n'done'"),
        code("%time total = sum(range(10))\n!echo from-a-shell\ntotal"),
        code("x = 1;"),
        code("   "),
    )
    run = execute(tmp_path, document)
    assert run.returncode == 0, run.stderr
    first, text, rich, magics, quiet, empty = run.cells

    assert [o["output_type"] for o in first["outputs"]] == ["stream", "stream", "execute_result"]
    assert run.stream(first) == "one\ntwo\n"  # consecutive writes make one output
    assert run.stream(first, "stderr") == "oops\n"
    result = first["outputs"][2]
    assert result["data"] == {"text/plain": "42"} and result["execution_count"] == first["execution_count"] == 1

    assert "outputs" not in text and "execution_count" not in text
    display = rich["outputs"][0]
    assert display["output_type"] == "display_data"
    assert display["data"]["text/html"] == "<b>bold</b>"
    assert rich["outputs"][1]["data"]["text/plain"] == "'done'"

    assert "Wall time" in run.stream(magics)
    assert "from-a-shell" in run.stream(magics)
    assert magics["outputs"][-1]["data"]["text/plain"] == "45"
    assert quiet["outputs"] == []  # a trailing ; silences the result, as in Jupyter
    assert empty["execution_count"] is None  # an empty cell isn't run

    for cell in (first, rich, magics):
        timing = cell["metadata"]["emkit"]
        assert timing["start"] <= timing["end"] and timing["duration"] >= 0
    assert run.notebook["metadata"]["emkit"]["status"] == "completed"

    # the log (the rank's stdout/stderr) shows the same, live
    assert "one\ntwo\n42\n" in run.stdout
    assert "oops" in run.stderr
    assert "from-a-shell" in run.stdout


@pytest.mark.skipif(
    not importable("matplotlib", "matplotlib_inline"),
    reason="matplotlib and matplotlib-inline aren't both installed in this environment",
)
def test_a_matplotlib_figure_becomes_a_png(tmp_path):
    document = notebook(code("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('loss');"))
    run = execute(tmp_path, document)
    assert run.returncode == 0, run.stderr
    images = [o for o in run.cells[0]["outputs"] if o["output_type"] == "display_data" and "image/png" in o["data"]]
    assert len(images) == 1
    assert base64.b64decode(images[0]["data"]["image/png"]).startswith(PNG_MAGIC)


def test_the_notebook_doesnt_import_matplotlib_itself(tmp_path):
    run = execute(tmp_path, notebook(code("import sys\nprint('matplotlib' in sys.modules)")))
    assert run.returncode == 0, run.stderr
    assert run.stream(run.cells[0]) == "False\n"


# --- failures -------------------------------------------------------------------------------


def test_a_failing_cell_stops_the_run_and_says_where(tmp_path):
    document = notebook(
        markdown("# Training"),
        code("x = 1", "parameters"),
        code("print('before')\nraise ValueError('bad value')"),
        code("print('never')"),
    )
    run = execute(tmp_path, document, {"x": "2"})
    assert run.returncode == 1
    # cell 3 of the notebook as written: the injected cell doesn't count
    assert run.error == {
        "cell": 3,
        "ename": "ValueError",
        "evalue": "bad value",
        "reason": "cell 3 raised ValueError: bad value",
    }

    failed, never = run.cells[3], run.cells[4]
    assert run.stream(failed) == "before\n"
    error = failed["outputs"][-1]
    assert error["output_type"] == "error" and error["ename"] == "ValueError" and error["evalue"] == "bad value"
    assert any("raise ValueError" in line for line in error["traceback"])
    assert never["execution_count"] is None and never["outputs"] == []
    assert run.notebook["metadata"]["emkit"]["status"] == "failed"

    assert "[emkit] cell 3 failed: ValueError: bad value" in run.stderr
    after = run.stderr.split("[emkit] cell 3 failed", 1)[1]
    assert "raise ValueError('bad value')" in after and "\x1b[" not in after  # the traceback, plain


@pytest.mark.parametrize(
    ("source", "ename"),
    [
        ("%time 1 / 0", "ZeroDivisionError"),
        ("%run boom.py", "RuntimeError"),  # %run shows the script's traceback without raising it
        ("%no_such_magic", "UsageError"),
        ("def broken(:\n    pass", "SyntaxError"),
    ],
)
def test_errors_from_magics_and_syntax_fail_the_cell(tmp_path, source, ename):
    (tmp_path / "boom.py").write_text("raise RuntimeError('boom')\n")
    run = execute(tmp_path, notebook(code("print('fine')"), code(source), code("print('never')")))
    assert run.returncode == 1, run.stderr
    assert run.error["cell"] == 2 and run.error["ename"] == ename
    assert run.error["reason"].startswith(f"cell 2 raised {ename}")
    assert run.cells[1]["outputs"][-1]["output_type"] == "error"
    assert run.cells[2]["execution_count"] is None


def test_an_unreadable_notebook_exits_2(tmp_path):
    path = tmp_path / "train.ipynb"
    path.write_text("{not json")
    error_file = tmp_path / "error.json"
    output = tmp_path / "out.ipynb"
    command = [
        PYTHON,
        "-m",
        "emkit.runner.notebook",
        str(path),
        "--output",
        str(output),
        "--error-file",
        str(error_file),
    ]
    result = subprocess.run(command, env=python_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot read the notebook" in json.loads(error_file.read_text())["reason"]


def test_without_ipython_it_says_what_to_install(tmp_path):
    fake = tmp_path / "no-ipython" / "IPython"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named IPython')\n")
    run = execute(tmp_path, notebook(code("1")), env={"PYTHONPATH": f"{python_env()['PYTHONPATH']}:{fake.parent}"})
    assert run.returncode == 2
    assert "need IPython" in run.error["reason"] and "ipykernel" in run.error["reason"]
    assert "need IPython" in run.stderr


# --- under the supervisor -------------------------------------------------------------------


def test_a_notebook_training(training):
    document = notebook(
        code("epochs = 1", "parameters"),
        code("import helper, os\nprint('epochs', epochs, helper.VALUE, os.environ['EM_HP_EPOCHS'])"),
    )
    files = {"nb/train.ipynb": json.dumps(document), "nb/helper.py": "VALUE = 'helped'\n"}
    run = training(files, entry_point="nb/train.ipynb", kind="notebook", hyperparameters={"epochs": "3"})
    status = run.run(timeout=120)
    assert status["state"] == "COMPLETE", run.log()
    assert "epochs 3 helped 3\n" in run.log()
    executed = json.loads((run.dir / "artifacts" / "train.ipynb").read_text())
    assert executed["metadata"]["emkit"]["status"] == "completed"
    assert "".join(executed["cells"][2]["outputs"][0]["text"]) == "epochs 3 helped 3\n"


def test_a_failing_notebook_training_gives_the_cell_and_error(training):
    document = notebook(markdown("# t"), code("raise ValueError('bad value')"))
    run = training({"train.ipynb": json.dumps(document)}, entry_point="train.ipynb", kind="notebook")
    status = run.run(timeout=120)
    assert status["state"] == "FAIL TRAIN"
    assert status["reason"] == "rank 0 exited with status 1: cell 2 raised ValueError: bad value"
    assert status["exitCode"] == 1
    log = run.log()
    assert "[emkit] cell 2 failed: ValueError: bad value" in log
    assert "raise ValueError('bad value')" in log.split("[emkit] cell 2 failed", 1)[1]  # the traceback follows


def test_each_notebook_rank_writes_its_own_copy(training):
    document = notebook(code("import os\nprint('rank', os.environ['RANK'])"))
    run = training({"train.ipynb": json.dumps(document)}, entry_point="train.ipynb", kind="notebook", instance_count=2)
    assert run.run(timeout=120)["state"] == "COMPLETE", run.log(0) + run.log(1)
    for rank, name in ((0, "train.ipynb"), (1, "train.rank-1.ipynb")):
        executed = json.loads((run.dir / "artifacts" / name).read_text())
        assert "".join(executed["cells"][0]["outputs"][0]["text"]) == f"rank {rank}\n"
