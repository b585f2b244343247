"""Charts of prices with plotly: interactive, offline in JupyterLab 4 and Voila, reusable by users.

Why plotly (docs/architecture.md says more): one library gives figures a user can restyle, zoom,
hover and export (``fig.write_html``), renders offline in JupyterLab and Voila through the
``jupyterlab-plotly`` extension its wheel ships (plotly.js bundled), and the widgets show the same
figures in an ``ipywidgets.Output``, with no widget extension of its own to keep in step.
"""

from __future__ import annotations

from typing import Any


def _amount(frame: Any) -> tuple[str, str]:
    """The amount column to chart and its axis label: in the frame's currency when it has one."""
    converted = [c for c in frame.columns if c.startswith("amount_") and not c.endswith("_per_km2")]
    if converted:
        code = converted[0].removeprefix("amount_")
        return converted[0], f"price ({code.upper()})"
    units = sorted({str(u) for u in frame["unit"].dropna()})
    return "amount", "price (" + (units[0] if len(units) == 1 else "each provider's unit: " + ", ".join(units)) + ")"


def _label(frame: Any) -> Any:
    name = frame["sensor_name"] if "sensor_name" in frame.columns else frame["sensor"]
    return frame["provider"].astype(str) + " · " + name.fillna(frame["sensor"]).fillna("default").astype(str)


def plot(frame: Any, **kwargs: Any) -> Any:
    kind = (frame.attrs.get("pixorder") or {}).get("kind")
    if kind == "sweep" or (kind is None and "target_area_km2" in frame.columns):
        return plot_sweep(frame, **kwargs)
    if kind == "budget" or (kind is None and "month" in frame.columns):
        return plot_budget(frame, **kwargs)
    return plot_compare(frame, **kwargs)


def plot_compare(frame: Any, **kwargs: Any) -> Any:
    """Bars: one per provider and sensor (per AOI when there are several), cheapest first."""
    import plotly.express as px

    column, label = _amount(frame)
    data = frame[frame["error"].isna()].drop(columns="geometry").assign(offer=_label(frame))
    data = data.sort_values(column)
    many = "aoi_index" in data.columns and data["aoi_index"].nunique() > 1
    hover = [c for c in ("unit", "amount", "billed_area_km2", "resolution_m", "bands") if c in data.columns]
    figure = px.bar(data, x="offer", y=column, color="provider", hover_data=hover,
                    facet_row="aoi_index" if many else None, labels={column: label, "offer": ""}, **kwargs)
    figure.update_layout(title="Quotes, cheapest first", legend_title_text="provider")
    return figure


def plot_sweep(frame: Any, **kwargs: Any) -> Any:
    """Lines: price against the first varied parameter, one line per provider and sensor."""
    import plotly.express as px

    column, label = _amount(frame)
    varied = list((frame.attrs.get("pixorder") or {}).get("vary") or [])
    keys = [f"target_{k}" if k == "area_km2" else k for k in varied] or [
        c for c in frame.columns if c.startswith("target_")]
    data = frame[frame["error"].isna()].drop(columns="geometry").assign(offer=_label(frame))
    x = keys[0]
    figure = px.line(data, x=x, y=column, color="offer", markers=True,
                     facet_col=keys[1] if len(keys) > 1 else None, labels={column: label, "offer": ""}, **kwargs)
    figure.update_layout(title=f"Price against {x.replace('_', ' ')}")
    return figure


def plot_budget(frame: Any, **kwargs: Any) -> Any:
    """Monthly cost as bars and the cumulative cost as lines, per provider."""
    import plotly.graph_objects as go

    column = "cumulative_" + ("amount" if "amount" in frame.columns else frame.columns[0])
    amount = [c for c in frame.columns if c.startswith("amount")][-1]
    cumulative = "cumulative_" + amount if "cumulative_" + amount in frame.columns else column
    figure = go.Figure()
    for provider, rows in frame.groupby(frame["provider"].astype(str), sort=True):
        figure.add_bar(x=rows["month"], y=rows[amount], name=f"{provider} monthly", opacity=0.5)
        figure.add_scatter(x=rows["month"], y=rows[cumulative], name=f"{provider} cumulative", mode="lines+markers")
    figure.update_layout(title="Monitoring budget", xaxis_title="month", yaxis_title=amount.replace("_", " "),
                         barmode="group", **kwargs)
    return figure
