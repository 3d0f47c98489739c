"""``%emkit cluster``: Ray clusters — list, get, add, up, down, remove, default, dashboard."""

from __future__ import annotations

from typing import Any, Dict

from ..states import BUSY_CLUSTER_STATES
from .display import Record, Table, elapsed, progress_html, progress_text, show_page
from .parsing import MagicError
from .waiting import watch


def _alive(cluster: Dict[str, Any]) -> str:
    nodes = cluster.get("nodes") or []
    return f"{sum(1 for n in nodes if n['alive'])}/{len(nodes)} alive" if nodes else ""


CLUSTER_COLUMNS = [
    ("name", lambda c: c["name"] + (" (default)" if c["isDefault"] else "")),
    ("state", "state"),
    ("address", "address"),
    ("ray", "rayVersion"),
    ("nodes", _alive),
    ("cpus", lambda c: sum(n["cpus"] for n in c.get("nodes") or [] if n["alive"]) or ""),
]
CLUSTER_FIELDS = [
    ("name", "name"),
    ("state", "state"),
    ("reason", "stateReason"),
    ("address", "address"),
    ("default", lambda c: "yes" if c["isDefault"] else "no"),
    ("token", lambda c: "set" if c["hasToken"] else "none"),
    ("ray", "rayVersion"),
    ("local", lambda c: f"{c['local']['nodes']} nodes x {c['local'].get('cpusPerNode', 1)} CPU" if c["local"] else ""),
    (
        "nodes",
        lambda c: [
            f"{n['address']}{' (head)' if n['head'] else ''} {n['state']}, {n['cpus']:g} CPU, {n['gpus']:g} GPU, "
            f"{n['memoryBytes'] / 1024**3:.1f} GiB"
            for n in c.get("nodes") or []
        ],
    ),
]


def cluster(ctx, args, cell):
    client = ctx.client
    if args.action == "list":
        return Table(client.clusters.list(), CLUSTER_COLUMNS, "clusters")
    if args.action == "get":
        return _record(client.clusters.get(args.name))
    if args.action == "remove":
        client.clusters.remove(args.name)
        print(f"cluster {args.name} removed")
        return None
    if args.action == "default":
        if args.local:
            client.clusters.set_default(None)
            print("trainings and stages run on this machine by default")
            return None
        if not args.name:
            raise MagicError("%emkit cluster default: name a cluster, or give --local")
        return _record(client.clusters.set_default(args.name) or {})
    if args.action == "dashboard":
        # the bridge's proxy adds Ray's token: the output holds only a one-time ticket
        first = client.clusters.dashboard_url(args.name)
        plain = first.split("?", 1)[0]
        show_page(first, plain, args.height, f"Ray dashboard of {args.name}")
        return None
    if args.action == "down":
        return _record(client.clusters.down(args.name))
    if args.action == "add":
        token = None
        if args.token_file:
            try:
                with open(args.token_file, encoding="utf-8") as file:
                    token = file.read().strip()
            except OSError as error:
                raise MagicError(f"cannot read {args.token_file}: {error.strerror}") from None
        made = client.clusters.add(args.name, args.ray, token=token, wait=False)
    else:
        made = client.clusters.up(
            args.name, nodes=args.nodes, cpus_per_node=args.cpus_per_node, memory_mb_per_node=args.memory_mb, wait=False
        )
    if not args.wait:
        return _record(made)
    settled = _watch(client, made)
    if args.action == "up" and settled["state"] != "REACHABLE":
        reason = (settled.get("stateReason") or "").strip().splitlines()
        raise MagicError(
            f"cluster {args.name} is {settled['state']}" + (f": {reason[0]}" if reason else "") + " (see its node logs)"
        )
    return _record(settled)


def _record(cluster: Dict[str, Any]) -> Record:
    return Record(cluster, CLUSTER_FIELDS, f"cluster {cluster.get('name', '')}")


def _watch(client, cluster: Dict[str, Any]) -> Dict[str, Any]:
    def render(c, seconds):
        details = [("nodes", _alive(c) or "…"), ("waited", elapsed(seconds))]
        title = f"cluster {c['name']}"
        return (
            progress_html(title, c["state"], details, reason=c.get("stateReason")),
            progress_text(title, c["state"], details, c.get("stateReason")),
        )

    return watch(
        lambda: client.clusters.get(cluster["id"]),
        lambda c: c["state"] not in BUSY_CLUSTER_STATES,
        render,
        f"cluster {cluster['name']}",
        timeout=600,
    )
