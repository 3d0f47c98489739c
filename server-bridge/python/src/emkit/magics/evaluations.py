"""``%emkit evaluate``: judge a model version on held-out data, wait, and show the figures, the
per-class table and the confusion matrix."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..states import BUSY_EVALUATION_STATES
from .display import elapsed, esc, progress_html, progress_text, state_html, table_html, table_text
from .parsing import MagicError
from .waiting import watch


def figure(value: Any) -> str:
    """Four decimals; blank where scikit-learn had no figure."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _rows(headers: Sequence[str], cells: Sequence[Sequence[Any]]) -> List[Dict[str, Any]]:
    return [dict(zip(headers, row)) for row in cells]


class EvaluationReport(dict):
    """An evaluation (the bridge's dict) that shows its headline figures, its per-class table, its
    confusion matrix and its worst mistakes: HTML in a notebook, text elsewhere."""

    def _sections(self) -> List[tuple]:
        """(caption, headers, rows) for each table, in the order they are shown."""
        result = self.get("result") or {}
        sections = []
        c = result.get("classification")
        if c:
            per_class = [
                [
                    k["class"],
                    figure(k["precision"]),
                    figure(k["recall"]),
                    figure(k["f1"]),
                    k["support"],
                    figure(k["averagePrecision"]),
                    figure(k["rocAuc"]),
                ]
                for k in c["perClass"]
            ]
            for average in ("macro", "weighted"):
                a = c[average]
                per_class.append(
                    [f"({average})", figure(a["precision"]), figure(a["recall"]), figure(a["f1"]), "", "", ""]
                )
            sections.append(
                ("per class", ["class", "precision", "recall", "F1", "support", "avg precision", "ROC AUC"], per_class)
            )
            names = [str(k) for k in c["classes"]]
            sections.append(
                (
                    "confusion matrix (rows: true class, columns: predicted)",
                    ["", *names],
                    [[names[i], *row] for i, row in enumerate(c["confusionMatrix"])],
                )
            )
        at = self.get("atThreshold")
        if at:
            sections.append(
                (
                    f"at threshold {at['threshold']}",
                    ["class", "precision", "recall", "F1", "predicted", "support"],
                    [
                        [
                            k["class"],
                            figure(k["precision"]),
                            figure(k["recall"]),
                            figure(k["f1"]),
                            k["predicted"],
                            k["support"],
                        ]
                        for k in at["perClass"]
                    ],
                )
            )
        k = result.get("clustering")
        if k:
            sections.append(("clusters", ["cluster", "size"], [[x["cluster"], x["size"]] for x in k["clusters"]]))
        errors = result.get("errors") or []
        if errors:
            regression = result.get("regression") is not None
            sections.append(
                (
                    "largest residuals" if regression else "most confident mistakes",
                    ["row", "label", "predicted", "residual" if regression else "confidence", "instance"],
                    [
                        [
                            x["row"],
                            x["label"],
                            x["predicted"],
                            figure(x["residual"] if regression else x["confidence"]),
                            x["instance"][:80],
                        ]
                        for x in errors[:10]
                    ],
                )
            )
        return sections

    def headline(self) -> str:
        result = self.get("result") or {}
        c, r, k = result.get("classification"), result.get("regression"), result.get("clustering")
        if c:
            line = (
                f"accuracy {figure(c['accuracy'])} · macro F1 {figure(c['macro']['f1'])}"
                f" · weighted F1 {figure(c['weighted']['f1'])}"
            )
            return line + (f" · ROC AUC {figure(c['rocAuc'])}" if c.get("rocAuc") is not None else "")
        if r:
            return f"RMSE {figure(r['rmse'])} · MAE {figure(r['mae'])} · R² {figure(r['r2'])}"
        if k:
            return f"silhouette {figure(k['silhouette'])} · {len(k['clusters'])} clusters"
        return ""

    def notes(self) -> List[str]:
        c = (self.get("result") or {}).get("classification") or {}
        notes = []
        if c.get("unseenLabels"):
            seen = ", ".join(f"{u['label']} ({u['count']} rows)" for u in c["unseenLabels"])
            notes.append(f"labels the model never saw: {seen}")
        if c.get("bestF1"):
            b = c["bestF1"]
            notes.append(f"best F1 {figure(b['f1'])} at threshold {figure(b['threshold'])}")
        if c and not c.get("hasScores") and c.get("noScoresReason"):
            notes.append(f"no scores: {c['noScoresReason']}")
        return notes

    def title(self) -> str:
        model, path = self.get("model") or {}, (self.get("data") or {}).get("path", "")
        return f"evaluation of {model.get('name')}:{model.get('version')} on {os.path.basename(path)}"

    def _repr_html_(self) -> str:
        rows = (self.get("result") or {}).get("rows")
        parts = [
            f'<div class="emkit-evaluation"><b>{esc(self.title())}</b>: {state_html(self.get("state"))}'
            + (f" · {esc(rows)} rows" if rows is not None else "")
        ]
        if self.get("stateReason"):
            parts.append(f'<div style="color:#c62828">{esc(self["stateReason"])}</div>')
        if self.headline():
            parts.append(f"<div><b>{esc(self.headline())}</b></div>")
        parts += [f"<div>{esc(note)}</div>" for note in self.notes()]
        for caption, headers, cells in self._sections():
            parts.append(table_html(_rows(headers, cells), [(h, h) for h in headers], caption))
        return "".join(parts) + "</div>"

    def _repr_pretty_(self, printer, cycle) -> None:
        lines = [f"{self.title()}: {self.get('state')}"]
        if self.get("stateReason"):
            lines.append(f"  {self['stateReason']}")
        if self.headline():
            lines.append(self.headline())
        lines += self.notes()
        for caption, headers, cells in self._sections():
            lines += ["", caption, table_text(_rows(headers, cells), [(h, h) for h in headers])]
        printer.text("\n".join(lines))


def _local_time(iso: str) -> str:
    """The bridge's ISO time as ``emkit`` prints it: local, to the second."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def promoted_evaluation(client, name: str, version: int) -> Tuple[str, Optional[Dict[str, Any]]]:
    """What ``%emkit promote`` adds, as ``emkit model promote`` does: the newest COMPLETE evaluation
    of the version being promoted (a line with its headline figures, and the evaluation), or how to
    make one."""
    found = client.evaluations.list(model=f"{name}:{version}", state="COMPLETE", limit=1)
    if not found:
        return f"no evaluation of {name}:{version} yet: `%emkit evaluate {name}:{version} --data PATH`", None
    evaluation = found[0]
    figures = "  ".join(f"{key} {figure(value)}" for key, value in (evaluation.get("metrics") or {}).items())
    when = _local_time(evaluation.get("endedAt") or evaluation["createdAt"])
    return f"evaluated on {evaluation['data']['path']} ({when}): {figures}", evaluation


def evaluate(ctx, args, cell):
    client = ctx.client
    created = client.evaluations.create(
        args.model,
        args.data,
        label=args.label,
        features=[f.strip() for f in args.features.split(",") if f.strip()] if args.features else None,
        task=args.task,
        threshold=args.threshold,
        max_errors=args.max_errors,
        environment=args.env,
    )
    title = f"evaluation of {created['model']['name']}:{created['model']['version']}"

    def render(e: Dict[str, Any], seconds: float):
        details = [("rows", e.get("rowsDone", 0)), ("waited", elapsed(seconds))]
        reason = e.get("stateReason")
        return progress_html(title, e["state"], details, reason=reason), progress_text(
            title, e["state"], details, reason
        )

    settled = watch(
        lambda: client.evaluations.get(created["id"]),
        lambda e: e["state"] not in BUSY_EVALUATION_STATES,
        render,
        title,
    )
    if settled["state"] != "COMPLETE":
        reason = (settled.get("stateReason") or "no reason given").strip().splitlines()[0]
        raise MagicError(
            f"{title} is {settled['state']}: {reason} (`client.evaluations.log({created['id']!r})` has its log)"
        )
    return EvaluationReport(settled)
