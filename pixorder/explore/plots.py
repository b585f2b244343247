"""Charts of prices with plotly: interactive, offline in JupyterLab 4 and Voila, reusable by users.

Why plotly (docs/architecture.md says more): one library gives figures a user can restyle, zoom,
hover and export (``fig.write_html``), renders offline in JupyterLab and Voila through the
``jupyterlab-plotly`` extension its wheel ships (plotly.js bundled), and the widgets show the same
figures in an ``ipywidgets.Output``, with no widget extension of its own to keep in step.
"""

from __future__ import annotations

from typing import Any

from pixorder.frames import whole_quotes


def _amount(frame: Any, per_km2: bool = False) -> tuple[str, str]:
    """The amount column to chart and its axis label: in the frame's currency when it has one.

    ``per_km2`` charts the amount per billed km² (``amount_<currency>_per_km2`` or ``amount_per_km2``).
    """
    converted = [c for c in frame.columns if c.startswith("amount_") and not c.endswith("_per_km2")
                 and c != "amount_per_km2"]
    suffix, what = ("_per_km2", "price per billed km²") if per_km2 else ("", "price")
    if converted and converted[0] + suffix in frame.columns:
        code = converted[0].removeprefix("amount_")
        return converted[0] + suffix, f"{what} ({code.upper()})"
    units = sorted({str(u) for u in frame["unit"].dropna()})
    return "amount" + suffix, f"{what} (" + (
        units[0] if len(units) == 1 else "each provider's unit: " + ", ".join(units)) + ")"


def sweep_column(name: str) -> str:
    """The frame column of a varied parameter of ``sweep``: its own name, but ``target_area_km2`` for ``area_km2``
    (the frame's ``area_km2`` is each row's own AOI area, measured).

    >>> sweep_column("cloud_cover"), sweep_column("area_km2")
    ('cloud_cover', 'target_area_km2')
    """
    return f"target_{name}" if name == "area_km2" else name


def _label(frame: Any) -> Any:
    name = frame["sensor_name"] if "sensor_name" in frame.columns else frame["sensor"]
    return frame["provider"].astype(str) + " · " + name.fillna(frame["sensor"]).fillna("default").astype(str)


def plot(frame: Any, **kwargs: Any) -> Any:
    """The chart that fits a price frame: what ``PriceFrame.plot()`` draws.

    Args:
        frame: a price frame; ``frame.attrs["pixorder"]["kind"]`` picks the chart (``"sweep"``:
            :func:`plot_sweep`, ``"budget"``: :func:`plot_budget`, anything else :func:`plot_compare`);
            without it, a ``target_area_km2`` column means a sweep and a ``month`` column a budget.
        **kwargs: passed to the chosen ``plot_*`` function.

    Returns:
        A ``plotly.graph_objects.Figure``.

    >>> import geopandas as gpd
    >>> frame = gpd.GeoDataFrame({"provider": ["planet", "geopera"], "sensor": ["Flexible Tasking", "pneo-30cm"],
    ...                           "amount": [25.0, 700.0], "unit": ["SQKM", "AUD"], "error": [None, None]},
    ...                          geometry=[None, None], crs=4326)
    >>> figure = plot(frame)                     # no kind: a comparison, in two units
    >>> figure.layout.title.text, [bar.name for bar in figure.data]
    ("Quotes, each in its provider's unit (give rates= and currency= to rank them)", ['geopera', 'planet'])
    >>> figure.layout.yaxis.title.text
    "price (each provider's unit: AUD, SQKM)"
    """
    kind = (frame.attrs.get("pixorder") or {}).get("kind")
    if kind == "sweep" or (kind is None and "target_area_km2" in frame.columns):
        return plot_sweep(frame, **kwargs)
    if kind == "budget" or (kind is None and "month" in frame.columns):
        return plot_budget(frame, **kwargs)
    return plot_compare(frame, **kwargs)


def plot_compare(frame: Any, per_km2: bool = False, **kwargs: Any) -> Any:
    """Bars: one per provider and sensor (per AOI when there are several), cheapest first (grouped by
    unit when the amounts are in several and no rates convert them).

    Args:
        frame: a ``compare()`` frame (``provider``, ``sensor``, ``amount``, ``unit``, ``error``;
            ``amount_<currency>`` when rates were given).
        per_km2: chart the amount per billed km² instead of the amount.
        **kwargs: passed to ``plotly.express.bar`` (``height=``, ``title=``, ...).

    Returns:
        A ``plotly.graph_objects.Figure``; quotes that failed (``error`` set) are left out. Without
        rates each bar is in its provider's unit (named on the axis and in the hover text).

    >>> import pixorder
    >>> frame = pixorder.compare("POINT (5.45 52.5)", providers="planet,geopera", start="2030-03-01",
    ...                          end="2030-03-21", rates={"SQKM": 4.0, "AUD": 0.66}, currency="USD")
    >>> figure = plot_compare(frame, per_km2=True)
    >>> figure.layout.title.text, figure.layout.yaxis.title.text, [bar.name for bar in figure.data]
    ('Quotes per billed km², cheapest first', 'price per billed km² (USD)', ['planet', 'geopera'])
    """
    import plotly.express as px

    column, label = _amount(frame, per_km2)
    frame = whole_quotes(frame)
    data = frame[frame["error"].isna()].drop(columns="geometry").assign(offer=_label(frame))
    # Amounts in several units do not rank against each other (25 SQKM is not cheaper than 700 AUD):
    # grouped by unit then, and the title says how to rank them.
    mixed = "each provider's unit" in label
    data = data.sort_values(["unit", column] if mixed else column)
    # One row of bars per AOI, named by the AOI's id (or the ``aoi`` name the pricing desk adds) when it has one.
    facet = next((c for c in ("aoi", "aoi_id", "aoi_index") if c in data.columns), None)
    many = facet is not None and data[facet].nunique() > 1
    if many:
        data[facet] = data[facet].astype(str)
    hover = [c for c in ("unit", "amount", "billed_area_km2", "resolution_m", "bands") if c in data.columns]
    what = "Quotes per billed km²" if per_km2 else "Quotes"
    title = kwargs.pop("title", f"{what}, each in its provider's unit (give rates= and currency= to rank them)"
                       if mixed else f"{what}, cheapest first")
    figure = px.bar(data, x="offer", y=column, color="provider", hover_data=hover,
                    facet_row=facet if many else None, labels={column: label, "offer": ""}, **kwargs)
    figure.update_layout(title=title, legend_title_text="provider")
    if many:  # "aoi=north" → "north"; one axis title for the stacked rows instead of one per row
        figure.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
        figure.for_each_yaxis(lambda axis: axis.update(title_text=""))
        figure.add_annotation(text=label, textangle=-90, x=-0.08, y=0.5, xref="paper", yref="paper",
                              showarrow=False)
    return figure


def plot_windows(windows: Any, **kwargs: Any) -> Any:
    """A timeline of imaging windows (Planet Assured Tasking): one row per AOI, one bar per window.

    Args:
        windows: a frame with ``start``, ``end`` (UTC datetimes), ``cloud_forecast`` (percent) and an
            ``aoi`` column naming the AOI each window images (``client.imaging_windows.search(...)
            .to_geodataframe()`` with ``aoi`` added); ``sensor`` is used in the hover text when present.
        **kwargs: passed to ``plotly.express.timeline``.

    Returns:
        A ``plotly.graph_objects.Figure``: bars from each window's start to its end, a marker at its
        middle coloured by the cloud forecast (windows last minutes, so the marker keeps them visible
        on a week-long axis).

    >>> import pandas as pd
    >>> windows = pd.DataFrame({"aoi": ["field"], "cloud_forecast": [12.0],
    ...                         "start": pd.to_datetime(["2027-03-02T10:00Z"]),
    ...                         "end": pd.to_datetime(["2027-03-02T10:05Z"])})
    >>> figure = plot_windows(windows)
    >>> len(figure.data) >= 1
    True
    """
    import plotly.express as px

    data = windows.drop(columns="geometry", errors="ignore").copy()
    data["aoi"] = data["aoi"].astype(str)
    data["middle"] = data["start"] + (data["end"] - data["start"]) / 2
    title = kwargs.pop("title", "Imaging windows (Planet Assured Tasking), cloud forecast in %")
    figure = px.timeline(data, x_start="start", x_end="end", y="aoi", labels={"aoi": "AOI"}, **kwargs)
    figure.add_scatter(x=data["middle"], y=data["aoi"], mode="markers", name="window",
                       marker={"size": 12, "color": data["cloud_forecast"], "colorscale": "Blues",
                               "cmin": 0, "cmax": 100, "showscale": True,
                               "colorbar": {"title": "cloud %", "thickness": 12},
                               "line": {"width": 1, "color": "#333"}},
                       customdata=data[["start", "end", "cloud_forecast"]].astype(str).to_numpy(),
                       hovertemplate="%{y}<br>%{customdata[0]} → %{customdata[1]}<br>"
                                     "cloud forecast %{customdata[2]} %<extra></extra>")
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(title=title, showlegend=False, xaxis_title="UTC")
    return figure


def plot_sweep(frame: Any, **kwargs: Any) -> Any:
    """Lines: price against the first varied parameter, one line per provider and sensor.

    Args:
        frame: a ``sweep()`` frame: a column per varied parameter (named in
            ``attrs["pixorder"]["vary"]``, else the ``target_*`` columns), ``provider``, ``sensor``,
            ``amount``, ``unit``, ``error``; ``amount_<currency>`` when rates were given.
        **kwargs: passed to ``plotly.express.line``.

    Returns:
        A ``plotly.graph_objects.Figure``; a second varied parameter gives one facet per value;
        failed quotes are left out.

    >>> import geopandas as gpd
    >>> frame = gpd.GeoDataFrame({"provider": ["planet"] * 2, "sensor": ["Flexible Tasking"] * 2,
    ...                           "off_nadir": [10, 30], "amount": [27.5, 25.0], "unit": ["SQKM"] * 2,
    ...                           "error": [None, None]}, geometry=[None, None], crs=4326)
    >>> frame.attrs["pixorder"] = {"kind": "sweep", "vary": {"off_nadir": ["10", "30"]}}
    >>> figure = plot_sweep(frame)
    >>> figure.layout.title.text, [line.name for line in figure.data], figure.layout.yaxis.title.text
    ('Price against off nadir', ['planet · Flexible Tasking'], 'price (SQKM)')
    """
    import plotly.express as px

    column, label = _amount(frame)
    varied = list((frame.attrs.get("pixorder") or {}).get("vary") or [])
    keys = [sweep_column(k) for k in varied] or [
        c for c in frame.columns if c.startswith("target_")]
    data = frame[frame["error"].isna()].drop(columns="geometry").assign(offer=_label(frame))
    x = keys[0]
    figure = px.line(data, x=x, y=column, color="offer", markers=True,
                     facet_col=keys[1] if len(keys) > 1 else None, labels={column: label, "offer": ""}, **kwargs)
    figure.update_layout(title=f"Price against {x.replace('_', ' ')}")
    return figure


def plot_budget(frame: Any, **kwargs: Any) -> Any:
    """Monthly cost as bars and the cumulative cost as lines, per provider.

    Args:
        frame: a ``budget()`` frame: ``provider``, ``month``, ``amount`` and ``cumulative_amount``
            (the last ``amount*`` column and its ``cumulative_*`` twin are charted, so a converted
            ``amount_<currency>`` wins).
        **kwargs: passed to ``Figure.update_layout`` (``height=``, ``title=``, ...).

    Returns:
        A ``plotly.graph_objects.Figure``: a bar and a line trace per provider.

    >>> import geopandas as gpd, pandas as pd
    >>> frame = gpd.GeoDataFrame({"provider": ["planet"] * 2,
    ...                           "month": pd.to_datetime(["2030-01-01", "2030-04-01"], utc=True),
    ...                           "amount": [25.0, 25.0], "unit": ["SQKM"] * 2, "cumulative_amount": [25.0, 50.0]},
    ...                          geometry=[None, None], crs=4326)
    >>> [(trace.type, trace.name) for trace in plot_budget(frame).data]
    [('bar', 'planet monthly'), ('scatter', 'planet cumulative')]
    """
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
