"""CompareProviders: one AOI and request priced by several providers at once, as a table and bars."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W
import traitlets

from pixorder.errors import ValidationError
from pixorder.widgets import render
from pixorder.widgets.aoi_map import AOIMap
from pixorder.widgets.clients import resolve_clients
from pixorder.widgets.pricing import RequestParameters
from pixorder.widgets.scheduling import LatestWins, Scheduler, loop_client, run_client_call

__all__ = ["CompareProviders", "comparison_html"]


def _per_km2_column(frame: Any, currency: str | None) -> tuple[str, str]:
    """The column the bars show and its unit label: the user's currency when rates were given."""
    if currency and f"amount_{currency.lower()}_per_km2" in frame.columns:
        return f"amount_{currency.lower()}_per_km2", currency
    return "amount_per_km2", ""


def comparison_html(frame: Any, currency: str | None = None) -> str:
    """A table (one row per provider) and a bar chart of the amount per billed km²."""
    column, label = _per_km2_column(frame, currency)
    converted = f"amount_{currency.lower()}" if currency else None
    header = ["provider", "sensor", "area drawn", "area billed", "amount", "per billed km²"]
    if converted and converted in frame.columns:
        header += [f"amount ({currency})", f"per billed km² ({currency})"]
    header += ["feasibility", "error"]
    rows = []
    for _, row in frame.iterrows():
        cells = [row["provider"], row["sensor"], render.fmt_area(row["area_km2"]),
                 render.fmt_area(row["billed_area_km2"]), render.fmt_amount(row["amount"], row["unit"]),
                 render.fmt_amount(row["amount_per_km2"], row["unit"])]
        if converted and converted in frame.columns:
            cells += [render.fmt_amount(row[converted], currency), render.fmt_amount(row[column], currency)]
        cells += [row["feasibility"], row["error"]]
        rows.append(cells)
    labels = [str(p) for p in frame["provider"]]
    values = [None if render.is_missing(v) else float(v) for v in frame[column]]
    if label:
        title = f"amount per billed km² ({label})"
        chart = render.bar_chart_svg(labels, values, unit=label, title=title)
    else:
        # Without rates the units differ (USD, SQKM, AUD): each bar carries its own unit.
        units = [str(u) if not render.is_missing(u) else "" for u in frame["unit"]]
        title = "amount per billed km² (each provider's unit; pass rates= and currency= to convert)"
        chart = render.bar_chart_svg([f"{p} ({u})" if u else p for p, u in zip(labels, units)], values,
                                     title=title, width=520)
    return render.table(rows, header, cls="pixorder-compare-table") + chart


class CompareProviders(W.VBox):
    """The same AOI and request priced by several providers at once.

    Follows an :class:`AOIMap` and :class:`RequestParameters` (debounced, latest wins, like the
    pricing preview) and shows a table and a bar chart of the amount per billed km², in ``currency`` when
    ``rates`` (unit → value of one unit in ``currency``) are given. ``value`` is the comparison
    GeoDataFrame of :func:`pixorder.compare`.

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
        if rates is not None and not currency:
            raise ValidationError("currency", "name the currency the rates convert into, e.g. currency='USD'")
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
        self._runner: LatestWins[tuple[Any, dict[str, Any]], Any] = LatestWins(
            self._start, self._on_result, self._on_error, delay=delay, scheduler=scheduler,
            on_busy=lambda busy: setattr(self.status, "value", render.message("Comparing…", "busy")) if busy
            else None,
        )
        children: list[W.Widget] = []
        if owned:
            children += [self.aoi_map, self.parameters]
        children += [W.HBox([self.compare_button, self.status]), self.panel]
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
            self.value = None
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

    def _on_result(self, params: Any, frame: Any) -> None:
        self.value = frame
        self.panel.value = comparison_html(frame, self.currency)
        failed = [str(p) for p, e in zip(frame["provider"], frame["error"]) if not render.is_missing(e)]
        self.status.value = render.message(f"No price from {', '.join(failed)}: see the table.", "warning") \
            if failed else ""

    def _on_error(self, params: Any, error: BaseException) -> None:
        self.value = None
        self.panel.value = ""
        self.status.value = render.message(f"Comparison failed: {render.error_message(error)}", "error")
