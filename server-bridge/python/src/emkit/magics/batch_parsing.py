"""The grammar of ``%emkit batch …``: added to the one argparse tree by ``parsing.build``."""

from __future__ import annotations


def add_batch(commands, parser_class, wait_flag, positive, probability) -> None:
    batch = commands.add_parser("batch", help="batch scoring: create, list, get, stop, delete, log")
    actions = batch.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)
    actions.required = True
    create = actions.add_parser(
        "create", help="score a table (.csv/.parquet/.jsonl) or a folder of files with a model version"
    )
    create.add_argument("--model", required=True, help="id, name (its newest), name:version or name@alias")
    create.add_argument("--input", required=True, metavar="PATH_OR_DATASET", help="a path, or a dataset NAME[:VERSION]")
    create.add_argument("--output", metavar="DIR", help="the folder to write into (default: the job's own)")
    create.add_argument("--overwrite", action="store_true", help="replace predictions already in --output")
    create.add_argument("--output-dataset", metavar="NAME", help="register the predictions as this dataset")
    create.add_argument("--format", choices=["jsonl", "csv", "parquet"], help="default: the input's, jsonl for files")
    create.add_argument("--features", metavar="A,B,…", help="the columns the model takes, in order")
    create.add_argument("--instances", type=positive, metavar="N", help="worker processes (default 1)")
    create.add_argument("--batch-size", type=positive, metavar="B", help="items per call of the model (default 256)")
    create.add_argument(
        "--max-error-ratio", type=probability, metavar="R", help="FAIL past this share of bad items (default 0.1)"
    )
    create.add_argument("--no-scores", action="store_true", help="predictions only, no class scores")
    create.add_argument("--name", help="a name for the job")
    create.add_argument("--env", help="the environment to run in (default: the model's training's)")
    create.add_argument("--cluster", metavar="NAME", help="run the workers on this Ray cluster (default: this machine)")
    wait_flag(create, True, "it has ended")
    batch_list = actions.add_parser("list", help="batch scoring jobs, newest first")
    batch_list.add_argument("--model", help="only this model's jobs")
    for name, what in (("get", "one job"), ("stop", "stop a job, keeping what it scored"), ("log", "a job's log")):
        actions.add_parser(name, help=what).add_argument("id", metavar="ID")
    actions.add_parser("delete", help="delete a job that has ended (an --output you named is kept)").add_argument(
        "id", metavar="ID"
    )
