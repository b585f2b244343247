"""Plain HTML for widget panels (tables, inline messages, money) and plotly figures in an ``Output``."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from pixorder.errors import shorten
from pixorder.models import format_amount

__all__ = ["PLOTLY_MIME", "error_message", "figure_bundle", "fmt_amount", "fmt_area", "grid_frame", "message",
           "plural", "show_figure", "table"]

_COLOURS = {"info": "#1b5e20", "busy": "#555", "error": "#b00020", "warning": "#8a5a00"}


def esc(value: Any) -> str:
    """``value`` as text safe inside HTML (``&``, ``<``, ``>`` and quotes escaped); None → ``""``.

    >>> esc("<b> & 'x'"), esc(None), esc(2.5)
    ('&lt;b&gt; &amp; &#x27;x&#x27;', '', '2.5')
    """
    return html.escape("" if value is None else str(value))


def is_missing(value: Any) -> bool:
    """True for None, NaN, ``pandas.NA``/``NaT`` and anything that cannot say it equals itself.

    >>> import pandas as pd
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pandas NA raise or compare unequal
    except (TypeError, ValueError):
        return True


def fmt_amount(amount: Any, unit: str | None = None) -> str:
    """An amount with thousands separators and two decimals, then its unit (``models.format_amount``).

    Args:
        amount: a number (or numeric text); missing (see :func:`is_missing`) shows as ``"—"``.
        unit: the currency or unit (``"USD"``, ``"SQKM"``), appended when given.

    Returns:
        The text, e.g. ``"1,234.50 USD"``.

    >>> fmt_amount(1234.5, "USD"), fmt_amount(25), fmt_amount(None, "USD")
    ('1,234.50 USD', '25.00', '—')
    """
    return "—" if is_missing(amount) else format_amount(float(amount), unit)


def fmt_area(km2: Any) -> str:
    """An area in km² as shown in the widgets: two decimals, three significant digits below 0.01 km².

    Args:
        km2: the area in km² (a number or numeric text); missing shows as ``"—"``.

    Returns:
        The text with its unit, e.g. ``"1,250.00 km²"``.

    >>> fmt_area(1250), fmt_area(0.00412), fmt_area(None)
    ('1,250.00 km²', '0.00412 km²', '—')
    """
    if is_missing(km2):
        return "—"
    km2 = float(km2)
    return f"{km2:,.2f} km²" if km2 >= 0.01 else f"{km2:.3g} km²"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count and its noun, singular for exactly 1.

    Args:
        count: how many.
        noun: the singular.
        many: the plural (default: ``noun`` + ``"s"``).

    Returns:
        The count with thousands separators and the noun.

    >>> plural(1, "study", "studies"), plural(2, "study", "studies"), plural(1200, "order")
    ('1 study', '2 studies', '1,200 orders')
    """
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def message(text: str, kind: str = "info") -> str:
    """One inline status line as HTML, coloured by kind; the text is escaped (a ``Markup`` text is kept as HTML).

    Args:
        text: what to say; empty gives ``""`` (no line).
        kind: ``"info"``, ``"busy"`` (⏳), ``"warning"`` or ``"error"`` (⚠); another kind is plain grey.

    Returns:
        A ``<div class='pixorder-msg pixorder-<kind>'>`` element, or ``""``.

    >>> message("Pricing…", "busy")
    "<div class='pixorder-msg pixorder-busy' style='color:#555'>⏳ Pricing…</div>"
    >>> message("")
    ''
    """
    if not text:
        return ""
    colour = _COLOURS.get(kind, "#333")
    icon = {"error": "⚠ ", "warning": "⚠ ", "busy": "⏳ "}.get(kind, "")
    shown = text if isinstance(text, Markup) else esc(text)
    return f"<div class='pixorder-msg pixorder-{kind}' style='color:{colour}'>{icon}{shown}</div>"


def confirmation(confirm: str) -> tuple[Any, Any, Any, Any]:
    """The hidden panel a spending decision waits in: ``(panel, text, confirm button, cancel button)``;
    show it with ``panel.layout.display = "flex"``. OrderForm and QuotationInbox ask alike.

    >>> panel, text, ok, cancel = confirmation("Confirm order")
    >>> panel.layout.display, ok.description, cancel.description
    ('none', 'Confirm order', 'Cancel')
    """
    import ipywidgets as W

    text = W.HTML()
    ok = W.Button(description=confirm, button_style="danger", icon="check")
    cancel = W.Button(description="Cancel")
    panel = W.VBox([text, W.HBox([ok, cancel])],
                   layout=W.Layout(display="none", border="1px solid #b00020", padding="6px"))
    return panel, text, ok, cancel


def error_message(exc: BaseException) -> str:
    """What a user should read for an exception: its message and kind, never a traceback.

    Args:
        exc: any exception.

    Returns:
        Its message (the class name when it has none), cut to 400 characters.

    >>> from pixorder.errors import ValidationError
    >>> error_message(ValidationError("cloud_cover", "must be 0-100")), error_message(TimeoutError())
    ('cloud_cover: must be 0-100', 'TimeoutError')
    """
    return shorten(str(exc).strip() or type(exc).__name__, 400)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None, *, cls: str = "",
          highlight: int | None = None) -> str:
    """A compact HTML table; cells are escaped unless they are already ``Markup``.

    Args:
        rows: the rows, each a sequence of cells; a float shows as ``1,234.50``, a missing value as
            ``"—"``, a text longer than 60 characters wraps.
        header: the column titles, or None for no header row.
        cls: extra CSS class(es) for the ``<table>`` (tests and the page's styles find it by them).
        highlight: the index of a row to highlight, or None.

    Returns:
        The ``<table class='pixorder-table …'>`` element as one line of HTML.

    >>> import re
    >>> html = table([["<b>", 1234.5, None], [Markup("<i>ok</i>"), 2, "x"]], ["name", "amount", "note"],
    ...              cls="prices", highlight=1)
    >>> re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html)
    ['name', 'amount', 'note', '&lt;b&gt;', '1,234.50', '—', '<i>ok</i>', '2', 'x']
    >>> html.startswith("<table class='pixorder-table prices'"), html.count("background:#fff3c4")
    (True, 1)
    """
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
    """HTML that ``table`` must not escape (a ``str``; build it from escaped parts).

    >>> table([[Markup("<b>25.00 USD</b>"), "<b>"]]).count("<b>")
    1
    """


def _cell(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    if is_missing(value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return esc(value)


#: the mime type JupyterLab's and Voila's ``jupyterlab-plotly`` extension renders (plotly.js bundled: offline)
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def figure_bundle(figure: Any) -> dict[str, Any]:
    """A plotly figure as the display data an ``Output`` widget shows: ``{PLOTLY_MIME: {data, layout,
    config}, "text/plain": title}``. The figure is never written as HTML that loads plotly.js from a
    CDN: the mime extension draws it, online or not.

    >>> import plotly.graph_objects as go
    >>> bundle = figure_bundle(go.Figure(go.Bar(x=["a"], y=[1]), layout={"title": {"text": "prices"}}))
    >>> sorted(bundle), bundle["text/plain"]
    (['application/vnd.plotly.v1+json', 'text/plain'], '<plotly figure: prices>')
    """
    import plotly.io as pio

    spec = json.loads(pio.to_json(figure, validate=False, remove_uids=False))
    spec["config"] = {"displaylogo": False}
    title = ((spec.get("layout") or {}).get("title") or {}).get("text") or "chart"
    return {PLOTLY_MIME: spec, "text/plain": f"<plotly figure: {title}>"}


def show_figure(output: Any, figure: Any | None) -> None:
    """Show ``figure`` (or nothing, for None) in an ``ipywidgets.Output``, replacing what it showed.

    The outputs are set directly (not captured from ``display()``), so this works from any cell,
    from callbacks, and in tests without a kernel; ``output.outputs[0]["data"][PLOTLY_MIME]`` is the
    figure as plotly.js receives it.

    >>> import ipywidgets, plotly.graph_objects as go
    >>> output = ipywidgets.Output()
    >>> show_figure(output, go.Figure(go.Bar(x=["a"], y=[1])))
    >>> output.outputs[0]["data"][PLOTLY_MIME]["data"][0]["type"]
    'bar'
    >>> show_figure(output, None); output.outputs
    ()
    """
    if figure is None:
        output.outputs = ()
        return
    output.outputs = ({"output_type": "display_data", "data": figure_bundle(figure), "metadata": {}},)


def grid_frame(frame: Any, columns: Sequence[tuple[str, str]]) -> Any:
    """The plain ``pandas.DataFrame`` an ``ipydatagrid.DataGrid`` shows: the ``(column, header)`` pairs
    present in ``frame``, numbers as floats (NaN for missing), everything else as text ("" for missing),
    so the grid sorts numbers as numbers.

    >>> import pandas as pd
    >>> grid_frame(pd.DataFrame({"amount": [25], "unit": [None]}), [("amount", "price"), ("unit", "unit")])
       price unit
    0   25.0     """
    import pandas as pd

    out = {}
    for column, header in columns:
        if column not in frame.columns:
            continue
        values = frame[column]
        if pd.api.types.is_bool_dtype(values):
            out[header] = values.map(lambda v: "yes" if v is True else ("no" if v is False else "")).astype(object)
        elif pd.api.types.is_numeric_dtype(values):
            out[header] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[header] = values.map(lambda t: "" if is_missing(t) else t.strftime("%Y-%m-%d %H:%M")).astype(object)
        else:
            out[header] = values.astype(object).map(lambda v: "" if is_missing(v) else str(v))
    return pd.DataFrame(out).reset_index(drop=True)
