"""Helpers for the evaluation runner's tests: a spec.json as the bridge writes it, the runner
run as the bridge runs it (``python -m emkit.evaluation spec.json``, its own session, output
to runner.log) or in this process, and its files read back.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any, Dict, Optional

from trainings import PYTHON, python_env


def write_spec(
    folder: Path,
    model_dir: Path,
    data: Path,
    framework: str = "scikit-learn",
    **options: Any,
) -> Path:
    """spec.json in ``folder``; ``options``: data_format, label, features, task, threshold,
    maxErrors, batchRows."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "version": 1,
        "evaluationId": folder.name,
        "model": {"id": "m1", "name": "model", "version": 1, "framework": framework, "artifactPath": str(model_dir)},
        "data": {
            "path": str(data),
            "format": options.pop("data_format", None),
            "label": options.pop("label", None),
            "features": options.pop("features", None),
        },
        "task": options.pop("task", None),
        "threshold": 0.5,
        "maxErrors": 50,
        "batchRows": 4096,
        "statusFile": str(folder / "status.json"),
        "resultFile": str(folder / "result.json"),
        "curvesFile": str(folder / "curves.json"),
        "logFile": str(folder / "runner.log"),
    }
    spec.update(options)
    path = folder / "spec.json"
    path.write_text(json.dumps(spec))
    return path


class Outcome:
    def __init__(self, spec_path: Path, code: int, log: str = ""):
        folder = spec_path.parent
        self.code = code
        self.log = log
        self.status: Dict[str, Any] = json.loads((folder / "status.json").read_text())
        self.result: Optional[Dict[str, Any]] = _read(folder / "result.json")
        self.curves: Optional[Dict[str, Any]] = _read(folder / "curves.json")

    @property
    def classification(self) -> Dict[str, Any]:
        assert self.result is not None, self.status
        return self.result["classification"]


def _read(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def evaluate(spec_path: Path) -> Outcome:
    """The runner in this process (fast): its SIGTERM handler is put back afterwards."""
    from emkit.evaluation.run import main

    saved = signal.getsignal(signal.SIGTERM)
    try:
        code = main(str(spec_path))
    finally:
        signal.signal(signal.SIGTERM, saved)
    return Outcome(spec_path, code)


def start(spec_path: Path) -> subprocess.Popen:
    """The runner as the bridge starts it: detached, its own session, output to runner.log."""
    log = open(spec_path.parent / "runner.log", "wb")  # noqa: SIM115 (the child holds it)
    try:
        return subprocess.Popen(
            [PYTHON, "-m", "emkit.evaluation", str(spec_path)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=python_env(),
            start_new_session=True,
        )
    finally:
        log.close()


def run_process(spec_path: Path, timeout: float = 120) -> Outcome:
    process = start(spec_path)
    code = process.wait(timeout=timeout)
    return Outcome(spec_path, code, (spec_path.parent / "runner.log").read_text(errors="replace"))


def check(spec_path: Path) -> Dict[str, Any]:
    """``python -m emkit.evaluation --check spec.json``'s one JSON line."""
    done = subprocess.run(
        [PYTHON, "-m", "emkit.evaluation", "--check", str(spec_path)],
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


def custom_model(folder: Path, source: str) -> Path:
    """A custom model directory: ``source`` as its predict.py."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "predict.py").write_text(source)
    return folder


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path
