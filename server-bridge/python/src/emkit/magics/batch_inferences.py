"""``%emkit batch …``: score a table or a folder of files with a model version, watch its progress,
stop it, and read its predictions."""

from __future__ import annotations

from typing import Any, Dict

from ..states import BUSY_BATCH_INFERENCE_STATES
from .display import Record, Table, elapsed, progress_html, progress_text
from .parsing import MagicError
from .waiting import watch


def progress(job: Dict[str, Any]) -> str:
    """1,200/50,000 (3 bad) · 2,400/s · ETA 20 s"""
    p = job.get("progress") or {}
    total = p.get("total")
    parts = [f"{p.get('done', 0):,}/{'?' if total is None else f'{total:,}'}"]
    if p.get("errors"):
        parts[0] += f" ({p['errors']:,} bad)"
    if p.get("rate") is not None:
        parts.append(f"{round(p['rate']):,}/s")
    if p.get("etaSeconds") is not None:
        parts.append(f"ETA {elapsed(p['etaSeconds'])}")
    return " · ".join(parts)


def _model(job: Dict[str, Any]) -> str:
    return f"{job['model']['name']}:{job['model']['version']}"


COLUMNS = [
    ("name", "name"),
    ("model", _model),
    ("state", "state"),
    ("progress", progress),
    ("output", "outputFile"),
]
FIELDS = [
    ("state", "state"),
    ("reason", "reason"),
    ("model", _model),
    ("input", "input"),
    ("progress", progress),
    ("predictions", "outputFile"),
    ("errors", "errorsFile"),
    ("dataset", "outputDataset"),
    ("workers", "instances"),
    ("id", "id"),
]


def _record(job: Dict[str, Any]) -> Record:
    return Record(job, FIELDS, f"batch scoring {job['name']}")


def batch(ctx, args, cell):
    client = ctx.client.batch_inferences
    if args.action == "list":
        return Table(client.list(model=args.model), COLUMNS, "batch scoring jobs")
    if args.action == "get":
        return _record(client.get(args.id))
    if args.action == "stop":
        return _record(client.stop(args.id))
    if args.action == "log":
        print(client.log(args.id), end="")
        return None
    if args.action == "delete":
        client.delete(args.id)
        print(f"batch scoring {args.id} deleted")
        return None
    created = client.create(
        args.model,
        args.input,
        output=args.output,
        overwrite=args.overwrite,
        output_dataset=args.output_dataset,
        format=args.format,
        features=[f.strip() for f in args.features.split(",") if f.strip()] if args.features else None,
        instances=args.instances,
        batch_size=args.batch_size,
        max_error_ratio=args.max_error_ratio,
        return_scores=False if args.no_scores else None,
        name=args.name,
        environment=args.env,
        cluster=args.cluster,
    )
    if not args.wait:
        print(f"batch scoring {created['name']} submitted: `%emkit batch get {created['name']}` shows its progress")
        return _record(created)
    title = f"batch scoring {created['name']} with {_model(created)}"

    def render(job: Dict[str, Any], seconds: float):
        details = [("done", progress(job)), ("waited", elapsed(seconds))]
        reason = job.get("reason")
        return progress_html(title, job["state"], details, reason=reason), progress_text(
            title, job["state"], details, reason
        )

    settled = watch(
        lambda: client.get(created["id"]),
        lambda j: j["state"] not in BUSY_BATCH_INFERENCE_STATES,
        render,
        title,
    )
    if settled["state"] != "COMPLETE":
        reason = (settled.get("reason") or "no reason given").strip().splitlines()[0]
        raise MagicError(f"{title} is {settled['state']}: {reason} (`%emkit batch log {created['id']}` has its log)")
    return _record(settled)
