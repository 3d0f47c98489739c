"""Fixtures: one real server-bridge (the built `node dist/emkit.mjs serve`) for the session,
and those the magics' and the runner's tests share (their helpers: magics.py, trainings.py).

The bridge gets a temporary home and kernels dir, so nothing of the user's ~/.emkit or
Jupyter setup is read or written. Build it first with `npx tsc -b` from the repository root;
without dist/emkit.mjs the tests that need a bridge are skipped (and say why).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from trainings import Training

PYTHON_ROOT = Path(__file__).resolve().parents[1]
SERVER_BRIDGE = PYTHON_ROOT.parent
MAIN_JS = SERVER_BRIDGE / "dist" / "emkit.mjs"

# Test the source tree, whether or not (and however) emkit is installed in this interpreter.
sys.path.insert(0, str(PYTHON_ROOT / "src"))

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
EMKIT_ENV = ("EMKIT_HOME", "EMKIT_URL", "EMKIT_TOKEN")


@dataclass(frozen=True)
class Bridge:
    url: str
    token: str
    home: Path
    pid: int


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            f"{url}/api/v1/health", timeout=2
        ) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    if not MAIN_JS.exists():
        reason = f"{MAIN_JS} doesn't exist: build the bridge first (`npx tsc -b` in the repository root)"
        print(f"\nSKIPPING bridge tests: {reason}", file=sys.stderr)
        pytest.skip(reason)
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on the PATH, but the bridge is built: install Node.js 20+")

    root = tmp_path_factory.mktemp("bridge")
    home = root / "home"
    env = {k: v for k, v in os.environ.items() if k not in EMKIT_ENV}
    stdout_path, stderr_path = root / "stdout.log", root / "stderr.log"
    # Files, not pipes: the bridge logs every request to stderr, and a pipe nobody reads
    # would fill up and stall it.
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [node, str(MAIN_JS), "serve", "--home", str(home), "--port", "0", "--kernels-dir", str(root / "kernels")],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
        )

    def output() -> str:
        return f"--- stdout\n{_tail(stdout_path)}\n--- stderr\n{_tail(stderr_path)}"

    try:
        runtime_file = home / "runtime.json"
        deadline = time.monotonic() + START_TIMEOUT
        runtime = None
        while True:
            if process.poll() is not None:
                pytest.fail(f"the bridge exited with {process.returncode} while starting\n{output()}")
            if runtime is None:
                try:
                    candidate = json.loads(runtime_file.read_text())
                    if candidate.get("pid") == process.pid:
                        runtime = candidate
                except (OSError, ValueError):
                    pass
            if runtime is not None and _healthy(runtime["url"]):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the bridge wasn't healthy within {START_TIMEOUT:g} s\n{output()}")
            time.sleep(0.05)

        yield Bridge(url=runtime["url"], token=runtime["token"], home=home.resolve(), pid=process.pid)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"the bridge didn't stop within {STOP_TIMEOUT:g} s of SIGTERM\n{output()}")
            # a graceful stop: exit 0, and runtime.json taken away so nobody finds a dead bridge
            if process.returncode != 0:
                pytest.fail(f"the bridge exited with {process.returncode} on SIGTERM\n{output()}")
            if (home / "runtime.json").exists():
                pytest.fail(f"the bridge left {home / 'runtime.json'} behind after SIGTERM")


@pytest.fixture(autouse=True)
def _no_emkit_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's own EMKIT_* settings or ~/.emkit must not leak into a test."""
    for name in EMKIT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))


@pytest.fixture
def client(bridge: Bridge):
    import emkit

    return emkit.Client(url=bridge.url, token=bridge.token, timeout=10)


@pytest.fixture
def unique_name():
    """A fresh experiment name per call, valid under the bridge's naming rule."""

    def make(prefix: str = "t") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    return make


# --- the magics' tests (helpers in magics.py) -------------------------------------------------


@pytest.fixture(scope="session")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real InteractiveShell (IPython's own singleton), with the extension loaded as a user loads it."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    saved = os.environ.get("IPYTHONDIR")
    os.environ["IPYTHONDIR"] = str(tmp_path_factory.mktemp("ipython"))  # no profile of the developer's
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    instance = InteractiveShell.instance(config=config)
    result = instance.run_cell("%load_ext emkit")
    assert result.success, result.error_in_exec
    yield instance
    if saved is None:
        os.environ.pop("IPYTHONDIR", None)
    else:
        os.environ["IPYTHONDIR"] = saved


@pytest.fixture
def bridge_env(bridge, monkeypatch):
    """The magics find the test bridge as a user's would through EMKIT_URL / EMKIT_TOKEN."""
    monkeypatch.setenv("EMKIT_URL", bridge.url)
    monkeypatch.setenv("EMKIT_TOKEN", bridge.token)
    return bridge


# --- the runner's tests (helpers in trainings.py) ----------------------------------------------


@pytest.fixture
def training(tmp_path):
    """Make a Training; whatever it started is killed after the test, pass or fail."""
    made: List[Training] = []

    def make(files: Dict[str, str], **options) -> Training:
        made.append(Training(tmp_path / str(len(made)), files, **options))
        return made[-1]

    yield make
    for each in made:
        each.kill_everything()
