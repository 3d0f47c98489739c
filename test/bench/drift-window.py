"""Benchmark: one drift window over 100,000 logged inputs of 20 features (issue 18, aim < 1 s).

Builds a payload log (the bridge's ``inference_payloads`` table, one request of one instance
per row, as a gateway logs single-instance calls) and a 100,000-row reference CSV, then times
one window, reading the rows from SQLite read-only, two ways side by side:

- "one process a window" (how the bridge ran it before): ``python -m emkit.drift window``, a new
  Python each time, which imports numpy and scipy.special and reads the reference's cached
  summary from disk;
- "long-lived process" (how the bridge runs it now): requests to one ``python -m emkit.drift
  serve``, started once, which keeps the summaries in memory.

"cold" reads and summarises the reference (once per stage and reference file); "warm" is what
every later window does. CPU time (user + system) is given beside the wall time: on a shared
machine other processes' load stretches the wall time more than it.

    .venv/bin/python test/bench/drift-window.py [--inputs 100000] [--features 20] [--runs 3]
"""

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import numpy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMKIT = os.path.join(ROOT, "server-bridge", "python", "src")
TABLE = """CREATE TABLE inference_payloads (seq INTEGER PRIMARY KEY AUTOINCREMENT, inference_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL, stage_id TEXT NOT NULL, time TEXT NOT NULL, status INTEGER NOT NULL,
  instances TEXT, predictions TEXT, truncated INTEGER NOT NULL)"""


def build(folder: str, inputs: int, features: int) -> dict:
    rng = numpy.random.default_rng(18)
    names = [f"f{i}" for i in range(features)]
    reference = rng.normal(size=(100_000, features))
    with open(os.path.join(folder, "reference.csv"), "w") as file:
        file.write(",".join([*names, "label"]) + "\n")
        for row in reference:
            file.write(",".join(f"{v:.6f}" for v in row) + ",0\n")
    current = rng.normal(size=(inputs, features))
    current[:, :3] += 0.5  # three features shifted
    db = os.path.join(folder, "bridge.db")
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(TABLE)
    connection.execute("CREATE INDEX payloads_stage_time ON inference_payloads (stage_id, time)")
    rows = []
    for i, row in enumerate(current):
        instance = json.dumps([dict(zip(names, (round(v, 6) for v in row.tolist())))])
        time_ = f"2026-12-07T03:{i * 60 // inputs:02d}:00.000Z"
        rows.append((f"inf-{i}", "ep", "stage", time_, 200, instance, json.dumps([int(row[0] > 0)]), 0))
    connection.executemany(
        "INSERT INTO inference_payloads (inference_id, endpoint_id, stage_id, time, status, instances, predictions,"
        " truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.close()
    predictions = os.path.join(folder, "reference-predictions.json")
    with open(predictions, "w") as file:
        json.dump([int(v > 0) for v in reference[:1000, 0]], file)
    return {
        "db": db,
        "stageId": "stage",
        "start": "2026-12-07T03:00:00.000Z",
        "end": "2026-12-07T04:00:00.000Z",
        "reference": {"path": os.path.join(folder, "reference.csv"), "cacheDir": os.path.join(folder, "cache")},
        "referencePredictions": predictions,
        "inputs": names,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list) -> tuple:
    """Wall seconds, CPU seconds (user + system) of the process, and its stdout. The CPU time is the
    steadier figure on a shared machine: other processes' load stretches the wall time, not it."""
    cpu = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=dict(os.environ, PYTHONPATH=EMKIT), check=True)
    return time.perf_counter() - began, _children_cpu() - cpu, done.stdout


def run(spec_path: str) -> tuple:
    wall, cpu, out = timed([sys.executable, "-m", "emkit.drift", "window", spec_path])
    return wall, cpu, json.loads(out)


def _process_cpu(pid: int) -> float:
    """A running process's CPU seconds (user + system), from /proc (Linux); 0 elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Served:
    """``python -m emkit.drift serve``, as the bridge keeps it: one request line in, one answer line out."""

    def __init__(self):
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "emkit.drift", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(os.environ, PYTHONPATH=EMKIT),
            text=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        assert json.loads(self.stdout.readline()) == {"ready": True}
        self.start_wall = time.perf_counter() - began
        self.start_cpu = _process_cpu(self.process.pid)
        self.asked = 0

    def window(self, spec: dict) -> tuple:
        self.asked += 1
        cpu = _process_cpu(self.process.pid)
        began = time.perf_counter()
        self.stdin.write(json.dumps({"id": self.asked, "mode": "window", "spec": spec}) + "\n")
        self.stdin.flush()
        answer = json.loads(self.stdout.readline())
        return time.perf_counter() - began, _process_cpu(self.process.pid) - cpu, answer

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    median = statistics.median
    with tempfile.TemporaryDirectory() as folder:
        spec = build(folder, args.inputs, args.features)
        spec_path = os.path.join(folder, "spec.json")
        with open(spec_path, "w") as file:
            json.dump(spec, file)
        # one process a window: the first reads and caches the reference on disk
        cold = run(spec_path)
        warm = [run(spec_path) for _ in range(args.runs)]
        imports = [timed([sys.executable, "-c", "import sqlite3, numpy, scipy.special"]) for _ in range(args.runs)]
        # the long-lived process: a fresh cache folder, so its first window reads the reference too
        served_spec = {**spec, "reference": {**spec["reference"], "cacheDir": os.path.join(folder, "cache-served")}}
        served = Served()
        served_cold = served.window(served_spec)
        served_warm = [served.window(served_spec) for _ in range(args.runs)]
        served.close()
        # a restarted process (a bridge restarted): the summary is on disk, not yet in memory
        again = Served()
        restarted = again.window(served_spec)
        again.close()
    answer = served_warm[-1][2]
    assert answer["ok"], answer
    same = [f["feature"] for f in cold[2]["features"]] == [f["feature"] for f in answer["features"]]

    def line(label: str, runs: list) -> str:
        return f"  {label:<58}{median(r[0] for r in runs):>7.3f} s wall {median(r[1] for r in runs):>7.3f} s CPU"

    print(f"drift window: {answer['count']:,} logged inputs x {args.features} features")
    print(
        f"  load average before: {LOAD[0]:.1f}, after: {os.getloadavg()[0]:.1f} (this machine's {os.cpu_count()} cores)"
    )
    print("one process a window (how the bridge ran it before):")
    print(line("cold (reads + caches the 100,000-row reference)", [cold]))
    print(line(f"warm (summary cached on disk), median of {args.runs}", warm))
    print(line("  of which starting Python, importing numpy, scipy.special", imports))
    print("long-lived process (now), started once:")
    print(line("start (Python, numpy, scipy.special, emkit.drift)", [(served.start_wall, served.start_cpu)]))
    print(line("cold (reads + caches the 100,000-row reference)", [served_cold]))
    print(line(f"warm (summary kept in memory), median of {args.runs}  (aim < 1 s)", served_warm))
    print(line("first window after a restart (summary cached on disk)", [restarted]))
    drifted = [f["feature"] for f in answer["features"] if f["drifted"]]
    print(
        f"  drifted: {', '.join(drifted)}; prediction drifted: {answer['prediction']['drifted']}; same answer: {same}"
    )


if __name__ == "__main__":
    LOAD = os.getloadavg()
    main()
