"""What each process of a training runs: its argument vector and its environment.

Hyperparameters reach the entry point as ``--key value`` arguments (EasyMaker's contract);
the EM_* variables come ready-made from the bridge in ``spec.env``. A multi-rank training
gets the variables torchrun would set, so ``torch.distributed`` code runs unchanged.
"""

from __future__ import annotations

import os

from .spec import Spec


def hyperparameter_args(spec: Spec) -> list[str]:
    args: list[str] = []
    for key, value in spec.hyperparameters.items():
        args += [f"--{key}", value]
    return args


def rank_argv(spec: Spec, rank: int) -> list[str]:
    if spec.kind == "script":
        # nothing between the interpreter and the user's code: start-up latency counts
        return [spec.python, spec.entry_path, *hyperparameter_args(spec)]
    stem = os.path.splitext(os.path.basename(spec.entry_path))[0]
    output = f"{stem}.ipynb" if rank == 0 else f"{stem}.rank-{rank}.ipynb"
    return [
        spec.python,
        "-m",
        "emkit.runner.notebook",
        spec.entry_path,
        "--output",
        os.path.join(spec.artifacts_dir, output),
        "--error-file",
        spec.error_file(rank),
        "--",
        *hyperparameter_args(spec),
    ]


def base_env(spec: Spec) -> dict[str, str]:
    """The supervisor's own environment (PYTHONPATH included) plus the training's."""
    env = dict(os.environ)
    env.update(spec.env)
    env["PYTHONUNBUFFERED"] = "1"  # the log shows output as it happens
    return env


def rank_env(spec: Spec, base: dict[str, str], rank: int, master_port: int | None) -> dict[str, str]:
    env = dict(base)
    env["EMKIT_RANK"] = str(rank)
    count = spec.instance_count
    if count > 1:
        this, world = str(rank), str(count)
        env.update(
            {
                "RANK": this,
                "LOCAL_RANK": this,
                "WORLD_SIZE": world,
                "LOCAL_WORLD_SIZE": world,
                "GROUP_RANK": "0",
                "GROUP_WORLD_SIZE": "1",
                "ROLE_RANK": this,
                "ROLE_WORLD_SIZE": world,
                "ROLE_NAME": "default",
                "MASTER_ADDR": "127.0.0.1",
                "MASTER_PORT": str(master_port),
                "TORCHELASTIC_RUN_ID": spec.training_id,
                "TORCHELASTIC_RESTART_COUNT": "0",
                "TORCHELASTIC_MAX_RESTARTS": "0",
            }
        )
        # torchrun's default too: N ranks each using every core would oversubscribe the machine
        env.setdefault("OMP_NUM_THREADS", "1")
    return env


def installer_argv(spec: Spec) -> list[str]:
    prefix = spec.installer or [spec.python, "-m", "pip", "install", "--no-input"]
    return [*prefix, "-r", spec.requirements_path]


def free_port() -> int:
    """A TCP port nobody listens on now, for rank 0's rendezvous (as torchrun picks one)."""
    import socket  # only multi-rank trainings need it

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
