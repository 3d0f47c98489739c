"""Helpers for running real trainings: a spec like the bridge writes, the supervisor started
as the bridge starts it (`python -m emkit.runner spec.json`, its own session), and status.json
read the way the bridge reads it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

SRC = Path(__file__).resolve().parents[1] / "src"
FINAL = ("COMPLETE", "FAIL TRAIN", "STOPPED")
# The interpreter for the supervisor and the ranks; set EMKIT_TEST_PYTHON to try another
# version (e.g. 3.8, the oldest supported) with this one's pytest.
PYTHON = os.environ.get("EMKIT_TEST_PYTHON") or sys.executable


def python_env(**extra: str) -> Dict[str, str]:
    """This environment, with the source tree's emkit first on PYTHONPATH (as the bridge does)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def importable(*modules: str) -> bool:
    """Can PYTHON import all these modules?"""
    code = "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in sys.argv[1:]))"
    return subprocess.run([PYTHON, "-c", code, *modules]).returncode == 0


def alive(pid: int) -> bool:
    """Is ``pid`` a process that hasn't exited? A zombie has: it only awaits collection."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat[stat.rfind(b")") + 2 :].split()[0] not in (b"Z", b"X")


def wait_until(condition, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


class Training:
    """One training's folder, laid out as the bridge lays it out (see contract.ts)."""

    def __init__(
        self,
        root: Path,
        files: Dict[str, str],
        entry_point: str = "train.py",
        kind: str = "script",
        hyperparameters: Optional[Dict[str, str]] = None,
        instance_count: int = 1,
        max_duration: Optional[float] = None,
        installer: Optional[List[str]] = None,
        python: str = PYTHON,
        env: Optional[Dict[str, str]] = None,
    ):
        self.dir = root / "training"
        self.source = self.dir / "source"
        for name, text in files.items():
            path = self.source / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for sub in ("logs", "artifacts", "model", "checkpoints", "tensorboard"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        hyperparameters = hyperparameters or {}
        self.id = "0b6c2a51-7f0e-4b53-9d2b-5d1c0e7d9a10"
        contract = {
            "EM_SOURCE_DIR": str(self.source),
            "EM_ENTRY_POINT": entry_point,
            "EM_MODEL_DIR": str(self.dir / "model"),
            "EM_CHECKPOINT_DIR": str(self.dir / "checkpoints"),
            "EM_TENSORBOARD_LOG_DIR": str(self.dir / "tensorboard"),
            "EM_DATASETS": "{}",
            "EM_HPS": json.dumps(hyperparameters),
            "EM_REGION": "local",
            "EM_APPKEY": "local",
        }
        for key, value in hyperparameters.items():
            contract["EM_HP_" + key.upper().replace("-", "_")] = value
        contract.update(env or {})
        self.spec: Dict[str, Any] = {
            "version": 1,
            "trainingId": self.id,
            "trainingName": "test-training",
            "python": python,
            "sourceDir": str(self.source),
            "entryPoint": entry_point,
            "kind": kind,
            "hyperparameters": hyperparameters,
            "instanceCount": instance_count,
            "maxDurationSeconds": max_duration,
            "env": contract,
            "logDir": str(self.dir / "logs"),
            "statusFile": str(self.dir / "status.json"),
            "artifactsDir": str(self.dir / "artifacts"),
            "installer": installer,
        }
        self.spec_file = self.dir / "spec.json"
        self.status_file = self.dir / "status.json"
        self.process: Optional[subprocess.Popen] = None
        self.write_spec()

    def write_spec(self) -> None:
        self.spec_file.write_text(json.dumps(self.spec, indent=2) + "\n")

    def start(self) -> Training:
        with open(self.dir / "logs" / "supervisor.log", "ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "emkit.runner", str(self.spec_file)],
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                env=python_env(),
            )
        return self

    def status(self) -> Optional[Dict[str, Any]]:
        try:
            return json.loads(self.status_file.read_text())
        except (OSError, ValueError):
            return None

    def wait(self, states: Iterable[str] = FINAL, timeout: float = 30) -> Dict[str, Any]:
        states = tuple(states)
        status = wait_until(
            lambda: (lambda s: s if s and s["state"] in states else None)(self.status()),
            timeout,
            f"status {' or '.join(states)} (last: {self.status()})\n{self.supervisor_log()}",
        )
        if status["state"] in FINAL and self.process is not None:
            # the final status is the supervisor's last act, and then it exits 0
            assert self.process.wait(timeout=10) == 0, self.supervisor_log()
        return status

    def run(self, timeout: float = 30) -> Dict[str, Any]:
        return self.start().wait(timeout=timeout)

    def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def log(self, rank: int = 0) -> str:
        try:
            return (self.dir / "logs" / f"rank-{rank}.log").read_text()
        except FileNotFoundError:
            return ""

    def supervisor_log(self) -> str:
        try:
            return "--- supervisor.log\n" + (self.dir / "logs" / "supervisor.log").read_text()
        except FileNotFoundError:
            return ""

    def kill_everything(self) -> None:
        """After a test: nothing it started may outlive it, whatever went wrong."""
        groups = [r["pid"] for r in (self.status() or {}).get("ranks", [])]
        if self.process is not None:
            groups.append(self.process.pid)
        for group in groups:
            with contextlib.suppress(OSError):
                os.killpg(group, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
