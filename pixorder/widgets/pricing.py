"""RequestParameters (dates, cloud cover, off-nadir, recurrence, delivery) and PricingPreview."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import ipywidgets as W
import traitlets

from pixorder.errors import ValidationError
from pixorder.models import DeliverySpeed, Quote, Recurrence, TaskingRequest, Uplift
from pixorder.widgets import render
from pixorder.widgets.aoi_map import AOIMap
from pixorder.widgets.scheduling import LatestWins, Scheduler, run_client_call
from pixorder.widgets.windows import ImagingWindowPicker, needs_imaging_window

__all__ = ["PricingPreview", "RequestParameters", "quote_html"]

DEFAULT_DELAY = 0.4


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


class RequestParameters(W.VBox):
    """The tasking parameters of a request; ``value`` is a dict of ``TaskingRequest`` fields.

    >>> from pixorder.widgets import RequestParameters
    >>> params = RequestParameters(start=date(2027, 1, 10), end=date(2027, 1, 24))
    >>> params.cloud_cover.value = 10
    >>> params.value["cloud_cover"], params.value["start"].isoformat()
    (10.0, '2027-01-10T00:00:00+00:00')
    """

    value = traitlets.Dict(help="TaskingRequest fields: start, end, cloud_cover, off_nadir, ...")

    def __init__(self, *, start: date | None = None, end: date | None = None, cloud_cover: int = 20,
                 off_nadir: int = 30, recurrence: str = "ONCE", occurrences: int = 2,
                 delivery_speed: str = "STANDARD", **kwargs: Any):
        today = datetime.now(timezone.utc).date()
        start = start or today + timedelta(days=7)
        end = end or start + timedelta(days=14)
        self.start = W.DatePicker(value=start, description="Start")
        self.end = W.DatePicker(value=end, description="End")
        self.cloud_cover = W.IntSlider(value=cloud_cover, min=0, max=100, description="Cloud ≤ %")
        self.off_nadir = W.IntSlider(value=off_nadir, min=0, max=60, description="Off-nadir ≤ °")
        choices = [r.value for r in Recurrence if r is not Recurrence.NOT_APPLICABLE]
        self.recurrence = W.Dropdown(options=choices, value=recurrence, description="Recurrence")
        self.occurrences = W.BoundedIntText(value=occurrences, min=2, max=365, description="Occurrences")
        self.delivery_speed = W.ToggleButtons(options=[DeliverySpeed.STANDARD.value, DeliverySpeed.EXPEDITED.value],
                                              value=delivery_speed, description="Delivery")
        super().__init__(children=[
            W.HBox([self.start, self.end]), W.HBox([self.cloud_cover, self.off_nadir]),
            W.HBox([self.recurrence, self.occurrences]), self.delivery_speed,
        ], **kwargs)
        self.add_class("pixorder-parameters")
        for control in (self.start, self.end, self.cloud_cover, self.off_nadir, self.recurrence,
                        self.occurrences, self.delivery_speed):
            control.style.description_width = "90px"  # the default clips "Off-nadir ≤ °"
            control.observe(self._update, "value")
        self._update()

    def _update(self, change: Any = None) -> None:
        once = self.recurrence.value == Recurrence.ONCE.value
        self.occurrences.disabled = once
        self.value = {
            "start": _utc(self.start.value) if self.start.value else None,
            "end": _utc(self.end.value) if self.end.value else None,
            "cloud_cover": float(self.cloud_cover.value),
            "off_nadir": float(self.off_nadir.value),
            "recurrence": self.recurrence.value,
            "occurrences": None if once else int(self.occurrences.value),
            "delivery_speed": self.delivery_speed.value,
        }


def is_zero(uplift: Uplift) -> bool:
    """An uplift that changes nothing (0 % and no amount, or an amount of 0): not worth a row.

    Args:
        uplift: one uplift of a quote.

    Returns:
        True when it says 0 % or 0 and nothing else; False when it changes the price or says nothing.

    >>> from pixorder.models import Uplift
    >>> [is_zero(Uplift(name="imaging_mode", percentage=0)), is_zero(Uplift(name="priority", amount=0.0)),
    ...  is_zero(Uplift(name="priority", percentage=20)), is_zero(Uplift(name="unknown"))]
    [True, True, False, False]
    """
    pct, amount = uplift.percentage, uplift.amount
    return (pct is None or pct == 0) and (amount is None or amount == 0) and (pct is not None or amount is not None)


def quote_html(quote: Quote) -> str:
    """Base price, each uplift, total and unit, billed area and feasibility of a quote.

    Args:
        quote: the quote to show; uplifts that change nothing (:func:`is_zero`) are left out.

    Returns:
        HTML: the provider and sensor, then a ``pixorder-quote`` table; the total is a
        ``<b class='pixorder-total' data-amount=… data-unit=…>`` element.

    >>> import re
    >>> from pixorder.models import Quote, Uplift
    >>> quote = Quote(provider="planet", sensor="Flexible Tasking", area_km2=12.5, billed_area_km2=25.0,
    ...               base_amount=100.0, amount=120.0, unit="USD", feasibility="FEASIBLE",
    ...               uplifts=[Uplift(name="priority", percentage=20, amount=20.0),
    ...                        Uplift(name="imaging_mode", percentage=0)])
    >>> html = quote_html(quote)
    >>> for row in re.findall(r"<tr>(.*?)</tr>", html):
    ...     print(" | ".join(re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)))
    area drawn | 12.50 km²
    area billed | 25.00 km²
    base price | 100.00 USD
    + priority (+20 %) | 20.00 USD
    total | 120.00 USD
    per billed km² | 4.80 USD
    feasibility | FEASIBLE
    """
    unit = quote.unit or ""
    rows: list[list[Any]] = [["area drawn", render.fmt_area(quote.area_km2)],
                             ["area billed", render.fmt_area(quote.billed_area_km2)],
                             ["base price", render.fmt_amount(quote.base_amount, unit)]]
    for uplift in quote.uplifts:
        if is_zero(uplift):
            continue  # "+ imaging_mode (+0 %) 0.00" says nothing: Planet lists its ×1.0 multipliers too
        pct = f" ({uplift.percentage:+g} %)" if uplift.percentage is not None else ""
        amount = render.fmt_amount(uplift.amount, unit) if uplift.amount is not None else ""
        rows.append([f"+ {uplift.name}{pct}", amount])
    total = (f"<b class='pixorder-total' data-amount='{quote.amount!r}' data-unit='{render.esc(unit)}'>"
             f"{render.esc(render.fmt_amount(quote.amount, unit))}</b>")
    rows.append(["total", render.Markup(total)])
    if quote.amount_per_km2 is not None:
        rows.append(["per billed km²", render.fmt_amount(quote.amount_per_km2, unit)])
    if quote.tokens is not None:
        rows.append(["tokens", render.fmt_amount(quote.tokens)])
    if quote.credits is not None:
        rows.append(["credits", render.fmt_amount(quote.credits)])
    rows.append(["feasibility", str(quote.feasibility) if quote.feasibility is not None else "not reported"])
    title = f"<div><b>{render.esc(quote.provider)}</b> {render.esc(quote.sensor or '')}</div>"
    return title + render.table(rows, cls="pixorder-quote")


class PricingPreview(W.VBox):
    """The live price of the AOI, sensor and parameters; re-priced when they change.

    Edits are debounced (``delay`` seconds) and at most one pricing call is in flight; the answer
    to the latest edit wins and stale answers are dropped. Errors show inline. ``value`` is the
    shown :class:`pixorder.Quote`, ``request`` the ``TaskingRequest`` it prices.

    A sensor that needs an imaging window (Planet Assured Tasking: the provider adapter says so) shows
    ``windows``, an :class:`~pixorder.widgets.ImagingWindowPicker` with the windows found for the AOI
    and dates; the price appears once one is picked, and the request carries its ``imaging_window``.

    >>> from pixorder.widgets import AOIMap, SensorPicker, RequestParameters, PricingPreview
    >>> aoi_map, picker, params = AOIMap(), SensorPicker(), RequestParameters()   # doctest: +SKIP
    >>> preview = PricingPreview(aoi_map, picker, params)                        # doctest: +SKIP
    >>> preview.value.amount, preview.value.unit                                 # doctest: +SKIP

    ``scheduler=ManualScheduler()`` makes the debounce deterministic; ``flush()`` prices now and
    ``wait()`` blocks until the price is shown (for scripts and tests, not the kernel's loop).
    """

    value = traitlets.Instance(Quote, allow_none=True, help="the quote shown, None when there is none")
    request = traitlets.Instance(TaskingRequest, allow_none=True, help="the request being priced")

    def __init__(self, aoi_map: AOIMap | None = None, sensor_picker: Any = None,
                 parameters: RequestParameters | None = None, *, client: Any = None,
                 delay: float = DEFAULT_DELAY, scheduler: Scheduler | None = None,
                 show_inputs: bool | None = None, windows: ImagingWindowPicker | None = None,
                 **kwargs: Any):
        if sensor_picker is None and client is None:
            from pixorder.widgets.sensor_picker import SensorPicker

            sensor_picker = SensorPicker()
            owned_picker = True
        else:
            owned_picker = False
        owned = aoi_map is None or parameters is None or owned_picker
        self.aoi_map = aoi_map if aoi_map is not None else AOIMap()
        self.sensor_picker = sensor_picker
        self.parameters = parameters if parameters is not None else RequestParameters()
        self._client = client
        # The imaging windows, for sensors that need one; a picker given by the caller is shown by it.
        self.windows = windows if windows is not None else ImagingWindowPicker(delay=delay, scheduler=scheduler)
        self._syncing = False
        self.status = W.HTML()
        self.panel = W.HTML(render.message("Draw or upload an AOI to see its price.", "info"))
        self._runner: LatestWins[tuple[Any, TaskingRequest], Quote] = LatestWins(
            self._start, self._on_result, self._on_error, delay=delay, scheduler=scheduler,
            on_busy=self._on_busy,
        )
        children: list[W.Widget] = []
        if show_inputs if show_inputs is not None else owned:
            inputs = [self.aoi_map, self.parameters]
            if sensor_picker is not None:
                inputs.insert(1, sensor_picker)
            children += inputs
        if windows is None:
            children.append(self.windows)
        children += [self.status, self.panel]
        super().__init__(children=children, **kwargs)
        self.add_class("pixorder-pricing")
        self.aoi_map.observe(self._inputs_changed, "value")
        self.parameters.observe(self._inputs_changed, "value")
        if sensor_picker is not None:
            sensor_picker.observe(self._inputs_changed, "value")
        self.windows.observe(self._inputs_changed, "value")
        self._inputs_changed()

    # --------------------------------------------------------------------------------- public API
    @property
    def client(self) -> Any:
        """The client prices come from: the sensor picker's provider, else the one given."""
        if self.sensor_picker is not None:
            return self.sensor_picker.client
        return self._client

    @property
    def requests_started(self) -> int:
        """How many pricing calls this preview has started (debounced edits are not counted)."""
        return self._runner.started

    @property
    def price_text(self) -> str:
        """The total as shown, e.g. ``"1,234.50 USD"``; ``""`` without a quote."""
        return render.fmt_amount(self.value.amount, self.value.unit) if self.value is not None else ""

    def build_request(self) -> TaskingRequest | None:
        """The request for the current inputs; None without an AOI or sensor. Raises ValidationError.

        When the sensor needs an imaging window, the request carries the one picked in ``windows``;
        none picked (or one found for other inputs) raises ``ValidationError("imaging_window", ...)``.

        Raises:
            pixorder.ValidationError: a bad input (field named), or no imaging window picked for a
                sensor that needs one.
        """
        request = self._base_request()
        if request is None or not needs_imaging_window(self.client, request):
            return request
        window = self.windows.chosen_for(self.client, request)
        if window is None:
            raise ValidationError("imaging_window", "choose one of the imaging windows found for these dates")
        return request.model_copy(update={"imaging_window": window.id})

    def _base_request(self) -> TaskingRequest | None:
        """The request for the current inputs without an imaging window."""
        aoi = self.aoi_map.value
        if aoi is None:
            return None
        fields: dict[str, Any] = {k: v for k, v in self.parameters.value.items() if v is not None}
        if self.sensor_picker is not None:
            if self.sensor_picker.value is None:
                return None
            fields.update(self.sensor_picker.request_fields())
        return TaskingRequest(aoi=aoi, **fields)

    def flush(self) -> None:
        """Price the latest inputs now instead of after the debounce delay."""
        self._runner.flush()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the sensors have loaded and no pricing is pending or in flight; True when settled."""
        # The sensor list loads in the background and its arrival triggers the first price.
        picker = self.sensor_picker
        return ((picker is None or picker.wait(timeout)) and self.windows.wait(timeout)
                and self._runner.wait(timeout, type(self).__name__))

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` for a notebook cell whose preview uses an ``AsyncClient``: ``await preview.wait_async()``.

        >>> import asyncio, pixorder
        >>> from pixorder.widgets import AOIMap, PricingPreview
        >>> async def cell():                                          # doctest: +SKIP
        ...     async with pixorder.AsyncClient("sandbox", api="planet") as client:
        ...         preview = PricingPreview(AOIMap(value=aoi), client=client)
        ...         await preview.wait_async()
        ...         return preview.value
        """
        picker = self.sensor_picker
        return ((picker is None or await picker.wait_async(timeout)) and await self.windows.wait_async(timeout)
                and await self._runner.wait_async(timeout))

    def refresh(self) -> None:
        """Price the current inputs again (after the debounce delay)."""
        self._inputs_changed()

    # ---------------------------------------------------------------------------------- internals
    def _inputs_changed(self, change: Any = None) -> None:
        if self._syncing:
            return  # the window picker cleared its choice while following these very inputs
        self._syncing = True
        try:
            self._sync_inputs()
        finally:
            self._syncing = False

    def _sync_inputs(self) -> None:
        try:
            request = self._base_request()
        except ValidationError as exc:
            self.windows.show_for(None, None)
            self._runner.cancel()
            self.request = None
            self.value = None
            self.status.value = render.message(f"Check the request: {exc}", "error")
            return
        if request is None:
            self.windows.show_for(None, None)
            self._runner.cancel()
            self.request = None
            self.value = None
            waiting = "Draw or upload an AOI to see its price." if self.aoi_map.value is None else \
                "Loading sensors…"
            self.panel.value = render.message(waiting, "info")
            self.status.value = ""
            return
        client = self.client
        if client is None:
            self.windows.show_for(None, None)
            self.status.value = render.message("No client for this provider.", "error")
            return
        if self.windows.show_for(client, request):
            window = self.windows.chosen_for(client, request)
            if window is None:
                self._runner.cancel()
                self.request = None
                self.value = None
                self.panel.value = render.message(
                    "This sensor is ordered in an imaging window: choose one to see the price.", "info")
                self.status.value = ""
                return
            request = request.model_copy(update={"imaging_window": window.id})
        self.request = request
        self._runner.submit((client, request))

    def _start(self, params: tuple[Any, TaskingRequest]) -> Any:
        client, request = params
        self.status.value = render.message("Pricing…", "busy")
        return run_client_call(client, lambda aio: aio.pricing.estimate(request))

    def _on_result(self, params: tuple[Any, TaskingRequest], quote: Quote) -> None:
        self.value = quote
        self.panel.value = quote_html(quote)
        self.status.value = ""

    def _on_error(self, params: tuple[Any, TaskingRequest], error: BaseException) -> None:
        self.value = None
        self.panel.value = ""
        self.status.value = render.message(f"Pricing failed: {render.error_message(error)}", "error")

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.status.value = render.message("Waiting for edits to settle…", "busy")
