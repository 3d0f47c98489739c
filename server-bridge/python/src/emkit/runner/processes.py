"""The training's processes: each started as its own process group (a new session), so
signalling the group reaches everything it started, and ending a rank ends its whole tree.

They are started with ``os.posix_spawnp`` rather than ``subprocess``: the supervisor is on
the path from "submit" to the user's first line, and importing subprocess (selectors,
threading, locale, ...) alone would cost more than the spawn itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

# Python ignores these itself; a new program should get them back (as subprocess does).
_RESTORED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, name))


class Process:
    """A started child: ``pid`` (also its process group's id) and, once it has been
    collected, ``returncode`` (negative: killed by that signal), as with subprocess.Popen."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # collected elsewhere: nothing left to learn
                pid, status = self.pid, 0
            if pid:
                self.returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        return self.returncode

    def wait(self, timeout: float) -> int | None:
        """The returncode, or None if it is still running after ``timeout`` seconds."""
        until = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < until:
            time.sleep(0.005)
        return self.returncode

    @property
    def exit_code(self) -> int:
        """``returncode`` once ``poll()`` has collected it (an error before)."""
        if self.returncode is None:
            raise RuntimeError(f"process {self.pid} has not been collected")
        return self.returncode

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


def spawn(argv: list[str], env: dict[str, str], log_path: str) -> Process:
    """Start ``argv`` in a new session, in our working directory, stdin from /dev/null and
    stdout + stderr appended to ``log_path``.

    The log is handed over as a file descriptor: the output goes straight to the file, with
    nothing of ours in between to buffer, lose or block on it.
    """
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, log, 1),
            (os.POSIX_SPAWN_DUP2, log, 2),
        ]
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True, setsigdef=_RESTORED_SIGNALS)
    finally:
        os.close(log)
    return Process(pid)


def keep_descriptors_to_ourselves() -> None:
    """Make every descriptor but stdio close on exec, those we inherited included, so
    the training's processes get nothing else (what subprocess's close_fds does)."""
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            fds = [int(name) for name in os.listdir(directory)]
            break
        except (OSError, ValueError):
            continue
    else:
        return
    for fd in fds:
        if fd > 2:
            with contextlib.suppress(OSError):  # the directory listing's own, closed by now
                os.set_inheritable(fd, False)


def exit_status(returncode: int) -> int:
    """A shell-style status: a process killed by signal N reads as 128 + N."""
    return returncode if returncode >= 0 else 128 - returncode


def describe_exit(returncode: int) -> str:
    if returncode >= 0:
        return f"exited with status {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"was killed by {name}"


def signal_groups(groups: list[int], signum: int) -> None:
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # nothing (of ours) left in it
            os.killpg(group, signum)


def live_groups(groups: list[int]) -> list[int]:
    """The groups that still have a process that isn't a zombie.

    Zombies don't count: a rank's orphaned child that already exited waits for its new
    parent (init, or whatever reaps in a container) to collect it, which may never happen.
    """
    try:
        return _live_groups_proc(groups)
    except OSError:  # no /proc (macOS): a zombie keeps its group alive here
        alive = []
        for group in groups:
            try:
                os.killpg(group, 0)
                alive.append(group)
            except ProcessLookupError:
                pass
            except PermissionError:
                alive.append(group)
        return alive


def _live_groups_proc(groups: list[int]) -> list[int]:
    wanted = set(groups)
    alive = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as file:
                stat = file.read()
        except OSError:
            continue  # exited meanwhile
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 2 and fields[0] not in (b"Z", b"X") and int(fields[2]) in wanted:
            alive.add(int(fields[2]))
    return [group for group in groups if group in alive]
