"""``python -m emkit.runner.ray_job``: a training's driver inside a Ray job.

The bridge submits this as the job's entrypoint, with the source snapshot as its working
directory and the training in ``EMKIT_RAY_SPEC`` (JSON) and its push credential in
``EMKIT_PUSH_TOKEN``. Instance count N is N ranks in a placement group (one bundle each,
SPREAD, or STRICT_SPREAD when asked): each rank is an actor that runs the entry point as a
process with the EM_* contract (its folders node-local) and the torchrun variables,
``MASTER_ADDR`` the rank-0 node. Output and files go back to the bridge (``ray_push``).
A node lost under a rank ends the training FAIL TRAIN naming it, or, while ``maxRetries``
allows, starts every rank again in a new placement group (the attempt counted in the status
and marked by a line in every rank's log).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

from . import launch, processes
from .ray_push import AREAS, FolderSync, Pusher
from .spec import Spec

LOG_EVERY_S = 0.5
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


class Rank:
    """One rank, as a Ray actor: where it is, then its process, its output and files sent back."""

    def __init__(self, raw: dict, rank: int, token: str, attempt: int = 1):
        import ray

        self.raw, self.rank, self.attempt = raw, rank, attempt
        self.pusher = Pusher(raw["pushUrl"], token)
        self.base = tempfile.mkdtemp(prefix=f"emkit-{raw['trainingId']}-rank{rank}-")
        self.spec = _node_spec(raw, self.base)
        self.node = ray.get_runtime_context().get_node_id()
        self.address = ray.util.get_node_ip_address()
        self.process = None

    def where(self) -> dict:
        return {"rank": self.rank, "node": self.address, "nodeId": self.node, "pid": os.getpid()}

    def free_port(self) -> int:
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((self.address, 0))
            return sock.getsockname()[1]

    def run(self, master_addr: str, master_port: int | None) -> dict:
        import subprocess

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
        chunks: list[bytes] = []
        lock = threading.Lock()

        def read() -> None:
            while True:
                data = os.read(output.fileno(), 65536)
                if not data:
                    return
                with lock:
                    chunks.append(data)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        files = FolderSync(self.pusher, {area: os.path.join(self.base, area) for area in AREAS})
        pending = b""
        last_files = time.monotonic()

        def flush() -> None:
            nonlocal pending
            with lock:
                pending += b"".join(chunks)
                chunks.clear()
            if pending and self.pusher.log(str(self.rank), pending):
                pending = b""

        while self.process.poll() is None:
            time.sleep(LOG_EVERY_S)
            flush()
            if time.monotonic() - last_files >= FILES_EVERY_S:
                files.sync()
                last_files = time.monotonic()
        reader.join(timeout=5)
        flush()
        sent = files.sync()
        end = time.monotonic() + BRIDGE_PATIENCE_S
        while (pending or not sent) and time.monotonic() < end:  # the bridge restarting: sent when it is back
            time.sleep(1)
            flush()
            sent = files.sync()
        return {"code": self.process.returncode, "detail": self._notebook_failure()}

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
        import ray

        signal.signal(signal.SIGTERM, self._stop)
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
            places = ray.get([a.where.remote() for a in actors])
            port = ray.get(actors[0].free_port.remote()) if count > 1 else None
        except RayActorError as error:  # a node lost before the ranks ran
            return _NodeLost(actors, [], f"a rank's node was lost while placing the ranks: {_first_line(error)}")
        master = places[0]["node"]
        self.ranks = [{**p, "exitCode": None} for p in places]
        if self.started_at is None:
            self.started_at = _now()
        self.status("RUNNING")
        self.say("emkit: ranks on " + ", ".join(f"{p['rank']}@{p['node']}" for p in places))
        runs = {a.run.remote(master, port): i for i, a in enumerate(actors)}
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
