"""The training supervisor, run for real: `python -m emkit.runner spec.json`, as the bridge runs it."""

from __future__ import annotations

import json
import re
import site
import subprocess
import sys
import sysconfig
import textwrap
import time
from pathlib import Path

import pytest

from emkit.runner.supervisor import human_duration
from trainings import SRC, Training, alive, python_env, wait_until

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

TORCHRUN_VARIABLES = """RANK LOCAL_RANK WORLD_SIZE LOCAL_WORLD_SIZE GROUP_RANK GROUP_WORLD_SIZE
    ROLE_RANK ROLE_WORLD_SIZE ROLE_NAME MASTER_ADDR MASTER_PORT
    TORCHELASTIC_RUN_ID TORCHELASTIC_RESTART_COUNT TORCHELASTIC_MAX_RESTARTS""".split()

# A script that reports what it was given, as JSON on its last line.
REPORT = textwrap.dedent(
    """
    import json, os, sys
    print("to stderr", file=sys.stderr)
    print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}))
    """
)

# A script that starts a child, records both pids, and sleeps; STUBBORN=1 ignores SIGTERM (the child too).
SLEEPER = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    if os.environ.get("STUBBORN"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # inherited by the child
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(os.environ["PIDS_FILE"] + ".tmp", "w") as file:
        file.write(f"{os.getpid()} {child.pid}")
    os.replace(os.environ["PIDS_FILE"] + ".tmp", os.environ["PIDS_FILE"])
    time.sleep(60)
    """
)


def report(log: str) -> dict:
    return json.loads(log.strip().splitlines()[-1])


def sleeper_pids(run: Training) -> list:
    pids_file = Path(run.spec["env"]["PIDS_FILE"])
    text = wait_until(lambda: pids_file.exists() and pids_file.read_text(), 15, f"{pids_file}\n{run.log()}")
    return [int(pid) for pid in text.split()]


def sleeper(training, **options) -> Training:
    run = training({"train.py": SLEEPER}, **options)
    run.spec["env"]["PIDS_FILE"] = str(run.dir / "pids")
    run.write_spec()
    return run


# --- a script, start to end -----------------------------------------------------------------


def test_script_gets_hyperparameters_and_the_contract_environment(training):
    run = training(
        {"sub/train.py": REPORT}, entry_point="sub/train.py", hyperparameters={"epochs": "10", "learning-rate": "0.1"}
    )
    status = run.run()

    assert status["state"] == "COMPLETE", run.log()
    assert status["exitCode"] == 0 and status["reason"] is None
    assert status["supervisorPid"] == run.process.pid
    assert [(r["rank"], r["exitCode"]) for r in status["ranks"]] == [(0, 0)]
    for key in ("startedAt", "endedAt", "updatedAt"):
        assert ISO_UTC.match(status[key]), status
    assert status["startedAt"] <= status["endedAt"]

    log = run.log()
    assert "to stderr" in log  # stdout and stderr both in the rank's log
    given = report(log)
    assert given["argv"] == ["--epochs", "10", "--learning-rate", "0.1"]
    assert Path(given["cwd"]) == run.source / "sub"
    env = given["env"]
    for key, value in run.spec["env"].items():
        assert env.get(key) == value, key
    assert env["EM_HP_EPOCHS"] == "10" and env["EM_HP_LEARNING_RATE"] == "0.1"
    assert json.loads(env["EM_HPS"]) == {"epochs": "10", "learning-rate": "0.1"}
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["EMKIT_RANK"] == "0"
    assert str(SRC) in env["PYTHONPATH"].split(":")  # the supervisor's, kept
    assert not any(key in env for key in TORCHRUN_VARIABLES)  # one rank: not a torchrun job


def test_a_failing_script_fails_the_training_with_its_status(training):
    run = training({"train.py": "import sys\nprint('about to fail')\nsys.exit(3)\n"})
    status = run.run()
    assert status["state"] == "FAIL TRAIN"
    assert status["reason"] == "rank 0 exited with status 3"
    assert status["exitCode"] == 3
    assert status["ranks"][0]["exitCode"] == 3
    assert run.log().splitlines()[-1] == "[emkit] FAIL TRAIN: rank 0 exited with status 3"


def test_a_killed_rank_says_by_what(training):
    run = training({"train.py": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"})
    status = run.run()
    assert status["state"] == "FAIL TRAIN"
    assert status["reason"] == "rank 0 was killed by SIGKILL"
    assert status["exitCode"] == 128 + 9


def test_a_missing_entry_point_fails_the_training(training):
    run = training({"train.py": "print('hi')\n"}, entry_point="nope.py")
    status = run.run()
    assert status["state"] == "FAIL TRAIN"
    assert "nope.py" in status["reason"]
    assert status["ranks"] == []


def test_a_python_that_isnt_there_fails_the_training(training, tmp_path):
    run = training({"train.py": "print('hi')\n"}, python=str(tmp_path / "no-such-python"))
    status = run.run()
    assert status["state"] == "FAIL TRAIN"
    assert status["reason"].startswith("could not start rank 0: ")
    assert "no-such-python" in status["reason"]


# --- ending it early ------------------------------------------------------------------------


@pytest.mark.parametrize("stubborn", [False, True], ids=["obliging", "ignores-SIGTERM"])
def test_a_stop_request_ends_the_whole_tree(training, stubborn):
    run = sleeper(training, env={"STUBBORN": "1"} if stubborn else {})
    run.start()
    assert run.wait(["RUNNING"])["ranks"][0]["exitCode"] is None
    pids = sleeper_pids(run)
    assert run.wait(["RUNNING"])["ranks"][0]["pid"] == pids[0]

    asked = time.monotonic()
    run.stop()
    if stubborn:  # long enough to be seen
        assert run.wait(["STOP IN PROGRESS"], timeout=2.5)["reason"] is None
    status = run.wait()
    took = time.monotonic() - asked

    assert status["state"] == "STOPPED"
    assert status["reason"] == "stopped by request"
    assert status["exitCode"] is None
    assert took < 5, f"stopping took {took:.1f} s"
    if stubborn:
        assert took >= 2.5  # it had to wait for SIGKILL
    assert not [pid for pid in pids if alive(pid)], "a process of the training outlived the stop"
    assert run.log().splitlines()[-1] == "[emkit] STOPPED: stopped by request"


def test_what_a_rank_leaves_running_ends_with_the_training(training):
    run = sleeper(training)
    (run.source / "train.py").write_text(SLEEPER.replace("time.sleep(60)\n", "print('done')\n"))
    status = run.run()
    assert status["state"] == "COMPLETE" and status["exitCode"] == 0
    _, child = sleeper_pids(run)
    assert not alive(child)


def test_the_maximum_duration_ends_the_training(training):
    run = sleeper(training, max_duration=1)
    started = time.monotonic()
    run.start()
    pids = sleeper_pids(run)
    status = run.wait()
    assert status["state"] == "FAIL TRAIN"
    assert status["reason"] == "the maximum duration of 1s was reached"
    assert 1 <= time.monotonic() - started < 5
    assert not [pid for pid in pids if alive(pid)]
    assert "maximum duration of 1s" in run.log().splitlines()[-1]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1s"), (2, "2s"), (1.5, "1.5s"), (90, "1m 30s"), (5400, "1h 30m"), (7200, "2h"), (90000, "1d 1h")],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


# --- several ranks --------------------------------------------------------------------------


def test_two_ranks_get_what_torchrun_would_set(training):
    run = training({"train.py": REPORT}, instance_count=2, hyperparameters={"epochs": "2"})
    status = run.run()
    assert status["state"] == "COMPLETE", run.log(0) + run.log(1)
    assert [r["rank"] for r in status["ranks"]] == [0, 1]
    assert len({r["pid"] for r in status["ranks"]}) == 2

    envs = [report(run.log(rank))["env"] for rank in (0, 1)]
    for rank, env in enumerate(envs):
        assert report(run.log(rank))["argv"] == ["--epochs", "2"]
        assert env["EMKIT_RANK"] == env["RANK"] == env["LOCAL_RANK"] == env["ROLE_RANK"] == str(rank)
        assert env["WORLD_SIZE"] == env["LOCAL_WORLD_SIZE"] == env["ROLE_WORLD_SIZE"] == "2"
        assert env["GROUP_RANK"] == "0" and env["GROUP_WORLD_SIZE"] == "1"
        assert env["ROLE_NAME"] == "default"
        assert env["MASTER_ADDR"] == "127.0.0.1"
        assert 0 < int(env["MASTER_PORT"]) < 65536
        assert env["TORCHELASTIC_RUN_ID"] == run.id
        assert env["TORCHELASTIC_RESTART_COUNT"] == env["TORCHELASTIC_MAX_RESTARTS"] == "0"
        assert env["OMP_NUM_THREADS"] == "1"
        assert env["EM_HP_EPOCHS"] == "2"
    assert envs[0]["MASTER_PORT"] == envs[1]["MASTER_PORT"]


def test_a_failing_rank_ends_the_others(training):
    run = sleeper(training, instance_count=2)
    fail_once_rank_0_sleeps = (
        "import os, sys, time\n"
        "if os.environ['RANK'] == '1':\n"
        "    while not os.path.exists(os.environ['PIDS_FILE']):\n"
        "        time.sleep(0.01)\n"
        "    sys.exit(3)\n"
    )
    (run.source / "train.py").write_text(fail_once_rank_0_sleeps + SLEEPER)
    started = time.monotonic()
    run.start()
    status = run.wait()
    assert status["state"] == "FAIL TRAIN"
    assert status["reason"] == "rank 1 exited with status 3"
    assert status["exitCode"] == 3
    assert [r["exitCode"] for r in status["ranks"]] == [128 + 15, 3]  # rank 0 ended with SIGTERM
    assert time.monotonic() - started < 5
    assert not [pid for pid in sleeper_pids(run) if alive(pid)]


# --- requirements.txt -----------------------------------------------------------------------


@pytest.fixture
def scratch_python(tmp_path) -> str:
    """A fresh venv to install into, which also sees this environment's packages (hatchling,
    pip) through a .pth file, so that a local package builds with no network."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run([str(python), "-c", where], check=True, capture_output=True, text=True).stdout.strip()
    ours = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (Path(purelib) / "emkit-test-dev.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    return str(python)


PACKAGE = {
    "pkg/pyproject.toml": textwrap.dedent(
        """
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "emkit-test-tinypkg"
        version = "0.1.0"

        [tool.hatch.build.targets.wheel]
        packages = ["tinypkg"]
        """
    ),
    "pkg/tinypkg/__init__.py": "VALUE = 'installed'\n",
}


def test_requirements_are_installed_before_the_training(training, scratch_python):
    script = "import tinypkg\nprint('tinypkg', tinypkg.VALUE, tinypkg.__file__)\n"
    run = training(
        {**PACKAGE, "requirements.txt": "./pkg\n", "train.py": script},
        python=scratch_python,
        # offline: the build uses the hatchling this environment already has
        installer=[scratch_python, "-m", "pip", "install", "--no-input", "--no-index", "--no-build-isolation"],
    )
    status = run.run(timeout=120)
    log = run.log()
    assert status["state"] == "COMPLETE", log
    assert log.startswith("[emkit] installing requirements.txt\n")
    line = log.strip().splitlines()[-1]
    assert line.startswith("tinypkg installed ")
    assert str(Path(scratch_python).parents[1]) in line  # in the training's environment, not the source


def test_requirements_that_fail_to_install_fail_the_training(training):
    # the default installer (python -m pip install), offline, asked for a package that isn't there
    run = training({"requirements.txt": "--no-index\n./no-such-package\n", "train.py": "print('ran')\n"})
    status = run.run(timeout=120)
    assert status["state"] == "FAIL TRAIN"
    assert status["reason"] == "requirements.txt failed to install (exit 1); see the log"
    assert status["ranks"] == []
    assert "ran" not in run.log().splitlines()


def test_a_stop_request_during_the_install_ends_the_installer(training):
    pids_file = "PIDS"
    installer = [
        sys.executable,
        "-c",
        f"import os, time; open({pids_file!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    ]
    run = training({"requirements.txt": "anything\n", "train.py": "print('ran')\n"}, installer=installer)
    run.start()
    pid_file = run.source / pids_file  # the installer runs in the entry point's directory
    pid = int(wait_until(lambda: pid_file.exists() and pid_file.read_text(), 15, "the installer"))
    assert run.status()["state"] == "CREATE IN PROGRESS"
    run.stop()
    status = run.wait(timeout=10)
    assert status["state"] == "STOPPED"
    assert not alive(pid)


# --- the spec -------------------------------------------------------------------------------


def test_an_invalid_spec_is_reported_in_the_status_file(training):
    run = training({"train.py": "print('hi')\n"}, instance_count=1)
    run.spec["instanceCount"] = 0
    run.write_spec()
    run.start()
    assert run.process.wait(timeout=10) == 2
    status = run.status()
    assert status["state"] == "FAIL TRAIN"
    assert "instanceCount" in status["reason"]


def test_an_unreadable_spec_exits_non_zero(tmp_path):
    command = [sys.executable, "-m", "emkit.runner", str(tmp_path / "missing.json")]
    result = subprocess.run(command, env=python_env(), capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "missing.json" in result.stderr


# --- import cost ----------------------------------------------------------------------------


def test_the_runner_and_tracking_dont_import_the_http_client():
    code = (
        "import sys, emkit.runner.supervisor, emkit.tracking\n"
        "assert 'emkit.client' not in sys.modules and 'urllib.request' not in sys.modules, sorted(sys.modules)\n"
        "from emkit import Client, ApiError, Connection, find_connection, NoBridgeError\n"
        "import emkit\n"
        "assert emkit.Client is Client and 'emkit.client' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], env=python_env(), check=True, timeout=30)


def test_ranks_dont_inherit_an_ignored_sighup(training):
    run = training({"train.py": "import signal\nprint('default', signal.getsignal(signal.SIGHUP) == signal.SIG_DFL)\n"})
    assert run.run()["state"] == "COMPLETE"
    assert run.log() == "default True\n"
