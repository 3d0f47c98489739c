"""``%emkit dataset``: datasets — create, upload, list, get, preview, versions, version, delete."""

from __future__ import annotations

from typing import Any, Dict, List

from .display import Record, Table, esc, table_html, table_text

THUMBNAIL_PREFIX = "data:image/png;base64,"


def _shape(version: Dict[str, Any]) -> str:
    schema = version["schema"]
    if schema["kind"] == "table":
        return f"{schema['rows']} rows x {len(schema['columns'])} columns"
    if schema["kind"] == "class-folders":
        return f"{len(schema['classes'])} classes"
    return f"{version['files']} files"


DATASET_COLUMNS = [
    ("name", "name"),
    ("version", "latest.version"),
    ("kind", lambda d: f"{d['latest']['schema']['kind']} ({d['latest']['schema']['format']})"),
    ("shape", lambda d: _shape(d["latest"])),
    ("mode", "mode"),
    ("created", "createdAt"),
]
DATASET_FIELDS = [
    ("name", "name"),
    ("description", "description"),
    ("mode", "mode"),
    ("source", "source"),
    ("version", lambda d: f"{d['latest']['version']} of {d['versions']}"),
    ("kind", lambda d: f"{d['latest']['schema']['kind']} ({d['latest']['schema']['format']})"),
    ("shape", lambda d: _shape(d["latest"])),
    ("sha256", "latest.sha256"),
    ("path", "latest.path"),
    ("skipped", lambda d: [f"{s['file']}: {s['reason']}" for s in d["latest"]["schema"]["skipped"]]),
]
VERSION_COLUMNS = [
    ("version", "version"),
    ("sha256", lambda v: v["sha256"][:12]),
    ("shape", _shape),
    ("bytes", "bytes"),
    ("created", "createdAt"),
]


def _sample_text(sample: Dict[str, Any]) -> str:
    name = sample["file"].rsplit("/", 1)[-1]
    if sample.get("durationSeconds") is not None:
        return f"{name} ({sample['durationSeconds']:.2f} s)"
    if sample.get("snippet") is not None:
        return f'{name}: "{" ".join(sample["snippet"].split())[:40]}"'
    return name


def _sample_html(sample: Dict[str, Any]) -> str:
    thumbnail = sample.get("thumbnail")
    if isinstance(thumbnail, str) and thumbnail.startswith(THUMBNAIL_PREFIX):
        return f'<img src="{esc(thumbnail)}" title="{esc(sample["file"])}" style="max-width:64px;max-height:64px">'
    return esc(_sample_text(sample))


class Preview(dict):
    """A dataset's preview: a table's columns and first rows, or each class with its count and samples
    (thumbnails in a notebook)."""

    def _parts(self):
        schema = self["schema"]
        if schema["kind"] == "table":
            columns = [("column", "name"), ("type", "type"), ("nulls", "nulls"), ("distinct", "distinct")]
            row_columns = [(c["name"], (lambda n: lambda r: r.get(n))(c["name"])) for c in schema["columns"]]
            return [(schema["columns"], columns), (self["rows"], row_columns)]
        samples = {group["class"]: group["samples"] for group in self["samples"]}
        classes = [
            {**c, "samples": samples.get(c["name"], [])} for c in schema["classes"]
        ]  # the samples beside their class
        return [(classes, [("class", "name"), ("count", "count"), ("kind", "sampleKind"), ("samples", "samples")])]

    def _title(self) -> str:
        schema = self["schema"]
        rows = f", {schema['rows']} rows" if schema["rows"] is not None else ""
        return f"{self['dataset']}:{self['version']} {schema['kind']} ({schema['format']}){rows}"

    def _skipped(self) -> List[str]:
        return [f"{s['file']}: {s['reason']}" for s in self["schema"]["skipped"]]

    def _repr_html_(self) -> str:
        html = [f"<b>{esc(self._title())}</b>"]
        for rows, columns in self._parts():
            if columns and columns[-1][0] == "samples":
                body = "".join(
                    f"<tr><td>{esc(c['name'])}</td><td>{c['count']}</td><td>{esc(c['sampleKind'])}</td>"
                    f"<td>{' '.join(_sample_html(s) for s in c['samples'])}</td></tr>"
                    for c in rows
                )
                head = "".join(f"<th>{esc(t)}</th>" for t, _ in columns)
                html.append(f'<table class="emkit-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
            elif rows:
                html.append(table_html(rows, columns, None))
        if self._skipped():
            items = "".join(f"<li>{esc(line)}</li>" for line in self._skipped())
            html.append(f"<div>skipped {self['schema']['skippedCount']} file(s):<ul>{items}</ul></div>")
        return f'<div class="emkit-record">{"".join(html)}</div>'

    def _repr_pretty_(self, printer, cycle) -> None:
        lines = [self._title()]
        for rows, columns in self._parts():
            if columns and columns[-1][0] == "samples":
                shown = [{**c, "samples": ", ".join(_sample_text(s) for s in c["samples"])} for c in rows]
                lines.append(table_text(shown, columns))
            elif rows:
                lines.append(table_text(rows, columns))
        skipped = self._skipped()
        if skipped:
            lines.append(f"skipped {self['schema']['skippedCount']} file(s):")
            lines += [f"  {line}" for line in skipped]
        printer.text("\n".join(lines))


def dataset(ctx, args, cell):
    client = ctx.client
    if args.action == "list":
        return Table(client.datasets.list(), DATASET_COLUMNS, "datasets")
    if args.action == "get":
        return Record(client.datasets.get(args.name), DATASET_FIELDS, f"dataset {args.name}")
    if args.action == "create":
        made = client.datasets.create(
            args.name, args.path, reference=args.reference, description=args.description or ""
        )
        return Record(made, DATASET_FIELDS, f"dataset {args.name}")
    if args.action == "upload":
        made = client.datasets.upload(args.name, args.path, description=args.description or "")
        return Record(made, DATASET_FIELDS, f"dataset {args.name}")
    if args.action == "preview":
        return Preview(client.datasets.preview(args.ref, rows=args.rows))
    if args.action == "versions":
        return Table(client.datasets.versions(args.name), VERSION_COLUMNS, f"versions of {args.name}")
    if args.action == "version":
        version = client.datasets.version(args.name)
        print(f"{version['dataset']}:{version['version']} sha256 {version['sha256'][:12]} {_shape(version)}")
        return None
    client.datasets.delete(args.name)
    print(f"dataset {args.name} deleted")
    return None
