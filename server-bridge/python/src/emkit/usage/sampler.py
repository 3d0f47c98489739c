"""CPU, memory, threads and open files of a process and its children, through psutil.

psutil is kept (cross-platform, maintained for over a decade) and reads what each OS offers
(/proc on Linux, sysctl on macOS, the Win32 API on Windows); a hand-written /proc reader would
cover Linux only. CPU % is worked out here from each process's CPU times between two rounds,
so a process first seen mid-round is counted from when it started, not as 0 %.
"""

from __future__ import annotations

import time
from typing import AbstractSet, Dict, Iterable, List, Optional, Tuple

import psutil

MB = 1024 * 1024


class TreeSample:
    """One round of one watched process, summed over it and its children."""

    __slots__ = ("cpu_percent", "memory_mb", "open_files", "pids", "threads")

    def __init__(self) -> None:
        self.pids: List[int] = []
        self.cpu_percent = 0.0
        self.memory_mb = 0.0
        self.threads = 0
        self.open_files = 0


class _Seen:
    """A process as last sampled: its psutil handle (which checks the pid is still the same
    process), and its CPU seconds at that time."""

    __slots__ = ("at", "cpu_seconds", "process")

    def __init__(self, process: psutil.Process, cpu_seconds: float, at: float):
        self.process = process
        self.cpu_seconds = cpu_seconds
        self.at = at


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _open_files(process: psutil.Process) -> int:
    try:
        return len(process.open_files())
    except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
        return 0


class Sampler:
    """Samples process trees round after round, keeping what CPU % needs between rounds."""

    def __init__(self) -> None:
        self._seen: Dict[int, _Seen] = {}
        self._children: Optional[Dict[int, List[int]]] = None

    def begin_round(self) -> None:
        """Read who is whose child once for the round: psutil's ``children()`` reads every process's
        parent on each call, which made that most of a round's time with a few processes watched."""
        children: Dict[int, List[int]] = {}
        for process in psutil.process_iter(["ppid"]):
            ppid = process.info.get("ppid")
            if ppid is not None:
                children.setdefault(ppid, []).append(process.pid)
        self._children = children

    def _descendants(self, root: psutil.Process, exclude: AbstractSet[int] = frozenset()) -> List[psutil.Process]:
        """Its children and theirs, but those in ``exclude`` (sampled on their own) and their children."""
        if self._children is None:
            return [p for p in root.children(recursive=True) if p.pid not in exclude]
        found: List[psutil.Process] = []
        todo = [pid for pid in self._children.get(root.pid, []) if pid not in exclude]
        while todo:
            pid = todo.pop()
            if pid in exclude:
                continue
            handle = self._handle(pid)
            if handle is not None:
                found.append(handle)
                todo.extend(self._children.get(pid, []))
        return found

    def _handle(self, pid: int) -> Optional[psutil.Process]:
        seen = self._seen.get(pid)
        if seen is not None and seen.process.is_running():
            return seen.process
        try:
            return psutil.Process(pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None

    def _cpu_percent(self, process: psutil.Process, now: float) -> float:
        seconds = _cpu_seconds(process)
        seen = self._seen.get(process.pid)
        if seen is not None and seen.process is process and now > seen.at:
            used, span = seconds - seen.cpu_seconds, now - seen.at
        else:
            # first seen: what it has used since it started
            used, span = seconds, now - process.create_time()
        self._seen[process.pid] = _Seen(process, seconds, now)
        return max(0.0, 100.0 * used / span) if span > 0 else 0.0

    def sample(self, pid: int, exclude: AbstractSet[int] = frozenset()) -> Optional[TreeSample]:
        """The process and its children (but those in ``exclude``) now; None when it is gone (or not ours to read)."""
        root = self._handle(pid)
        if root is None:
            return None
        try:
            tree = [root, *self._descendants(root, exclude - {pid})]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        now = time.time()
        out = TreeSample()
        for position, process in enumerate(tree):
            if position > 0:
                # a child's handle from an earlier round, so its CPU times carry on
                process = self._handle(process.pid) or process
            try:
                with process.oneshot():
                    cpu = self._cpu_percent(process, now)
                    rss = process.memory_info().rss
                    threads = process.num_threads()
                files = _open_files(process)
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                if position == 0:
                    return None
                continue  # a child that ended meanwhile
            except psutil.AccessDenied:
                continue
            out.pids.append(process.pid)
            out.cpu_percent += cpu
            out.memory_mb += rss / MB
            out.threads += threads
            out.open_files += files
        return out

    def forget_except(self, alive: Iterable[int]) -> None:
        """Drop what is kept of processes not seen this round."""
        keep = set(alive)
        for pid in [p for p in self._seen if p not in keep]:
            del self._seen[pid]


def wire_fields(sample: TreeSample, gpu: Optional[Tuple[float, float]]) -> Dict[str, object]:
    """The wire fields of a sample (the shared schema's ResourceSample, but the time)."""
    return {
        "cpuPercent": round(sample.cpu_percent, 1),
        "memoryMb": round(sample.memory_mb, 1),
        "threads": sample.threads,
        "openFiles": sample.open_files,
        "gpuPercent": None if gpu is None else round(gpu[0], 1),
        "gpuMemoryMb": None if gpu is None else round(gpu[1], 1),
    }
