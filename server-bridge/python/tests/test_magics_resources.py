"""``%emkit resources …`` and ``client.<group>.resources`` against a real bridge: a training that
holds memory is sampled by the bridge's sidecar, and the cell shows its rank with the summary."""

from __future__ import annotations

import time

import pytest

from magics import run
from test_client import _bridge_python_has


@pytest.mark.skipif(
    not _bridge_python_has("psutil"),
    reason="the bridge's Python (EMKIT_PYTHON, else python3 on the PATH) has no psutil to sample with; "
    "`npm test` puts .venv/bin first on the PATH",
)
def test_resources_of_a_running_training(shell, bridge_env, client, unique_name, tmp_path):
    release = tmp_path / "release"
    script = tmp_path / "hold.py"
    script.write_text(
        "import os, time\n"
        "block = bytearray(80 * 1024 * 1024)\n"
        "for i in range(0, len(block), 4096):\n"
        "    block[i] = 1\n"
        f"while not os.path.exists({str(release)!r}):\n"
        "    time.sleep(0.05)\n"
    )
    name = unique_name("hold")
    training = client.trainings.create(str(script), name=name)
    try:
        # the bridge samples every few seconds: wait for a sample that shows what the rank holds
        deadline = time.time() + 90
        usage = {}
        while time.time() < deadline:
            usage = client.trainings.resources(name)
            ranks = [p for p in usage["processes"] if p["process"] == "rank 0"]
            if ranks and ranks[0]["samples"] and ranks[0]["samples"][-1]["memoryMb"] > 80:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"rank 0 was never sampled holding 80 MB: {usage}")
        assert usage["resource"] == "trainings" and usage["id"] == training["id"]
        assert usage["summary"]["peakMemoryMb"] > 80

        ran = run(shell, f"%emkit resources training {name}")
        assert ran.error is None, ran.text
        rows = list(ran.value)
        assert [row["process"] for row in rows] == ["rank 0"]
        html = ran.value._repr_html_()
        assert f"training {name}: peak memory" in html and "mean CPU" in html
        assert "stage" not in html.split("</tr>")[0]  # a training has no stage column
    finally:
        release.write_text("")
        client.trainings.wait(training["id"], timeout=120)


def test_resources_usage_errors_are_one_line(shell, bridge_env):
    assert "invalid choice: 'bogus'" in run(shell, "%emkit resources bogus x").one_line_error()
    assert "'0' is not 1 or more" in run(shell, "%emkit resources training x --minutes 0").one_line_error()
    shown = run(shell, "%emkit resources endpoint no-such-endpoint --stage default").one_line_error()
    assert 'endpoint "no-such-endpoint" doesn\'t exist' in shown
    shown = run(shell, "%emkit resources batch no-such-job").one_line_error()
    assert 'batch inference "no-such-job" doesn\'t exist' in shown
