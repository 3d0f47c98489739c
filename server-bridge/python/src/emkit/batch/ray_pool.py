"""The workers on a Ray cluster: N actors, each with the model, scoring the batches the runner hands them.

The runner stays on this machine (it reads the input, writes the output and the manifest, and is
what the bridge supervises and starts again), so a job on a cluster keeps the same output, order,
errors file, progress, stop and exactly-once rule as one scored here. Only the scoring moves: the
runner connects to the cluster as a Ray Client (``ray://HEAD:PORT``, with the cluster's token),
ships the model's artifact to the actors through the object store (the nodes needn't see this
machine's files; they need emkit and the model's packages in their own Python, as for trainings)
and gets each batch's ``Scored`` back in the order the batches were handed out.

The actors belong to the runner's connection: a runner that ends (or is killed) takes them with it,
and a resumed one starts its own. The bridge can't see the nodes' processes, so each actor samples its
own (psutil, as the bridge's sidecar does here) at most every ``usageIntervalSeconds`` and hands the
sample back with a batch's result; the runner writes the latest of each into status.json.
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import signal
import sys
import tarfile
import tempfile
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, cast

from ..serving.loaders import LoadError
from .inputs import Items
from .scoring import JobError, Scored, Scorer

AHEAD_PER_WORKER = 2
# what each actor asks of a node: a node's whole CPU (a local cluster's default) would hold one job per node
CPUS_PER_WORKER = 0.5
CONNECT_ATTEMPTS = 3


class ClusterError(ValueError):
    """The cluster can't be reached, or lost a worker: the job fails with it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.field = "cluster"


def pack(artifact_path: str) -> Tuple[str, bytes]:
    """The artifact (a file or a folder) as a tar in memory, and its name inside."""
    buffer = io.BytesIO()
    name = os.path.basename(os.path.normpath(artifact_path)) or "model"
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(artifact_path, arcname=name)
    return name, buffer.getvalue()


class _Latest:
    """What PushedUsage pushes to, in the actor: the latest sample, handed back with the next result."""

    def __init__(self) -> None:
        self.sample: Optional[dict] = None

    def usage(self, name: str, sample: dict) -> bool:
        self.sample = sample
        return True

    def take(self) -> Optional[dict]:
        sample, self.sample = self.sample, None
        return sample


class RemoteScorer:
    """One actor: unpacks the model into a folder of its node's own and scores with it; a result comes back
    as ``("scored", Scored, usage sample or None)``, and what goes wrong as ``("error", kind, message)``, so
    the runner raises its own error with the model's words."""

    def __init__(self, packed, framework, features, return_scores, usage_every_s=0.0):
        from emkit.usage.pushed import PushedUsage

        self.latest = _Latest()
        self.usage = PushedUsage(self.latest, "worker", float(usage_every_s))
        self.folder = tempfile.mkdtemp(prefix="emkit-batch-")
        self.scorer: Optional[Scorer] = None
        self.load_error: Optional[Tuple[str, str]] = None
        try:
            name, data = packed
            with tarfile.open(fileobj=io.BytesIO(data), mode="r") as archive:
                archive.extractall(self.folder, filter="data")
            self.scorer = Scorer(framework, os.path.join(self.folder, name), features, return_scores)
        except BaseException as error:  # said at the first batch, as a local worker does
            self.load_error = (type(error).__name__, str(error))

    def score(self, data) -> Tuple[Any, ...]:
        if self.scorer is None:
            kind, message = self.load_error or ("LoadError", "the worker has no model")
            return ("error", "load", f"{message}" if kind == "LoadError" else f"{kind}: {message}")
        try:
            scored = self.scorer.score(data)
        except JobError as error:
            return ("error", "job", str(error), error.field)
        self.usage.tick(os.getpid())
        return ("scored", scored, self.latest.take())

    def where(self) -> str:
        import ray

        return ray.util.get_node_ip_address()


class RayWorkers:
    def __init__(self, spec, on_usage: Optional[Callable[[List[dict]], None]] = None):
        """``on_usage``: told the workers' latest samples as they come, each
        ``{"worker", "node", "sample", "sampledAt"}``."""
        cluster = spec.cluster
        # read once, as ray is imported: set before
        if cluster.get("tokenFile"):
            os.environ["RAY_AUTH_MODE"] = "token"
            os.environ["RAY_AUTH_TOKEN_PATH"] = cluster["tokenFile"]
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        # how long the client waits for the head to take its connection back (30 s by default): a busy head is slow
        os.environ.setdefault("RAY_CLIENT_RECONNECT_GRACE_PERIOD", "120")
        try:
            import ray
        except ImportError:
            raise ClusterError(
                f"the runner's Python ({sys.executable}) lacks ray, which scoring on a cluster needs: pip install ray"
            ) from None
        self.spec = spec
        self.on_usage = on_usage
        self.usage: Dict[int, dict] = {}
        stop = signal.getsignal(signal.SIGTERM)
        try:
            self._connect(ray, cluster)
        finally:
            signal.signal(signal.SIGTERM, stop)  # the job's stop stays the runner's, whatever Ray set
        packed = ray.put(pack(spec.artifact_path))
        remote = ray.remote(num_cpus=CPUS_PER_WORKER)(RemoteScorer)
        usage_every_s = float(cluster.get("usageIntervalSeconds") or 0)
        self.actors: List[Any] = [
            remote.options(scheduling_strategy="SPREAD").remote(
                packed, spec.framework, spec.features, spec.return_scores, usage_every_s
            )
            for _ in range(spec.instances)
        ]
        nodes = ray.get([actor.where.remote() for actor in self.actors])
        self.nodes: List[str] = list(nodes)
        print(f"[emkit] {len(self.actors)} workers on cluster {cluster.get('name')}: {', '.join(nodes)}", flush=True)

    @staticmethod
    def _connect(ray, cluster) -> None:
        """The head starts a server of the connection's own for it, which a busy head may not have ready within
        Ray Client's grace period: tried again (the second start is warmer) before the job fails."""
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                ray.init(address=cluster["address"], log_to_driver=False, logging_level="WARNING")
                return
            except Exception as error:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                with contextlib.suppress(Exception):
                    ray.shutdown()
                if attempt == CONNECT_ATTEMPTS:
                    raise ClusterError(
                        f"cannot connect to cluster {cluster.get('name')} at {cluster['address']} "
                        f"({CONNECT_ATTEMPTS} tries): {reason}"
                    ) from None
                print(f"[emkit] cluster {cluster.get('name')} not connected ({reason}): trying again", flush=True)

    def scored(self, batches: Iterable[Items]) -> Iterator[Tuple[Items, Scored]]:
        pending: collections.deque = collections.deque()
        count = len(self.actors)
        for handed, items in enumerate(batches):
            actor = self.actors[handed % count]
            pending.append((items, handed % count, actor.score.remote(items.data) if items.keys else None))
            if len(pending) > count * AHEAD_PER_WORKER:
                yield self._result(pending.popleft())
        while pending:
            yield self._result(pending.popleft())

    def _result(self, entry) -> Tuple[Items, Scored]:
        import ray
        from ray.exceptions import RayActorError

        items, worker, ref = entry
        if ref is None:
            return items, Scored([], (), None, None, [])
        try:
            result = ray.get(ref)
        except RayActorError as error:
            raise ClusterError(f"a worker on the cluster was lost: {str(error).splitlines()[0]}") from None
        if isinstance(result, tuple) and result and result[0] == "error":
            if result[1] == "load":
                raise LoadError(result[2])
            raise JobError(result[2], result[3])
        _, scored, sample = result
        if sample is not None:
            self._took(worker, sample)
        return items, cast(Scored, scored)

    def _took(self, worker: int, sample: dict) -> None:
        node = self.nodes[worker]
        self.usage[worker] = {"worker": worker + 1, "node": node, "sample": sample, "sampledAt": time.time()}
        if self.on_usage is not None:
            self.on_usage([self.usage[w] for w in sorted(self.usage)])

    def close(self) -> None:
        """The actors end with the connection; what they were scoring is dropped."""
        import ray

        if not ray.is_initialized():
            return
        for actor in getattr(self, "actors", []):
            try:
                ray.kill(actor)
            except Exception as error:  # the connection is going anyway
                print(f"[emkit] a worker could not be ended: {error}", file=sys.stderr)
        ray.shutdown()
