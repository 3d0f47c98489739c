"""The training supervisor: ``python -m emkit.runner <spec.json>``.

The bridge starts it detached and may exit before the training does, so the supervisor
alone owns the training's processes: it installs requirements.txt, starts the ranks,
ends them all when one fails, on a stop request (SIGTERM/SIGINT) or at the deadline,
and records each step in status.json. It exits 0 once the final status is written.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time

from . import launch, processes
from .processes import Process
from .spec import Spec, SpecError, load
from .status import COMPLETE, CREATE_IN_PROGRESS, FAIL_TRAIN, RUNNING, STOP_IN_PROGRESS, STOPPED, StatusFile

TERM_GRACE = 3.0  # seconds between SIGTERM and SIGKILL to what is left of a rank's group
KILL_WAIT = 1.5  # after SIGKILL, how long to wait for the kernel to tear the processes down
IDLE_WAKE = 1.0  # the longest sleep between looks, in case a wake-up were ever missed
GROUP_POLL = 0.05  # how often to look for a group's grandchildren (they don't wake us)

# what ended a wait early, other than a process that failed
STOP = "stop"
DEADLINE = "deadline"


class Signals:
    """Turns SIGTERM/SIGINT into a stop request and lets the supervisor sleep until any
    signal arrives (SIGCHLD included, so a rank's exit is seen at once, not at the next poll).
    SIGHUP is ignored: the bridge's terminal going away must not end the training.
    """

    def __init__(self):
        self.stop_requested = False
        self._read, write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(write, False)
        signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        # Handlers, not SIG_IGN: an ignored signal would stay ignored in the ranks after exec.
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGHUP, _ignore)
        signal.signal(signal.SIGCHLD, _ignore)  # a handler, so that it writes to the wake-up fd

    def _stop(self, signum, frame) -> None:
        self.stop_requested = True

    def sleep(self, timeout: float) -> None:
        """Until a signal arrives (or came since the last sleep), or ``timeout`` seconds pass."""
        select.select([self._read], [], [], max(timeout, 0.0))
        try:
            while os.read(self._read, 512):
                pass
        except BlockingIOError:
            pass


def _ignore(signum, frame) -> None:
    pass


class Supervisor:
    def __init__(self, spec: Spec, status: StatusFile, signals: Signals, started: float):
        self.spec = spec
        self.status = status
        self.signals = signals
        self.deadline = None if spec.max_duration is None else started + spec.max_duration
        self.ranks: list[Process] = []
        self.started: list[Process] = []  # everything started (the installer too), to end on a crash

    def run(self) -> None:
        spec = self.spec
        self.status.write(CREATE_IN_PROGRESS)
        os.makedirs(spec.log_dir, exist_ok=True)
        if not os.path.isfile(spec.entry_path):
            return self.finish(FAIL_TRAIN, f"the entry point {spec.entry_point} doesn't exist in the source", None)
        os.chdir(spec.entry_dir)  # where the installer and the ranks run (the spec's paths are absolute)
        if self.signals.stop_requested:  # before anything started: nothing to end
            return self.finish(STOPPED, self.stop_reason(), None)
        if os.path.isfile(spec.requirements_path):
            ended = self.install()
            if ended:
                return self.finish(*ended)
        return self.finish(*self.train())

    # --- steps ------------------------------------------------------------------------------

    def install(self) -> tuple | None:
        """pip-install requirements.txt into the training's environment; an outcome if it failed."""
        self.note("installing requirements.txt")
        argv = launch.installer_argv(self.spec)
        try:
            installer = self.spawn(argv, launch.base_env(self.spec), self.spec.rank_log(0))
        except OSError as error:
            return FAIL_TRAIN, f"could not run the installer {argv[0]}: {error}", None
        ended = self.watch([installer])
        if ended is None:
            return None
        if isinstance(ended, str):  # STOP or DEADLINE
            return self.end_early(ended, [installer])
        code = installer.exit_code
        how = f"exit {code}" if code >= 0 else processes.describe_exit(code).replace("was ", "")
        return FAIL_TRAIN, f"requirements.txt failed to install ({how}); see the log", None

    def train(self) -> tuple:
        spec = self.spec
        if self.signals.stop_requested:  # came during the install, once it was done
            return STOPPED, self.stop_reason(), None
        base = launch.base_env(spec)
        port = launch.free_port() if spec.instance_count > 1 else None
        for rank in range(spec.instance_count):
            if spec.kind == "notebook":
                _remove(spec.error_file(rank))
            try:
                proc = self.spawn(
                    launch.rank_argv(spec, rank), launch.rank_env(spec, base, rank, port), spec.rank_log(rank)
                )
            except OSError as error:
                self.end(self.ranks)
                return FAIL_TRAIN, f"could not start rank {rank}: {error}", None
            self.ranks.append(proc)
            self.status.ranks.append({"rank": rank, "pid": proc.pid, "exitCode": None})
        self.status.write(RUNNING)

        ended = self.watch(self.ranks, on_exit=self.rank_exited)
        if ended is None:
            self.end(self.ranks)  # whatever a rank left running in its group
            return COMPLETE, None, 0
        if isinstance(ended, str):  # STOP or DEADLINE
            return self.end_early(ended, self.ranks)
        self.end(self.ranks)
        rank = self.ranks.index(ended)
        reason = f"rank {rank} {processes.describe_exit(ended.exit_code)}"
        detail = self.notebook_failure(rank)
        return FAIL_TRAIN, f"{reason}: {detail}" if detail else reason, processes.exit_status(ended.exit_code)

    def end_early(self, why: str, procs: list[Process]) -> tuple:
        if why == STOP:
            self.status.write(STOP_IN_PROGRESS)
            self.end(procs)
            return STOPPED, self.stop_reason(), None
        self.end(procs)
        limit = self.spec.max_duration
        assert limit is not None  # a DEADLINE comes only with a maximum duration
        return FAIL_TRAIN, f"the maximum duration of {human_duration(limit)} was reached", None

    def finish(self, state: str, reason: str | None, exit_code: int | None) -> None:
        if state != COMPLETE:
            self.note(f"{state}: {reason}")
        self.status.write(state, reason, exit_code)
        print(f"[emkit] training {self.spec.training_id}: {state}" + (f" ({reason})" if reason else ""), flush=True)

    # --- processes --------------------------------------------------------------------------

    def spawn(self, argv: list[str], env: dict[str, str], log: str) -> Process:
        proc = processes.spawn(argv, env, log)
        self.started.append(proc)
        return proc

    def watch(self, procs: list[Process], on_exit=None) -> Process | str | None:
        """Wait until every process exited 0 (None), one didn't (that one), or a stop
        request or the deadline came (STOP, DEADLINE)."""
        running = list(procs)
        while True:
            for proc in list(running):
                if proc.poll() is not None:
                    running.remove(proc)
                    if on_exit:
                        on_exit(proc)
                    if proc.returncode != 0:
                        return proc
            if not running:
                return None
            if self.signals.stop_requested:
                return STOP
            timeout = IDLE_WAKE
            if self.deadline is not None:
                timeout = min(timeout, self.deadline - time.monotonic())
                if timeout <= 0:
                    return DEADLINE
            self.signals.sleep(timeout)

    def record_exit(self, proc: Process) -> bool:
        """Put a rank's exit into the status; False if it isn't a rank or was there already."""
        if proc not in self.ranks:
            return False
        entry = self.status.ranks[self.ranks.index(proc)]
        if entry["exitCode"] is not None:
            return False
        entry["exitCode"] = processes.exit_status(proc.exit_code)
        return True

    def rank_exited(self, proc: Process) -> None:
        # a failure is written with the outcome, right after; a success is news on its own
        if self.record_exit(proc) and proc.returncode == 0:
            self.status.update()

    def end(self, procs: list[Process]) -> None:
        """End every process in these processes' groups: SIGTERM, then SIGKILL after a grace."""
        groups = [proc.pid for proc in procs]
        left = self.reap(procs, groups)
        if left:
            processes.signal_groups(left, signal.SIGTERM)
            left = self.wait_groups(procs, groups, TERM_GRACE)
        if left:
            processes.signal_groups(left, signal.SIGKILL)
            self.wait_groups(procs, groups, KILL_WAIT)
        for proc in procs:
            # Collect our own children's exits (their groups are gone, so they are too, unless
            # one left its group: then it goes the hard way).
            if proc.returncode is None and proc.wait(GROUP_POLL) is None:
                proc.kill()
                proc.wait(KILL_WAIT)
            self.record_exit(proc)

    def wait_groups(self, procs: list[Process], groups: list[int], seconds: float) -> list[int]:
        until = time.monotonic() + seconds
        while True:
            left = self.reap(procs, groups)
            remaining = until - time.monotonic()
            if not left or remaining <= 0:
                return left
            self.signals.sleep(min(GROUP_POLL, remaining))

    def reap(self, procs: list[Process], groups: list[int]) -> list[int]:
        """Collect the exits of our own children; returns the groups still alive."""
        for proc in procs:
            if proc.poll() is not None:
                self.record_exit(proc)
        return processes.live_groups(groups)

    # --- helpers ----------------------------------------------------------------------------

    def notebook_failure(self, rank: int) -> str | None:
        """The reason a notebook rank wrote down before it exited, if any."""
        if self.spec.kind != "notebook":
            return None
        import json

        try:
            with open(self.spec.error_file(rank), encoding="utf-8") as file:
                reason = json.load(file).get("reason")
        except (OSError, ValueError, AttributeError):
            return None
        return reason if isinstance(reason, str) and reason else None

    def stop_reason(self) -> str:
        """Why it was stopped: what the bridge left in ``stop-reason`` beside status.json before it asked
        (its early stopping), else a user's request."""
        try:
            with open(os.path.join(os.path.dirname(self.spec.status_file), "stop-reason"), encoding="utf-8") as file:
                reason = file.read(500).strip().splitlines()
        except (OSError, UnicodeDecodeError):
            reason = []
        return reason[0] if reason and reason[0] else "stopped by request"

    def note(self, text: str) -> None:
        """One ``[emkit]`` line in rank 0's log, where the user reads what happened."""
        try:
            with open(self.spec.rank_log(0), "a", encoding="utf-8") as log:
                log.write(f"[emkit] {text}\n")
        except OSError:
            pass


def human_duration(seconds: float) -> str:
    """7200 -> "2h", 5400 -> "1h 30m", 2 -> "2s", 1.5 -> "1.5s"."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:g}s"
    left = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            count, left = divmod(left, size)
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def main(argv: list[str]) -> int:
    started = time.monotonic()
    signals = Signals()  # first: a stop request from now on is honoured, not fatal
    processes.keep_descriptors_to_ourselves()
    if len(argv) != 1:
        print("usage: python -m emkit.runner <spec.json>", file=sys.stderr)
        return 2
    try:
        spec = load(argv[0])
    except SpecError as error:
        print(f"[emkit] {error}", file=sys.stderr)
        if error.status_file:
            try:
                StatusFile(error.status_file).write(FAIL_TRAIN, str(error))
            except OSError as write_error:
                print(f"[emkit] cannot write {error.status_file}: {write_error}", file=sys.stderr)
        return 2

    status = StatusFile(spec.status_file)
    supervisor = Supervisor(spec, status, signals, started)
    try:
        supervisor.run()
    except BaseException as error:  # a bug of ours: still end the training and say so
        import traceback

        traceback.print_exc()
        supervisor.end(supervisor.started)
        try:
            supervisor.finish(FAIL_TRAIN, f"the supervisor failed: {type(error).__name__}: {error}", None)
        except OSError:
            return 1
    return 0
