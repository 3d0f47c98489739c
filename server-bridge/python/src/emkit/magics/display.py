"""Rich output for the magics: tables and records that are still plain lists and dicts, and
a display that updates in place while something is waited for.

Everything that came from the bridge or the user is HTML-escaped: names, log lines and
reasons are text, never markup.
"""

from __future__ import annotations

import html
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

Getter = Union[str, Callable[[Dict[str, Any]], Any]]
Column = Tuple[str, Getter]

STATE_COLORS = {
    "ACTIVE": "#2e7d32",
    "COMPLETE": "#2e7d32",
    "RUNNING": "#1565c0",
    "FAIL TRAIN": "#c62828",
    "FAILED": "#c62828",
    "CREATE FAILED": "#c62828",
    "DEPLOY FAILED": "#c62828",
    "UPDATE FAILED": "#c62828",
    "DELETE FAILED": "#c62828",
    "STOPPED": "#6d4c41",
}
_CELL = "padding:2px 8px;text-align:left;vertical-align:top"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def value_of(row: Dict[str, Any], getter: Getter) -> Any:
    if callable(getter):
        return getter(row)
    value: Any = row
    for part in getter.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(text_of(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={text_of(v)}" for k, v in value.items())
    return str(value)


def state_html(state: Any) -> str:
    color = STATE_COLORS.get(str(state), "#8d6e00")
    return f'<span style="color:{color};font-weight:600">{esc(state)}</span>'


def _cell_html(title: str, value: Any) -> str:
    if title == "state":
        return state_html(value)
    return esc(text_of(value))


def table_html(rows: Sequence[Dict[str, Any]], columns: Sequence[Column], caption: Optional[str] = None) -> str:
    head = "".join(f'<th style="{_CELL}">{esc(title)}</th>' for title, _ in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{_cell_html(t, value_of(row, g))}</td>' for t, g in columns) + "</tr>"
        for row in rows
    )
    caption_html = f'<caption style="text-align:left;font-weight:600">{esc(caption)}</caption>' if caption else ""
    empty = "" if rows else f'<tr><td style="{_CELL}" colspan="{len(columns)}"><i>none</i></td></tr>'
    return (
        f'<table class="emkit-table">{caption_html}<thead><tr>{head}</tr></thead><tbody>{body}{empty}</tbody></table>'
    )


def table_text(rows: Sequence[Dict[str, Any]], columns: Sequence[Column]) -> str:
    cells = [[title for title, _ in columns]] + [[text_of(value_of(row, g)) for _, g in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells)


class Table(list):
    """A list of the bridge's records that shows itself as a table (HTML in notebooks)."""

    def __init__(self, rows: Sequence[Dict[str, Any]], columns: Sequence[Column], caption: Optional[str] = None):
        super().__init__(rows)
        self._columns, self._caption = list(columns), caption

    def _repr_html_(self) -> str:
        return table_html(self, self._columns, self._caption)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(table_text(self, self._columns) if self else f"no {self._caption or 'rows'}")


class Record(dict):
    """One of the bridge's records (a dict) that shows the fields a user looks at first."""

    def __init__(
        self, data: Dict[str, Any], fields: Sequence[Column], title: str, links: Sequence[Tuple[str, str]] = ()
    ):
        super().__init__(data)
        self._fields, self._title, self._links = list(fields), title, list(links)

    def _shown(self) -> List[Tuple[str, Any]]:
        """The fields that have a value (no empty "reason" row while all is well)."""
        pairs = [(name, value_of(self, g)) for name, g in self._fields]
        return [(name, value) for name, value in pairs if value not in (None, "", [], {})]

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><th style="{_CELL}">{esc(name)}</th><td style="{_CELL}">{_cell_html(name, value)}</td></tr>'
            for name, value in self._shown()
        )
        links = " · ".join(
            f'<a href="{esc(url)}" target="_blank" rel="noopener">{esc(label)}</a>' for label, url in self._links
        )
        links_html = f"<div>{links}</div>" if links else ""
        return (
            f'<div class="emkit-record"><b>{esc(self._title)}</b>'
            f'<table class="emkit-table"><tbody>{rows}</tbody></table>{links_html}</div>'
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        lines = [self._title] + [f"  {name}: {text_of(value)}" for name, value in self._shown()]
        lines += [f"  {label}: {url}" for label, url in self._links]
        printer.text("\n".join(lines))


class Live:
    """One output that is replaced in place (a display id) while something is waited for.

    Outside a notebook (a terminal, a training's log) each update is one more line of text.
    """

    def __init__(self) -> None:
        self._handle = None
        self._last: Optional[Tuple[str, str]] = None

    def show(self, html_text: str, plain: str) -> None:
        if self._last == (html_text, plain):
            return  # nothing new: don't send the same output again
        self._last = (html_text, plain)
        bundle = {"text/plain": plain, "text/html": html_text}
        from IPython.display import display

        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)


def progress_html(
    title: str, state: Any, details: List[Tuple[str, Any]], tail: Sequence[str] = (), reason: Optional[str] = None
) -> str:
    """A waiting thing's state, a few details (elapsed, metrics) and the last lines of its log."""
    items = "".join(f" · {esc(k)} <b>{esc(text_of(v))}</b>" for k, v in details)
    reason_html = f'<div style="color:#c62828">{esc(reason)}</div>' if reason else ""
    tail_html = (
        f'<pre style="margin:4px 0;max-height:12em;overflow:auto;font-size:90%">{esc(chr(10).join(tail))}</pre>'
        if tail
        else ""
    )
    return f'<div class="emkit-progress">{esc(title)}: {state_html(state)}{items}{reason_html}{tail_html}</div>'


def progress_text(title: str, state: Any, details: List[Tuple[str, Any]], reason: Optional[str] = None) -> str:
    parts = [f"{title}: {state}"] + [f"{k} {text_of(v)}" for k, v in details]
    return ", ".join(parts) + (f" ({reason})" if reason else "")


def elapsed(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# How long an IFrame keeps its one-time ticket in its address: the browser trades it for a
# session cookie on its first request, and the plain address then keeps working. A spent ticket
# opens nothing, but the plain address reads better in a saved notebook.
TICKET_SWAP_SECONDS = 15.0


def show_page(first: str, plain: str, height: int, title: str) -> None:
    """A page the bridge serves to browsers (TensorBoard, a cluster's dashboard) in the output, with a
    link to open it in a tab: ``first`` carries the one-time ticket, ``plain`` replaces it shortly."""
    from IPython.display import display

    handle = display(_frame(first, plain, height, title), raw=True, display_id=True)
    if handle is not None:
        timer = threading.Timer(
            TICKET_SWAP_SECONDS, handle.update, args=(_frame(plain, plain, height, title),), kwargs={"raw": True}
        )
        timer.daemon = True
        timer.start()


def _frame(src: str, link: str, height: int, title: str) -> Dict[str, str]:
    return {
        "text/plain": f"{title}: {link}",
        "text/html": (
            f'<iframe src="{esc(src)}" width="100%" height="{height}" frameborder="0" title="{esc(title)}"></iframe>'
            f'<div><a href="{esc(link)}" target="_blank" rel="noopener">open {esc(title)} in a new tab</a>'
            "</div>"
        ),
    }
