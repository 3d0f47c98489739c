"""examples/emkit-loop.ipynb, run top to bottom in a real Jupyter kernel (nbclient) against a
real bridge: the README's example notebook keeps working, and what its cells show is what a
user would see there."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from test_client import _bridge_python_has
from trainings import SRC

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "emkit-loop.ipynb"

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("nbclient") is None,
        reason="nbclient (from JupyterLab's dependencies) is not installed to run the notebook with",
    ),
    pytest.mark.skipif(
        not _bridge_python_has("sklearn", "joblib") or importlib.util.find_spec("sklearn") is None,
        reason="the example trains with scikit-learn: the bridge's Python and the kernel need it; "
        "`npm test` puts .venv/bin first on the PATH",
    ),
]


def test_the_example_notebook_runs_the_whole_loop(bridge, monkeypatch, tmp_path):
    import nbclient
    import nbformat

    # the kernel imports this source tree's emkit and finds the test bridge as a user's would
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("EMKIT_URL", bridge.url)
    monkeypatch.setenv("EMKIT_TOKEN", bridge.token)
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    notebook = nbformat.read(EXAMPLE, as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    shown = {cell.source.splitlines()[0]: cell.outputs for cell in code}

    def html(first_line: str) -> str:
        return "".join(o.get("data", {}).get("text/html", "") for o in shown[first_line])

    assert "COMPLETE" in html("%%emkit train --wait --experiment iris --hp max_iter=300")
    assert "accuracy (best)" in html("%emkit compare iris")
    assert "iris:1" in html("trainings = %emkit list trainings --experiment iris")
    predictions = [o for o in shown["from sklearn.datasets import load_iris"] if o.output_type == "execute_result"]
    assert predictions and predictions[0]["data"]["text/plain"] == "[0, 0, 1, 1, 2]"
    board = html("%emkit tensorboard {latest}")
    assert '<iframe src="' in board and f"{bridge.url}/tensorboard/" in board
    # no output holds the bridge's token (the frame's address has a one-time ticket instead)
    for first_line, outputs in shown.items():
        assert bridge.token not in json.dumps(outputs), first_line
    assert any(
        o.get("name") == "stdout" and "iris-api is being deleted" in o.get("text", "")
        for o in shown["%emkit endpoint delete iris-api"]
    )
