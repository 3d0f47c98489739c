"""GPU use and memory per process from NVML, the NVIDIA driver's own library.

``nvidia-ml-py`` (import name ``pynvml``) is NVIDIA's binding; it is optional: without it, or
without an NVIDIA driver and GPU, ``Gpus.open`` answers None and every GPU field is null —
never an error. Asking NVML is cheaper and steadier than running ``nvidia-smi`` each round.
NVML names processes by the host's pids: inside a container with its own pid namespace none
matches ours, and a process's GPU figures read 0.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterable, Optional, Tuple

MB = 1024 * 1024


class Gpus:
    """The machine's NVIDIA GPUs, asked once a round what each process uses."""

    def __init__(self, nvml: Any, handles: list):
        self._nvml = nvml
        self._handles = handles
        # NVML answers utilisation samples newer than a time it is given (µs)
        self._last_seen = [0] * len(handles)
        self._memory: Dict[int, float] = {}
        self._busy: Dict[int, float] = {}

    @classmethod
    def open(cls) -> Optional[Gpus]:
        try:
            import pynvml  # pyright: ignore[reportMissingImports] (nvidia-ml-py: optional, not in the dev .venv)
        except ImportError:
            return None
        try:
            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            if count == 0:
                pynvml.nvmlShutdown()
                return None
            return cls(pynvml, [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)])
        except Exception:  # no driver, no device: no GPU to show
            return None

    def read(self) -> None:
        """What every process uses now, over all GPUs (a process on two GPUs gets the sum)."""
        nvml = self._nvml
        memory: Dict[int, float] = {}
        busy: Dict[int, float] = {}
        for index, handle in enumerate(self._handles):
            for getter in ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses"):
                try:
                    processes = getattr(nvml, getter)(handle)
                except Exception:
                    continue
                for process in processes:
                    used = getattr(process, "usedGpuMemory", None)
                    if isinstance(used, int) and used >= 0:
                        memory[process.pid] = memory.get(process.pid, 0.0) + used / MB
            try:
                samples = nvml.nvmlDeviceGetProcessUtilization(handle, self._last_seen[index])
            except Exception:  # NVML_ERROR_NOT_FOUND: no process ran a kernel since then
                samples = []
            newest: Dict[int, Any] = {}
            for sample in samples:
                self._last_seen[index] = max(self._last_seen[index], sample.timeStamp)
                if sample.pid not in newest or sample.timeStamp > newest[sample.pid].timeStamp:
                    newest[sample.pid] = sample
            for pid, sample in newest.items():
                busy[pid] = busy.get(pid, 0.0) + float(sample.smUtil)
        self._memory, self._busy = memory, busy

    def of(self, pids: Iterable[int]) -> Tuple[float, float]:
        """(GPU %, GPU memory MB) of a process tree, from the last ``read``."""
        percent = 0.0
        memory = 0.0
        for pid in pids:
            percent += self._busy.get(pid, 0.0)
            memory += self._memory.get(pid, 0.0)
        return percent, memory

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._nvml.nvmlShutdown()
