"""Resource usage sampled on a Ray cluster's node and pushed to the bridge.

The bridge samples the processes it started on its own machine (``emkit.usage``); a cluster
training's ranks and a cluster stage's Serve replicas run on the cluster's nodes, out of its
sight, and Ray's dashboard lists only Ray's own worker processes, each without its children
(a rank's code, a child of its actor, isn't among them) and without their threads. So each
samples its own process tree with the same sampler (psutil, which every Ray node has: Ray
depends on it; NVML where nvidia-ml-py is installed) every ``every_s`` seconds and pushes it;
the bridge's usage rounds take it.
"""

from __future__ import annotations

import time
from typing import Protocol


class UsagePusher(Protocol):
    def usage(self, name: str, sample: dict) -> bool: ...


class PushedUsage:
    """Samples one process tree now and then; ``tick`` is called from the owner's loop.

    ``name`` is what the bridge's push route names it by: a rank's number, a replica's id.
    """

    def __init__(self, pusher: UsagePusher, name: str, every_s: float):
        self.pusher, self.name, self.every_s = pusher, name, every_s
        self._sampler = None
        self._gpus = None
        self._last = 0.0
        if every_s <= 0:
            return
        try:
            from emkit.usage.gpu import Gpus
            from emkit.usage.sampler import Sampler
        except ImportError:  # no psutil in this Python: the usage isn't shown, the work runs
            return
        self._sampler = Sampler()
        self._gpus = Gpus.open()

    def tick(self, pid: int) -> None:
        """Sample and push the tree under ``pid`` when the interval has passed."""
        if self._sampler is None or time.monotonic() - self._last < self.every_s:
            return
        self._last = time.monotonic()
        from emkit.usage.sampler import wire_fields

        if self._gpus is not None:
            self._gpus.read()
        self._sampler.begin_round()
        tree = self._sampler.sample(pid)
        if tree is None:
            return
        self._sampler.forget_except(tree.pids)
        gpu = self._gpus.of(tree.pids) if self._gpus is not None else None
        self.pusher.usage(self.name, {"pid": pid, **wire_fields(tree, gpu)})

    def close(self) -> None:
        if self._gpus is not None:
            self._gpus.close()
            self._gpus = None
