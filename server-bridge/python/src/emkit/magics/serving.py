"""``%emkit model`` (and its quick test), ``promote``, ``endpoint`` and ``predict``."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ..states import BUSY_ENDPOINT_STATES, BUSY_STAGE_STATES
from . import drift, payloads, stages
from .display import Record, Table, elapsed, progress_html, progress_text, text_of
from .evaluations import promoted_evaluation
from .parsing import MagicError
from .trainings import default_model_name
from .waiting import watch

MODEL_FIELDS = [
    ("name", "name"),
    ("version", "version"),
    ("aliases", "aliases"),
    ("state", "state"),
    ("framework", "framework"),
    ("from training", "source.training.name"),
    ("hyperparameters", "hyperparameters"),
    ("metrics", lambda m: {tag: s.get("best") for tag, s in (m.get("metrics") or {}).items()}),
    ("artifact", "artifactPath"),
    ("id", "id"),
]
MODEL_COLUMNS = [
    ("name", "name"),
    ("version", "version"),
    ("aliases", "aliases"),
    ("state", "state"),
    ("framework", "framework"),
    ("from training", "source.training.name"),
    ("created", "createdAt"),
]
ENDPOINT_COLUMNS = [
    ("name", "name"),
    ("state", "state"),
    ("default stage", "defaultStage"),
    ("stages", lambda e: _stages(e)),
    ("created", "createdAt"),
]


def _stages(endpoint: Dict[str, Any]) -> str:
    return ", ".join(
        f"{s['name']} ({s['model']['name']}:{s['model']['version']}, {s['state']})" for s in endpoint.get("stages", [])
    )


def model(ctx, args, cell):
    client = ctx.client
    if args.action == "list":
        return Table(client.models.list(name=args.name), MODEL_COLUMNS, "model versions")
    if args.action == "predict":
        return quick_test(client, args, cell)
    if args.action in ("activate", "deactivate"):
        changed = getattr(client.models, args.action)(args.model)
        print(f"model {changed['name']}:{changed['version']} is {changed['state']}")
        return None
    training = client.trainings.get(args.training)
    created = client.models.create(
        args.name or default_model_name(training),
        training=training["id"],
        aliases=args.alias,
        description=args.description,
    )
    return model_record(created)


def model_record(version: Dict[str, Any]) -> Record:
    return Record(version, MODEL_FIELDS, f"model {version['name']}:{version['version']}")


def promote(ctx, args, cell):
    promoted = ctx.client.models.promote(f"{args.model}:{args.version}", args.alias)
    print(f"{promoted['name']}@{args.alias} is now version {promoted['version']}")
    # promote is an informed step: the version's evaluation comes with it (in the value too)
    line, evaluation = promoted_evaluation(ctx.client, promoted["name"], promoted["version"])
    print(line)
    return model_record({**promoted, "evaluation": evaluation})


def endpoint(ctx, args, cell):
    client = ctx.client
    action = args.action
    if action in payloads.ACTIONS:
        return payloads.run(ctx, args)
    if action in drift.ACTIONS:
        return drift.run(ctx, args)
    if action == "list":
        return Table(client.endpoints.list(), ENDPOINT_COLUMNS, "endpoints")
    if action in stages.STAGE_ACTIONS:
        return stages.run(ctx, args)
    if action == "create":
        created = client.endpoints.create(
            args.name,
            args.model,
            stage=args.stage,
            instance_count=args.instances,
            environment=args.env,
            cluster=args.cluster,
        )
        if args.wait:
            created = _wait_endpoint(client, created["id"], created["name"])
        return endpoint_record(ctx, created)
    if action == "stage":
        client.endpoints.add_stage(
            args.name, args.stage, args.model, instance_count=args.instances, environment=args.env, cluster=args.cluster
        )
        if args.wait:
            stage = watch(
                lambda: client.endpoints.get_stage(args.name, args.stage),
                lambda s: s["state"] not in BUSY_STAGE_STATES,
                lambda s, seconds: _state_line(f"stage {args.name}/{args.stage}", s, seconds),
                f"stage {args.stage} of {args.name}",
            )
            if stage["state"] != "ACTIVE":
                raise MagicError(f"stage {args.stage} of {args.name} is {stage['state']}" + _reason(stage))
        return endpoint_record(ctx, client.endpoints.get(args.name))
    if action == "default":
        switched = client.endpoints.set_default_stage(args.name, args.stage)
        print(f"{switched['name']} now answers from its stage {args.stage}")
        return endpoint_record(ctx, switched)
    # delete
    if args.stage:
        client.endpoints.delete_stage(args.name, args.stage)
        print(f"stage {args.stage} of {args.name} is being deleted (once its requests in flight are answered)")
    else:
        client.endpoints.delete(args.name)
        print(f"endpoint {args.name} is being deleted")
    return None


def _wait_endpoint(client, key: str, name: str) -> Dict[str, Any]:
    settled = watch(
        lambda: client.endpoints.get(key),
        lambda e: e["state"] not in BUSY_ENDPOINT_STATES,
        lambda e, seconds: _state_line(f"endpoint {name}", e, seconds, _stages(e)),
        f"endpoint {name}",
    )
    if settled["state"] != "ACTIVE":
        raise MagicError(f"endpoint {name} is {settled['state']}" + _reason(settled))
    return settled


def _state_line(title: str, record: Dict[str, Any], seconds: float, stages: Optional[str] = None):
    details = [("waited", elapsed(seconds))] + ([("stages", stages)] if stages else [])
    reason = record.get("stateReason")
    return (
        progress_html(title, record["state"], details, reason=reason),
        progress_text(title, record["state"], details, reason),
    )


def _reason(record: Dict[str, Any]) -> str:
    reason = (record.get("stateReason") or "").strip()
    return f": {reason.splitlines()[0]}" if reason else ""


def endpoint_record(ctx, found: Dict[str, Any]) -> Record:
    url = f"{ctx.client.url}/inference/{found['name']}"
    fields = [
        ("name", "name"),
        ("state", "state"),
        ("reason", "stateReason"),
        ("default stage", "defaultStage"),
        ("stages", _stages),
        ("called at", lambda _: f"POST {url}"),
        ("id", "id"),
    ]
    return Record(found, fields, f"endpoint {found['name']}")


def predict(ctx, args, cell):
    expression = cell if cell is not None and cell.strip() else args.expression
    if not expression or not expression.strip():
        raise MagicError("%emkit predict ENDPOINT EXPR: give the instances as a Python expression, e.g. X_test[:5]")
    try:
        value = ctx.shell.ev(expression.strip())
    except Exception as error:  # the user's expression: its own error, in one line
        raise MagicError(f"cannot evaluate {expression.strip()!r}: {type(error).__name__}: {text_of(error)}") from None
    return ctx.client.endpoints.predict(args.endpoint, instances(value), stage=args.stage)


def instances(value: Any) -> List[Any]:
    """A list, tuple, NumPy array, pandas DataFrame or Series → the JSON list of instances."""
    if hasattr(value, "to_numpy"):  # pandas: rows, not a dict of columns
        value = value.to_numpy()
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        raise MagicError(f"the instances must be a list, a NumPy array or a DataFrame, not {type(value).__name__}")
    return value


def quick_test(client, args, cell: Optional[str]) -> Table:
    """``%%emkit model predict MODEL [--scores]`` with the instances as JSON in the cell, or
    ``%emkit model predict MODEL --file PATH``: one row per instance, a column per class score."""
    has_cell = cell is not None and cell.strip() != ""
    if has_cell == (args.file is not None):
        raise MagicError(
            "%%emkit model predict MODEL: give the instances as JSON in the cell, e.g. [[5.1, 3.5, 1.4, 0.2]], "
            "or a file with %emkit model predict MODEL --file PATH (not both)"
        )
    if args.file is not None:
        try:
            answer = client.models.predict_file(args.model, path=args.file, return_scores=args.scores)
        except OSError as error:
            raise MagicError(f"cannot read {args.file}: {error.strerror or error}") from None
    else:
        answer = client.models.predict(args.model, _json_instances(cell or ""), return_scores=args.scores)
    return prediction_table(args.model, answer)


def _json_instances(text: str) -> List[Any]:
    """``[...]`` or ``{"instances": [...]}``, as the CLI's --data takes them."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise MagicError(f"the cell is not JSON ({error}); give the instances as a JSON list") from None
    if isinstance(document, dict) and isinstance(document.get("instances"), list):
        return document["instances"]
    if not isinstance(document, list):
        raise MagicError('the cell must hold a JSON list of instances, or {"instances": [...]}')
    return document


def prediction_table(ref: str, answer: Dict[str, Any]) -> Table:
    scores = answer.get("scores") or []
    classes = answer.get("classes") or (list(range(len(scores[0]))) if scores else [])
    rows = [
        {"prediction": prediction, "scores": scores[i] if i < len(scores) else []}
        for i, prediction in enumerate(answer["predictions"])
    ]
    columns = [("prediction", "prediction")] + [
        (f"P({label})", lambda row, c=c: row["scores"][c] if c < len(row["scores"]) else None)
        for c, label in enumerate(classes)
    ]
    how = "warm" if answer.get("warm") else "cold: its worker started"
    return Table(rows, columns, f"model {ref} ({how}, {answer.get('milliseconds', 0):.0f} ms)")
