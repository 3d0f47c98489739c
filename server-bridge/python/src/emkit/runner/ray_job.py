"""``python -m emkit.runner.ray_job``: a training's driver inside a Ray job.

The bridge submits this as the job's entrypoint, with the source snapshot as its working
directory and the training in ``EMKIT_RAY_SPEC`` (JSON) and its push credential in
``EMKIT_PUSH_TOKEN``. Instance count N is N ranks in a placement group (one bundle each,
SPREAD, or STRICT_SPREAD when asked): each rank is an actor that runs the entry point as a
process with the EM_* contract (its folders node-local) and the torchrun variables,
``MASTER_ADDR`` the rank-0 node; one rank (``rankInDriver``) runs in the driver itself.
Output and files go back to the bridge (``ray_push``).
A node lost under an actor's rank ends the training FAIL TRAIN naming it, or, while
``maxRetries`` allows, starts every rank again in a new placement group (the attempt counted in the status
and marked by a line in every rank's log).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from ..usage.pushed import PushedUsage
from . import launch, processes
from .ray_push import AREAS, FolderSync, Pusher
from .spec import Spec

# a rank's first output goes to the bridge at once; after each push, what follows gathers this long
LOG_GAP_S = 0.1
# how often a quiet rank looks at its process (and at a stop)
LOG_IDLE_S = 0.5
FILES_EVERY_S = 2.0
STOP_GRACE_S = 2.0
# how long what is left to send waits for the bridge (restarting, say) at the end
BRIDGE_PATIENCE_S = 120
# how long a rank's failure waits to tell whether a peer's node was lost (only when it may start again)
PEER_LOSS_WAIT_S = 30


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _node_spec(raw: dict, base: str) -> Spec:
    """The training as the supervisor's spec, with this node's paths."""
    folders = {area: os.path.join(base, area) for area in (*AREAS, "logs")}
    for folder in folders.values():
        os.makedirs(folder, exist_ok=True)
    env = dict(raw["env"])
    env.update(
        {
            "EM_SOURCE_DIR": os.getcwd(),
            "EM_MODEL_DIR": folders["model"],
            "EM_ARTIFACT_DIR": folders["artifacts"],
            "EM_CHECKPOINT_DIR": folders["checkpoints"],
            "EM_TENSORBOARD_LOG_DIR": folders["tensorboard"],
        }
    )
    return Spec(
        {
            "trainingId": raw["trainingId"],
            "trainingName": raw["trainingName"],
            "python": sys.executable,
            "sourceDir": os.getcwd(),
            "entryPoint": raw["entryPoint"],
            "kind": raw["kind"],
            "hyperparameters": raw["hyperparameters"],
            "instanceCount": raw["instanceCount"],
            "maxDurationSeconds": raw["maxDurationSeconds"],
            "env": env,
            "logDir": folders["logs"],
            "statusFile": os.path.join(base, "status.json"),
            "artifactsDir": folders["artifacts"],
            "installer": None,
        }
    )


class RankRun:
    """One rank's process, and its output and files sent back: in a Ray actor, or in the driver itself."""

    def __init__(self, raw: dict, rank: int, token: str, address: str, attempt: int = 1):
        self.rank, self.address, self.attempt = rank, address, attempt
        self.pusher = Pusher(raw["pushUrl"], token)
        self.base = tempfile.mkdtemp(prefix=f"emkit-{raw['trainingId']}-rank{rank}-")
        self.spec = _node_spec(raw, self.base)
        self.usage = PushedUsage(self.pusher, str(rank), float(raw.get("usageIntervalSeconds") or 0))
        self.process: subprocess.Popen | None = None
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        # set by the reader at each arrival (and at the end of the output): the first line goes at once
        self._arrived = threading.Event()
        self._reader: threading.Thread | None = None

    def start(self, master_addr: str, master_port: int | None) -> None:
        spec = self.spec
        env = launch.rank_env(spec, launch.base_env(spec), self.rank, master_port)
        if spec.instance_count > 1:
            env["MASTER_ADDR"] = master_addr
        env["EMKIT_NODE"] = self.address
        env["EMKIT_ATTEMPT"] = str(self.attempt)  # 2 and on: started again after a lost node
        for private in ("EMKIT_PUSH_TOKEN", "EMKIT_RAY_SPEC"):  # the bridge's, not the user code's
            env.pop(private, None)
        self.process = subprocess.Popen(
            launch.rank_argv(spec, self.rank),
            cwd=spec.entry_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        output = self.process.stdout
        assert output is not None  # stdout=PIPE

        def read() -> None:
            while True:
                data = os.read(output.fileno(), 65536)
                with self._lock:
                    if data:
                        self._chunks.append(data)
                self._arrived.set()
                if not data:
                    return

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()

    def follow(self, ending: Callable[[], bool] = lambda: False) -> dict:
        """Send the output as it comes (the first push at once, then at most one every LOG_GAP_S) and
        the files every FILES_EVERY_S until the process exits; ``ending()`` true ends it sooner."""
        process = self.process
        assert process is not None  # started
        files = FolderSync(self.pusher, {area: os.path.join(self.base, area) for area in AREAS})
        pending = b""
        last_files = time.monotonic()

        def flush() -> None:
            nonlocal pending
            with self._lock:
                pending += b"".join(self._chunks)
                self._chunks.clear()
            if pending and self.pusher.log(str(self.rank), pending):
                pending = b""

        while process.poll() is None:
            arrived = self._arrived.wait(LOG_IDLE_S)
            self._arrived.clear()
            flush()  # also what a restarting bridge refused before
            if arrived:
                time.sleep(LOG_GAP_S)  # what follows gathers meanwhile: a flood goes in batches
            if time.monotonic() - last_files >= FILES_EVERY_S:
                files.sync()
                last_files = time.monotonic()
            self.usage.tick(process.pid)
            if ending():
                self.terminate()
        self.usage.close()
        if self._reader is not None:
            self._reader.join(timeout=5)
        flush()
        sent = files.sync()
        end = time.monotonic() + BRIDGE_PATIENCE_S
        while (pending or not sent) and time.monotonic() < end:  # the bridge restarting: sent when it is back
            time.sleep(1)
            flush()
            sent = files.sync()
        return {"code": process.returncode, "detail": self._notebook_failure()}

    def _notebook_failure(self) -> str | None:
        """What a notebook rank wrote down before it exited, if anything (as the local supervisor reads it)."""
        if self.spec.kind != "notebook":
            return None
        try:
            with open(self.spec.error_file(self.rank), encoding="utf-8") as file:
                reason = json.load(file).get("reason")
        except (OSError, ValueError, AttributeError):
            return None
        return reason if isinstance(reason, str) and reason else None

    def terminate(self) -> None:
        """TERM the rank's process group, then KILL what is left."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            end = time.monotonic() + wait
            while time.monotonic() < end and self.process.poll() is None:
                time.sleep(0.05)


class Rank:
    """One rank as a Ray actor in its bundle of the placement group: where it is, then its RankRun."""

    def __init__(self, raw: dict, rank: int, token: str, attempt: int = 1):
        import ray

        self.node = ray.get_runtime_context().get_node_id()
        self.run_ = RankRun(raw, rank, token, ray.util.get_node_ip_address(), attempt)

    def where(self) -> dict:
        """Where it is, and a free port there (rank 0's is the rendezvous)."""
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((self.run_.address, 0))
            port = sock.getsockname()[1]
        return {
            "rank": self.run_.rank,
            "node": self.run_.address,
            "nodeId": self.node,
            "pid": os.getpid(),
            "port": port,
        }

    def run(self, master_addr: str, master_port: int | None) -> dict:
        self.run_.start(master_addr, master_port)
        return self.run_.follow()

    def terminate(self) -> None:
        self.run_.terminate()


def _this_node() -> tuple[str, str]:
    """This node's address and Ray node id. The raylet that started the job's supervisor is an
    ancestor of this driver and names both on its command line: read there (Linux), they cost no
    Ray client, which takes a second or more to connect; elsewhere, ask one."""
    pid = os.getppid()
    for _ in range(16):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                args = file.read().decode(errors="replace").split("\0")
            with open(f"/proc/{pid}/stat", encoding="utf-8") as file:
                stat = file.read()
        except OSError:
            break
        flags = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
        if os.path.basename(args[0]) == "raylet" and flags.get("node_ip_address") and flags.get("node_id"):
            return flags["node_ip_address"], flags["node_id"]
        pid = int(stat[stat.rindex(")") + 2 :].split()[1])  # after the command's parenthesis: state, ppid
        if pid <= 1:
            break
    import ray

    ray.init(log_to_driver=False)
    return ray.util.get_node_ip_address(), ray.get_runtime_context().get_node_id()


def _die_with_parent() -> None:
    """The rank's process ends with its actor (Ray ends the actor when the job stops or its node goes)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class _NodeLost:
    """A start that lost a node: its actors, the runs not yet ended, and why."""

    def __init__(self, actors: list, pending: list, reason: str):
        self.actors, self.pending, self.reason = actors, pending, reason


class Driver:
    def __init__(self, raw: dict, token: str):
        self.raw = raw
        self.token = token
        self.pusher = Pusher(raw["pushUrl"], token)
        self.started = time.monotonic()
        self.started_at: str | None = None
        self.ranks: list[dict] = []
        self.stop_asked = False
        # which start of the ranks this is: 1, then one more after each lost node (up to maxRetries more)
        self.attempt = 1
        self.group = None

    def status(self, state: str, reason: str | None = None, exit_code: int | None = None) -> None:
        final = state in ("COMPLETE", "FAIL TRAIN", "STOPPED")
        self.pusher.status(
            {
                "state": state,
                "reason": reason,
                "exitCode": exit_code,
                "supervisorPid": os.getpid(),
                "ranks": self.ranks,
                "startedAt": self.started_at,
                "endedAt": _now() if final else None,
                "updatedAt": _now(),
                "attempt": self.attempt,
            },
            patience_s=BRIDGE_PATIENCE_S if final else 5,
        )

    def say(self, line: str) -> None:
        print(line, flush=True)
        self.pusher.log("supervisor", f"{line}\n".encode())

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        if self.raw.get("rankInDriver"):
            return self.run_here()
        return self.run_in_group()

    def run_here(self) -> int:
        """One rank, in this process tree: the bridge reserved its CPUs for the job's entrypoint
        (``entrypoint_num_cpus``), which is a one-bundle placement group on this node without
        the cost of one: no Ray client, no group, no actor's worker start on the way to the first line.
        Never started again: the rank's node is the driver's, and that node lost is the job lost
        (the bridge reports it); a one-rank training with ``maxRetries`` runs in the group instead."""
        address, node_id = _this_node()
        rank = RankRun(self.raw, 0, self.token, address)
        rank.start(address, None)
        self.ranks = [{"rank": 0, "node": address, "nodeId": node_id, "pid": os.getpid(), "exitCode": None}]
        self.started_at = _now()
        self.status("RUNNING")
        self.say(f"emkit: rank 0 on {address}")
        ended = rank.follow(lambda: self.stop_asked or self._overdue())
        code = ended["code"]
        self.ranks[0]["exitCode"] = code
        if self.stop_asked:
            return self._end([], "STOPPED", "stopped by request", None)
        if self._overdue() and code != 0:
            return self._end([], "FAIL TRAIN", self._overdue_reason(), None)
        if code != 0:
            reason = f"rank 0 {processes.describe_exit(code)}"
            if ended["detail"]:
                reason = f"{reason}: {ended['detail']}"
            return self._end([], "FAIL TRAIN", reason, processes.exit_status(code))
        self.status("COMPLETE", None, 0)
        return 0

    def run_in_group(self) -> int:
        import ray

        self.status("CREATE IN PROGRESS")
        ray.init(log_to_driver=False)
        retries = int(self.raw.get("maxRetries") or 0)
        while True:
            outcome = self._attempt()
            if not isinstance(outcome, _NodeLost):
                return outcome
            if self.attempt > retries:
                return self._end(outcome.actors, "FAIL TRAIN", outcome.reason, None)
            self._start_again(outcome, retries)

    def _attempt(self) -> int | _NodeLost:
        """One start of the ranks: their result, or the node lost under one of them."""
        import ray
        from ray.exceptions import RayActorError  # ActorDiedError, ActorUnavailableError (its node gone)
        from ray.util.placement_group import placement_group
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        raw = self.raw
        count = raw["instanceCount"]
        cpus = raw.get("cpusPerRank", 1)
        group = placement_group([{"CPU": cpus}] * count, strategy=raw.get("strategy", "SPREAD"))
        self.group = group
        self.say(f"emkit: waiting for {count} rank(s) of {cpus} CPU ({raw.get('strategy', 'SPREAD')})")
        while not self._ready(ray, group):
            if self.stop_asked:
                self.status("STOPPED", "stopped by request")
                return 0
            if self._overdue():
                self.status("FAIL TRAIN", self._overdue_reason())
                return 1
        # Ray's typed overload of remote(**options) lacks max_concurrency, an actor option it takes
        actor = ray.remote(num_cpus=cpus, max_concurrency=2)(Rank)  # pyright: ignore[reportCallIssue]
        actors = [
            actor.options(
                scheduling_strategy=PlacementGroupSchedulingStrategy(group, placement_group_bundle_index=i)
            ).remote(raw, i, self.token, self.attempt)
            for i in range(count)
        ]
        try:
            places = ray.get([a.where.remote() for a in actors])  # each with a free port there
        except RayActorError as error:  # a node lost before the ranks ran
            return _NodeLost(actors, [], f"a rank's node was lost while placing the ranks: {_first_line(error)}")
        port = places[0]["port"] if count > 1 else None
        master = places[0]["node"]
        self.ranks = [{**{k: v for k, v in p.items() if k != "port"}, "exitCode": None} for p in places]
        runs = {a.run.remote(master, port): i for i, a in enumerate(actors)}
        if self.started_at is None:
            self.started_at = _now()
        self.status("RUNNING")
        self.say("emkit: ranks on " + ", ".join(f"{p['rank']}@{p['node']}" for p in places))
        pending = list(runs)
        while pending:
            done, pending = ray.wait(pending, timeout=0.5)
            for ref in done:
                rank = runs[ref]
                try:
                    ended = ray.get(ref)
                except RayActorError as error:
                    return _NodeLost(actors, pending, self._lost(rank, error))
                code = ended["code"]
                self.ranks[rank]["exitCode"] = code
                if code != 0 and not self.stop_asked:
                    # a rank that failed because a peer's node went (a broken all-reduce): that loss, retried
                    lost = self._peer_lost(runs, pending) if self._may_retry() else None
                    if lost is not None:
                        return _NodeLost(actors, [r for r in pending if r is not lost[0]], lost[1])
                    reason = f"rank {rank} {processes.describe_exit(code)}"
                    if ended["detail"]:
                        reason = f"{reason}: {ended['detail']}"
                    return self._end(actors, "FAIL TRAIN", reason, processes.exit_status(code))
            if self.stop_asked:
                return self._end(actors, "STOPPED", "stopped by request", None)
            if self._overdue():
                return self._end(actors, "FAIL TRAIN", self._overdue_reason(), None)
        self.status("COMPLETE", None, 0)
        return 0

    def _start_again(self, lost: _NodeLost, retries: int) -> None:
        """End what is left of this start (its last output sent first), then mark every log where the next begins."""
        import ray

        with contextlib.suppress(Exception):
            ray.get([a.terminate.remote() for a in lost.actors], timeout=STOP_GRACE_S + 2)
        # the surviving ranks' runs end once their process has: their last lines go before the separator
        with contextlib.suppress(Exception):
            ray.wait(lost.pending, num_returns=len(lost.pending), timeout=STOP_GRACE_S + 8)
        for a in lost.actors:
            with contextlib.suppress(Exception):
                ray.kill(a)
        if self.group is not None:
            with contextlib.suppress(Exception):
                ray.util.remove_placement_group(self.group)
        self.attempt += 1
        line = f"----- emkit: {lost.reason}; attempt {self.attempt} of {retries + 1} starts -----"
        for rank in range(self.raw["instanceCount"]):
            self.pusher.log(str(rank), f"{line}\n".encode())
        self.say(line)
        self.ranks = []
        self.status("RUNNING", lost.reason)

    def _may_retry(self) -> bool:
        return self.raw["instanceCount"] > 1 and self.attempt <= int(self.raw.get("maxRetries") or 0)

    def _peer_lost(self, runs: dict, pending: list):
        """The run whose actor died, and why, if one does within PEER_LOSS_WAIT_S: Ray tells a lost node late."""
        import ray
        from ray.exceptions import RayActorError

        if not pending:
            return None
        ready, _ = ray.wait(pending, num_returns=len(pending), timeout=PEER_LOSS_WAIT_S)
        for ref in ready:
            try:
                ray.get(ref)
            except RayActorError as error:
                return ref, self._lost(runs[ref], error)
            except Exception:  # any other end of that rank is not a lost node
                continue
        return None

    def _ready(self, ray, group) -> bool:
        ready, _ = ray.wait([group.ready()], timeout=0.5)
        return bool(ready)

    def _lost(self, rank: int, error: Exception) -> str:
        node = self.ranks[rank]["node"] if rank < len(self.ranks) else "?"
        return f"rank {rank}'s node {node} was lost (or its process died): {_first_line(error)}"

    def _overdue(self) -> bool:
        limit = self.raw.get("maxDurationSeconds")
        return limit is not None and time.monotonic() - self.started > limit

    def _overdue_reason(self) -> str:
        return f"the maximum duration of {self.raw['maxDurationSeconds']}s was reached"

    def _end(self, actors, state: str, reason: str, code: int | None) -> int:
        if actors:
            import ray

            # an actor on a lost node can't answer: Ray ends what is left with the job
            with contextlib.suppress(Exception):
                ray.get([a.terminate.remote() for a in actors], timeout=STOP_GRACE_S + 2)
        self.say(f"emkit: {state}: {reason}")
        self.status(state, reason, code)
        return 0 if state != "FAIL TRAIN" else 1

    def _stop(self, signum, frame) -> None:
        self.stop_asked = True


def main() -> int:
    raw = json.loads(os.environ["EMKIT_RAY_SPEC"])
    token = os.environ.pop("EMKIT_PUSH_TOKEN")
    driver = Driver(raw, token)
    try:
        return driver.run()
    except Exception as error:  # whatever it is, the bridge hears it
        driver.status("FAIL TRAIN", f"the training's Ray driver failed: {error}")
        raise


if __name__ == "__main__":
    sys.exit(main())
