"""``client.drift`` and ``%emkit endpoint drift`` against a real bridge and a real worker: a stage
watched against a reference CSV, traffic whose ``y`` is shifted, the current window judged on
demand. The cases in detail are in test/integration/drift.test.ts."""

from __future__ import annotations

import shutil
import subprocess

import numpy
import pytest

import emkit
from magics import run

PREDICT = """
def load():
    return None

def predict(model, instances):
    return [int(x["y"] > 1) for x in instances]
"""


def _bridge_python_has_drift_deps() -> bool:
    """The session's bridge computes drift in the python3 its PATH finds (npm test puts .venv first)."""
    python = shutil.which("python3")
    check = [python or "python3", "-c", "import numpy, pandas, scipy"]
    return python is not None and subprocess.run(check, capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    not _bridge_python_has_drift_deps(),
    reason="the bridge's python3 (first on PATH) lacks numpy, pandas or scipy: run with .venv/bin first on PATH",
)


@pytest.fixture(scope="module")
def watched(bridge, tmp_path_factory):
    """An endpoint whose default stage logs payloads and is watched against a reference of x, y ~ N(0, 1)."""
    folder = tmp_path_factory.mktemp("drift")
    (folder / "model").mkdir()
    (folder / "model" / "predict.py").write_text(PREDICT)
    rng = numpy.random.default_rng(18)
    reference = folder / "reference.csv"
    reference.write_text(
        "x,y,label\n" + "".join(f"{x:.4f},{y:.4f},{int(y > 1)}\n" for x, y in rng.normal(size=(2000, 2)))
    )
    client = emkit.Client(url=bridge.url, token=bridge.token, timeout=60)
    client.models.create("drift-xy", artifact_path=str(folder / "model"), framework="custom")
    endpoint = client.endpoints.create("drift-xy", "drift-xy", wait=True, timeout=120)
    assert endpoint["state"] == "ACTIVE", endpoint["stateReason"]
    client.request(
        "PATCH",
        "/api/v1/endpoints/drift-xy/stages/default",
        {
            "payloadLogging": {"enabled": True},
            "drift": {"reference": str(reference), "window": "1d", "minCount": 50, "pValue": 0.001},
        },
    )
    shifted = rng.normal(size=(200, 2)) + numpy.array([0, 2])
    for at in range(0, 200, 20):
        client.endpoints.predict("drift-xy", [{"x": float(x), "y": float(y)} for x, y in shifted[at : at + 20]])
    yield client, str(reference)
    client.endpoints.delete("drift-xy")


def test_client_judges_the_current_window(watched):
    client, reference = watched
    drift = client.drift.get("drift-xy")
    assert drift["reference"] == {"source": reference, "rows": 2000, "columns": ["x", "y", "label"]}
    window = drift["windows"][-1]
    assert window["judged"] and window["count"] == 200 and window["stage"] == "default"
    assert [(f["feature"], f["drifted"]) for f in window["features"]] == [("y", True), ("x", False)]
    assert window["prediction"]["drifted"]
    assert client.drift.latest("drift-xy", stage="default") == window
    with pytest.raises(emkit.ApiError) as refused:
        client.drift.get("drift-xy", stage="nope")
    assert refused.value.status == 404


def test_magic_shows_the_features_worst_first(shell, bridge_env, watched):
    shown = run(shell, "%emkit endpoint drift drift-xy")
    assert shown.error is None, shown.text
    assert "reference: " in shown.stdout and "drifted: y" in shown.stdout
    assert [row["feature"] for row in shown.value] == ["y", "x", "prediction"]
