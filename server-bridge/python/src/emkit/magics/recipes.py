"""``%emkit recipe list|get|save|delete|train``: the CLI's ``emkit recipe`` from a cell."""

from __future__ import annotations

from .display import Record, Table
from .parsing import MagicError, as_dict
from .trainings import training_record, wait_for_training

RECIPE_COLUMNS = [
    ("name", "name"),
    ("kind", lambda r: "built-in" if r["builtin"] else "saved"),
    ("task", lambda r: r.get("task") or ""),
    ("datasets", lambda r: ", ".join(d["name"] for d in r["datasets"])),
    ("from", lambda r: (r.get("source") or {}).get("trainingName") or ""),
    ("description", "description"),
]
RECIPE_FIELDS = [
    ("name", "name"),
    ("kind", lambda r: "built-in" if r["builtin"] else "saved"),
    ("description", "description"),
    (
        "datasets",
        lambda r: [f"{d['name']} ({' | '.join(d['kinds']) or 'any'})" for d in r["datasets"]],
    ),
    (
        "parameters",
        lambda r: [
            f"{p['name']}: {p['type']}, " + ("required" if p["default"] is None else f"default {p['default']!r}")
            for p in r["parameters"]
        ],
    ),
    ("entry point", "entryPoint"),
    ("environment", lambda r: r.get("environment") or "(the bridge's Python)"),
    ("saved from", lambda r: (r.get("source") or {}).get("trainingName") or ""),
]


def recipe(ctx, args, cell):
    client = ctx.client
    if args.action == "list":
        return Table(client.recipes.list(), RECIPE_COLUMNS, "recipes")
    if args.action == "get":
        found = client.recipes.get(args.name)
        return Record(found, RECIPE_FIELDS, f"recipe {found['name']}")
    if args.action == "save":
        saved = client.recipes.save(args.training, args.name, description=args.description)
        return Record(saved, RECIPE_FIELDS, f"recipe {saved['name']}")
    if args.action == "delete":
        client.recipes.delete(args.name)
        print(f"recipe {args.name} deleted (the trainings made from it stay)")
        return None
    if not args.dataset:
        raise MagicError(f"%emkit recipe train {args.name}: give its data, e.g. --dataset train=NAME_OR_PATH")
    # left out: the training's name; --no-model: none
    options = {"model": None} if args.no_model else {} if args.model is None else {"model": args.model}
    training = client.recipes.train(
        args.name,
        as_dict(args.dataset),
        hyperparameters=as_dict(args.hp),
        name=args.training_name,
        environment=args.env,
        experiment=args.experiment,
        description=args.description,
        **options,
    )
    if args.wait:
        return wait_for_training(client, training)
    print(f"training {training['name']} submitted: `%emkit logs {training['name']} --follow` shows its log")
    return training_record(training)
