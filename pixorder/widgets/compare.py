"""CompareProviders: one AOI and request priced by several providers at once, as a sortable grid and a chart.

The grid is an ``ipydatagrid.DataGrid`` (sort and filter from each column header) and the chart a
plotly figure in an ``ipywidgets.Output`` (zoom, hover, save as PNG), both offline in JupyterLab and Voila.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W
import traitlets

from pixorder.client.compare import check_rates
from pixorder.frames import whole_quotes
from pixorder.widgets import render
from pixorder.widgets.aoi_map import AOIMap
from pixorder.widgets.clients import resolve_clients
from pixorder.widgets.pricing import RequestParameters
from pixorder.widgets.scheduling import LatestWins, Scheduler, loop_client, run_client_call

__all__ = ["CompareProviders", "comparison_figure", "comparison_table", "quote_columns", "quote_grid"]


def quote_columns(currency: str | None = None) -> list[tuple[str, str]]:
    """``(column, header)`` pairs of a quote grid: the frame's columns a user reads, in reading order.

    >>> quote_columns("USD")[-4:-2]
    [('amount_usd', 'amount (USD)'), ('amount_usd_per_km2', 'per billed km² (USD)')]
    """
    columns = [("rank", "rank"), ("aoi", "AOI"), ("provider", "provider"), ("sensor_name", "sensor"),
               ("sensor", "sensor id"), ("resolution_m", "GSD (m)"), ("bands", "bands"),
               ("product_type", "type"), ("area_km2", "area drawn (km²)"),
               ("billed_area_km2", "area billed (km²)"), ("amount", "amount"), ("unit", "unit"),
               ("amount_per_km2", "per billed km²")]
    if currency:
        code = currency.lower()
        columns += [(f"amount_{code}", f"amount ({currency})"), (f"amount_{code}_per_km2", f"per billed km² ({currency})")]
    return columns + [("feasibility", "feasibility"), ("error", "error")]


def comparison_table(frame: Any, currency: str | None = None) -> Any:
    """The comparison as the sortable grid shows it: a plain ``pandas.DataFrame``, one row per quote
    (a Planet AOI split into parts shows its total), numbers as floats so sorting is numeric.

    >>> import pixorder
    >>> table = comparison_table(pixorder.compare("POINT (5.45 52.5)", providers="planet"))
    >>> list(table.columns[:4]), len(table)
    (['provider', 'sensor id', 'area drawn (km²)', 'area billed (km²)'], 1)
    """
    return render.grid_frame(whole_quotes(frame), quote_columns(currency))


def quote_grid(table: Any) -> Any:
    """An ``ipydatagrid.DataGrid`` for a quote table: click a column header's menu to sort or filter.

    >>> import pandas as pd
    >>> grid = quote_grid(pd.DataFrame({"provider": ["planet"], "amount": [25.0]}))
    >>> type(grid).__name__, grid.get_visible_data().shape
    ('DataGrid', (1, 2))
    """
    from ipydatagrid import DataGrid

    grid = DataGrid(table, selection_mode="row", base_column_size=96, base_row_size=24,
                    base_column_header_size=30, header_visibility="column", auto_fit_columns=True,
                    auto_fit_params={"area": "all", "padding": 24, "numCols": None},
                    renderers=grid_renderers(table), layout=W.Layout(height="260px", width="100%"))
    grid.add_class("pixorder-grid")
    return grid


def grid_renderers(table: Any) -> dict[str, Any]:
    """Number formats for a grid's numeric columns: thousands separators, two decimals (ranks whole).

    >>> import pandas as pd
    >>> sorted(grid_renderers(pd.DataFrame({"rank": [1.0], "amount": [25.0], "unit": ["SQKM"]})))
    ['amount', 'rank']
    """
    from ipydatagrid import TextRenderer

    out = {}
    for name, dtype in table.dtypes.items():
        if str(dtype) == "float64":
            fmt = "d" if name == "rank" else ",.2f"
            out[str(name)] = TextRenderer(format=fmt, format_type="number", missing="—")
    return out


def comparison_figure(frame: Any, height: int = 340) -> Any:
    """The bar chart of the amount per billed km² (plotly), in the user's currency when rates were given.

    >>> import pixorder
    >>> frame = pixorder.compare("POINT (5.45 52.5)", providers="planet,geopera")
    >>> [bar.name for bar in comparison_figure(frame).data]     # by unit (AUD, SQKM): no rates to rank them
    ['geopera', 'planet']
    """
    from pixorder.explore.plots import plot_compare

    return plot_compare(frame, per_km2=True, height=height)


class CompareProviders(W.VBox):
    """The same AOI and request priced by several providers at once.

    Follows an :class:`AOIMap` and :class:`RequestParameters` (debounced, latest wins, like the
    pricing preview) and shows a sortable grid (``grid``, an ``ipydatagrid.DataGrid``) and a plotly bar
    chart of the amount per billed km² (``chart``, an ``ipywidgets.Output``; ``figure`` is the figure),
    in ``currency`` when ``rates`` (unit → value of one unit in ``currency``) are given. ``value`` is the
    comparison GeoDataFrame of :func:`pixorder.compare`.

    >>> from pixorder.widgets import CompareProviders
    >>> cmp = CompareProviders(rates={"USD": 1.0, "AUD": 0.66, "SQKM": 4.0}, currency="USD")  # doctest: +SKIP
    >>> cmp.aoi_map.value = {"type": "Point", "coordinates": [10.0, 50.0]}                  # doctest: +SKIP
    >>> cmp.value[["provider", "amount", "unit", "amount_usd_per_km2"]]                      # doctest: +SKIP
    """

    value = traitlets.Any(None, allow_none=True, help="the comparison GeoDataFrame, or None")

    def __init__(self, aoi_map: AOIMap | None = None, parameters: RequestParameters | None = None, *,
                 clients: Any = None, rates: Mapping[str, float] | None = None, currency: str | None = None,
                 sensors: Mapping[str, str] | None = None, delay: float = 0.4,
                 scheduler: Scheduler | None = None, **kwargs: Any):
        check_rates(rates, currency)
        owned = [w for w in (aoi_map, parameters) if w is None]
        self.aoi_map = aoi_map if aoi_map is not None else AOIMap()
        self.parameters = parameters if parameters is not None else RequestParameters()
        self.clients = resolve_clients(clients)
        self.rates = dict(rates) if rates is not None else None
        self.currency = currency
        self.sensors = dict(sensors or {})
        self.compare_button = W.Button(description="Compare now", icon="balance-scale")
        self.status = W.HTML()
        self.panel = W.HTML(render.message("Draw or upload an AOI to compare providers.", "info"))
        self.grid = quote_grid(comparison_table(_empty_frame(), currency))
        self.grid.layout.display = "none"
        self.chart = W.Output(layout=W.Layout(width="100%"))
        self.chart.add_class("pixorder-chart")
        self.figure: Any = None
        self._runner: LatestWins[tuple[Any, dict[str, Any]], Any] = LatestWins(
            self._start, self._on_result, self._on_error, delay=delay, scheduler=scheduler,
            on_busy=lambda busy: setattr(self.status, "value", render.message("Comparing…", "busy")) if busy
            else None,
        )
        children: list[W.Widget] = []
        if owned:
            children += [self.aoi_map, self.parameters]
        children += [W.HBox([self.compare_button, self.status]), self.panel, self.grid, self.chart]
        super().__init__(children=children, **kwargs)
        self.add_class("pixorder-compare")
        self.compare_button.on_click(lambda _: self.refresh(now=True))
        self.aoi_map.observe(lambda _: self.refresh(), "value")
        self.parameters.observe(lambda _: self.refresh(), "value")
        self.refresh()

    @property
    def requests_started(self) -> int:
        return self._runner.started

    def refresh(self, now: bool = False) -> None:
        """Compare the current inputs (after the debounce delay, or at once with ``now=True``)."""
        aoi = self.aoi_map.value
        if aoi is None:
            self._runner.cancel()
            self._show(None)
            self.panel.value = render.message("Draw or upload an AOI to compare providers.", "info")
            return
        fields = {k: v for k, v in self.parameters.value.items() if v is not None}
        self._runner.submit((aoi, fields))
        if now:
            self._runner.flush()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the comparison in progress is shown (scripts and tests); True when settled."""
        return self._runner.wait(timeout, type(self).__name__)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` for a notebook cell whose widget uses an ``AsyncClient``: ``await cmp.wait_async()``."""
        return await self._runner.wait_async(timeout)

    def _start(self, params: tuple[Any, dict[str, Any]]) -> Any:
        from pixorder.client.compare import acompare

        aoi, fields = params
        providers = list(self.clients.values())
        sensors = {p: s for p, s in self.sensors.items() if p in self.clients} or None
        return run_client_call(loop_client(providers), lambda _: acompare(aoi, fields, providers=providers, rates=self.rates,
                                                        currency=self.currency, sensors=sensors))

    def _show(self, frame: Any) -> None:
        """The grid and the chart for ``frame`` (None hides both)."""
        self.value = frame
        if frame is None:
            self.grid.layout.display = "none"
            self.figure = None
            render.show_figure(self.chart, None)
            return
        self.grid.data = comparison_table(frame, self.currency)
        self.grid.layout.display = None
        self.figure = comparison_figure(frame)
        render.show_figure(self.chart, self.figure)

    def _on_result(self, params: Any, frame: Any) -> None:
        self._show(frame)
        unit = self.currency or "each provider's unit (pass rates= and currency= to convert)"
        self.panel.value = render.message(f"{render.plural(len(frame), 'quote')}, amounts in {unit}; "
                                          "sort or filter from a column header.", "info")
        failed = [str(p) for p, e in zip(frame["provider"], frame["error"]) if not render.is_missing(e)]
        self.status.value = render.message(f"No price from {', '.join(failed)}: see the table.", "warning") \
            if failed else ""

    def _on_error(self, params: Any, error: BaseException) -> None:
        self._show(None)
        self.panel.value = ""
        self.status.value = render.message(f"Comparison failed: {render.error_message(error)}", "error")


def _empty_frame() -> Any:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="float64") for c, _ in quote_columns()})
