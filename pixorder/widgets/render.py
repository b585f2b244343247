"""Plain HTML for widget panels: tables, inline messages, money, and an SVG bar chart (no matplotlib)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["bar_chart_svg", "error_message", "fmt_amount", "fmt_area", "message", "plural", "table"]

_COLOURS = {"info": "#1b5e20", "busy": "#555", "error": "#b00020", "warning": "#8a5a00"}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pandas NA raise or compare unequal
    except (TypeError, ValueError):
        return True


def fmt_amount(amount: Any, unit: str | None = None) -> str:
    """``1234.5, "USD"`` → ``"1,234.50 USD"``; missing → ``"—"``."""
    if is_missing(amount):
        return "—"
    text = f"{float(amount):,.2f}"
    return f"{text} {unit}" if unit else text


def fmt_area(km2: Any) -> str:
    if is_missing(km2):
        return "—"
    km2 = float(km2)
    return f"{km2:,.2f} km²" if km2 >= 0.01 else f"{km2:.3g} km²"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1, "study", "studies"`` → ``"1 study"``; ``2`` → ``"2 studies"``; without ``many`` an ``s`` is added."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def message(text: str, kind: str = "info") -> str:
    """One inline status line; ``kind`` is info, busy, warning or error."""
    if not text:
        return ""
    colour = _COLOURS.get(kind, "#333")
    icon = {"error": "⚠ ", "warning": "⚠ ", "busy": "⏳ "}.get(kind, "")
    return f"<div class='pixorder-msg pixorder-{kind}' style='color:{colour}'>{icon}{esc(text)}</div>"


def error_message(exc: BaseException) -> str:
    """What a user should read for an exception: its message and kind, never a traceback."""
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 400 else text[:397] + "..."


def table(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None, *, cls: str = "",
          highlight: int | None = None) -> str:
    """A compact HTML table; cells are escaped unless they are already ``Markup``."""
    style = "border-collapse:collapse;font-size:12px"
    cell = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap"
    parts = [f"<table class='pixorder-table {esc(cls)}' style='{style}'>"]
    if header:
        parts.append("<tr>" + "".join(f"<th style='{cell}'>{esc(h)}</th>" for h in header) + "</tr>")
    for i, row in enumerate(rows):
        background = " style='background:#fff3c4'" if highlight == i else ""
        parts.append(f"<tr{background}>" + "".join(
            f"<td style='{cell if not _long(v) else cell.replace('white-space:nowrap', WRAP)}'>{_cell(v)}</td>"
            for v in row) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


#: a long text cell (Pixxel's 150 band names) wraps within the panel instead of running off its edge
WRAP = "white-space:normal;overflow-wrap:anywhere;max-width:32em"
LONG_CELL = 60


def _long(value: Any) -> bool:
    return isinstance(value, str) and not isinstance(value, Markup) and len(value) > LONG_CELL


class Markup(str):
    """HTML that ``table`` must not escape."""


def _cell(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    if is_missing(value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return esc(value)


def bar_chart_svg(labels: Sequence[str], values: Sequence[float | None], *, unit: str = "",
                  title: str = "", width: int = 420) -> str:
    """Horizontal bars, one per label, as inline SVG; a missing value is drawn as "n/a"."""
    bar_h, gap, label_w, value_w = 18, 6, 130, 110
    plot_w = max(60, width - label_w - value_w)
    finite = [float(v) for v in values if not is_missing(v) and math.isfinite(float(v))]
    top = max(finite) if finite else 1.0
    top = top if top > 0 else 1.0
    title_h = 18 if title else 0
    height = title_h + len(labels) * (bar_h + gap) + gap
    out = [f"<svg class='pixorder-chart' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"role='img' aria-label='{esc(title)}' style='font:12px sans-serif'>"]
    if title:
        out.append(f"<text x='0' y='13' font-weight='bold'>{esc(title)}</text>")
    for i, (label, value) in enumerate(zip(labels, values)):
        y = title_h + gap + i * (bar_h + gap)
        out.append(f"<text x='0' y='{y + 13}'>{esc(label)}</text>")
        if is_missing(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
            out.append(f"<text x='{label_w}' y='{y + 13}' fill='#888'>n/a</text>")
            continue
        w = max(1.0, plot_w * float(value) / top)  # type: ignore[arg-type]
        out.append(f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='#3f7fbf'/>")
        out.append(f"<text x='{label_w + w + 4:.1f}' y='{y + 13}'>{float(value):,.2f} {esc(unit)}</text>")  # type: ignore[arg-type]
    out.append("</svg>")
    return "".join(out)
