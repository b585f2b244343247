"""OrderForm: AOI, sensor, parameters and live price; a dry run, then a confirmed order."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import traitlets

from pixorder.errors import ValidationError
from pixorder.models import ImagingWindow, Order, TaskingRequest
from pixorder.widgets import render
from pixorder.widgets.aoi_map import AOIMap
from pixorder.widgets.pricing import PricingPreview, RequestParameters
from pixorder.widgets.scheduling import Background, Scheduler
from pixorder.widgets.sensor_picker import SensorPicker
from pixorder.widgets.windows import ImagingWindowPicker, window_label

__all__ = ["OrderForm"]


def _order_summary(order: Order, window: ImagingWindow | None = None) -> str:
    """The placed order: its life-cycle status and (Pixxel) payment status apart, drawn and billed areas,
    and the imaging window it was ordered in (Planet Assured Tasking)."""
    rows: list[list[Any]] = [["provider", order.provider], ["order id", order.id], ["name", order.name],
            ["status", str(order.status) if order.status is not None else None],
            ["payment", order.payment_status],
            ["price", render.fmt_amount(order.amount, order.unit)],
            ["area drawn", render.fmt_area(order.area_km2) if order.area_km2 is not None else None],
            ["area billed", render.fmt_area(order.billed_area_km2) if order.billed_area_km2 is not None else None]]
    if window is not None:
        rows += [["imaging window", window.id], ["window", window_label(window).split(" · ")[0]]]  # start → end
    return render.table([r for r in rows if r[1] is not None], cls="pixorder-order")


class OrderForm(W.VBox):
    """Everything to order one tasking acquisition: map, sensor, parameters, live price, order.

    "Dry run" prices the exact request with the provider's order endpoint without spending;
    "Place order…" opens a confirmation that shows that price; only "Confirm order" spends.
    A sensor ordered in an imaging window (Planet Assured Tasking) shows the windows found for the AOI
    and dates under the parameters (``windows``); the price, the dry run and the order use the one picked.
    ``value`` is the placed order as a one-row GeoDataFrame (``orders`` schema), ``order`` the
    :class:`pixorder.Order` model, ``dry_run`` the last dry-run result.

    >>> from pixorder.widgets import OrderForm
    >>> form = OrderForm(provider="planet")   # doctest: +SKIP
    >>> form                                  # doctest: +SKIP
    >>> # draw a shape, press "Dry run", then "Place order…" and "Confirm order"
    >>> form.value[["provider", "id", "status", "amount", "unit"]]   # doctest: +SKIP
    """

    value = traitlets.Any(None, allow_none=True, help="the placed order as a GeoDataFrame, or None")
    order = traitlets.Instance(Order, allow_none=True, help="the placed order")
    dry_run = traitlets.Instance(Order, allow_none=True, help="the last dry-run result")

    def __init__(self, clients: Any = None, *, provider: str | None = None, name: str = "",
                 delay: float = 0.4, scheduler: Scheduler | None = None, aoi: Any = None, **kwargs: Any):
        self.aoi_map = AOIMap(value=aoi)
        self.sensor_picker = SensorPicker(clients, provider=provider)
        self.parameters = RequestParameters()
        self.windows = ImagingWindowPicker(delay=delay, scheduler=scheduler)
        self.preview = PricingPreview(self.aoi_map, self.sensor_picker, self.parameters, delay=delay,
                                      scheduler=scheduler, show_inputs=False, windows=self.windows)
        self.name = W.Text(value=name, description="Order name", placeholder="optional")
        self.dry_run_button = W.Button(description="Dry run", icon="calculator",
                                       tooltip="Price this exact order without placing it")
        self.place_button = W.Button(description="Place order…", icon="shopping-cart", disabled=True,
                                     tooltip="Run a dry run first")
        self.confirmation, self.confirm_text, self.confirm_button, self.cancel_button = render.confirmation(
            "Confirm order")
        self.status = W.HTML()
        self.result = W.HTML()
        self._background = Background()
        self._dry_request: TaskingRequest | None = None
        self._window: ImagingWindow | None = None  # the imaging window of the dry-run request, if any
        # Map on top; request on the left and its price and outcome on the right, so the price
        # stays next to the controls that change it.
        left = W.VBox([self.sensor_picker, self.parameters, self.windows, self.name,
                       W.HBox([self.dry_run_button, self.place_button]), self.confirmation, self.status],
                      layout=W.Layout(flex="1 1 560px"))
        right = W.VBox([self.preview, self.result], layout=W.Layout(flex="1 1 300px"))
        super().__init__(children=[self.aoi_map, W.HBox([left, right], layout=W.Layout(
            flex_flow="row wrap", align_items="flex-start", grid_gap="12px"))], **kwargs)
        self.add_class("pixorder-orderform")
        self.dry_run_button.on_click(lambda _: self.run_dry_run())
        self.place_button.on_click(lambda _: self.ask_confirmation())
        self.confirm_button.on_click(lambda _: self.confirm())
        self.cancel_button.on_click(lambda _: self._hide_confirmation("Order not placed."))
        # The price shown must be the price confirmed: any edit after a dry run invalidates it.
        self.preview.observe(self._inputs_changed, "request")
        self.name.observe(self._inputs_changed, "value")
        self.sensor_picker.observe(self._provider_changed, "provider")
        self._provider_changed({"new": self.sensor_picker.provider})

    # --------------------------------------------------------------------------------- public API
    @property
    def client(self) -> Any:
        return self.sensor_picker.client

    def build_request(self) -> TaskingRequest:
        """The request the form would order now: AOI, sensor, parameters, imaging window and name.

        Returns:
            The ``TaskingRequest``; ``name`` is the order name field's text when it has any.

        Raises:
            pixorder.ValidationError: no AOI yet (``aoi``), no sensor loaded yet, a bad parameter
                (the field named), or no imaging window picked for a sensor that needs one.

        >>> from datetime import date
        >>> from pixorder.widgets import OrderForm
        >>> from pixorder.widgets.scheduling import ManualScheduler
        >>> form = OrderForm(provider="planet", scheduler=ManualScheduler())   # sandbox clients; no pricing yet
        >>> form.build_request()
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: aoi: draw or upload an AOI first
        >>> form.sensor_picker.wait()
        True
        >>> form.aoi_map.value = "POINT (5.45 52.5)"
        >>> form.parameters.start.value, form.parameters.end.value = date(2030, 3, 1), date(2030, 3, 21)
        >>> form.name.value = "field 7"
        >>> request = form.build_request()
        >>> request.sensor, request.name, round(request.aoi.area_km2), request.end.isoformat()
        ('Flexible Tasking', 'field 7', 25, '2030-03-21T00:00:00+00:00')
        """
        request = self.preview.build_request()
        if request is None:
            raise ValidationError("aoi", "draw or upload an AOI first" if self.aoi_map.value is None
                                  else "choose a sensor first")
        if self.name.value.strip():
            request = request.model_copy(update={"name": self.name.value.strip()})
        return request

    def run_dry_run(self) -> None:
        """Price the current request through the order endpoint without placing it."""
        try:
            request = self.build_request()
        except ValidationError as exc:
            self.status.value = render.message(str(exc), "error")
            return
        window = self.windows.value if request.imaging_window else None
        self._busy(True)
        self.status.value = render.message("Dry run…", "busy")

        def done(order: Order | None, error: BaseException | None) -> None:
            self._busy(False)
            if error is not None:
                self.status.value = render.message(f"Dry run failed: {render.error_message(error)}", "error")
                return
            self._dry_request = request
            self._window = window
            self.dry_run = order
            self.place_button.disabled = False
            self.place_button.tooltip = "Place this order (asks for confirmation)"
            self.status.value = render.message(
                f"Dry run OK: {render.fmt_amount(order.amount, order.unit)} "  # type: ignore[union-attr]
                f"at {order.provider}. Press “Place order…” to order it.", "info")  # type: ignore[union-attr]

        self._background.run(self.client, lambda aio: aio.orders.create(request, dry_run=True), done)

    def ask_confirmation(self) -> None:
        """Show the confirmation with the dry-run price; nothing is spent yet."""
        if self.dry_run is None or self._dry_request is None:
            self.status.value = render.message("Run a dry run first.", "error")
            return
        order, request = self.dry_run, self._dry_request
        self.confirm_text.value = (
            f"<b>Place this order?</b> {render.esc(order.provider)} will charge "
            f"<b class='pixorder-confirm-price'>{render.esc(render.fmt_amount(order.amount, order.unit))}</b> "
            f"for {render.esc(render.fmt_area(request.aoi.area_km2))} drawn"
            + (f", billed as {render.esc(render.fmt_area(order.billed_area_km2))}"
               if order.billed_area_km2 is not None else "") + " "
            + (f"in the imaging window {render.esc(window_label(self._window))}"
               if request.imaging_window and self._window is not None and self._window.id == request.imaging_window
               else f"({render.esc(request.start.date())} → {render.esc(request.end.date())})")
            + ". This spends money or quota."
        )
        self.confirmation.layout.display = "flex"

    def confirm(self) -> None:
        """Place the dry-run request (the confirmation must be showing)."""
        if self.confirmation.layout.display == "none" or self._dry_request is None:
            return
        request, window = self._dry_request, self._window
        self.confirmation.layout.display = "none"
        self._busy(True)
        self.status.value = render.message("Placing the order…", "busy")

        def done(order: Order | None, error: BaseException | None) -> None:
            self._busy(False)
            if error is not None:
                self.status.value = render.message(f"Order failed: {render.error_message(error)}", "error")
                return
            from pixorder.frames import orders_frame

            self.order = order
            self.value = orders_frame([order])  # type: ignore[list-item]
            self.place_button.disabled = True  # one confirmation, one order
            self._dry_request = None
            self.status.value = render.message(f"Order {order.id} placed.", "info")  # type: ignore[union-attr]
            self.result.value = _order_summary(order, window)  # type: ignore[arg-type]

        self._background.run(self.client, lambda aio: aio.orders.create(request), done)

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the price and any dry run or order in progress are done (scripts and tests)."""
        return self.preview.wait(timeout) and self._background.wait(timeout, type(self).__name__)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` for a notebook cell whose form uses an ``AsyncClient``: ``await form.wait_async()``."""
        return await self.preview.wait_async(timeout) and await self._background.wait_async(timeout)

    # ---------------------------------------------------------------------------------- internals
    def _busy(self, busy: bool) -> None:
        self.dry_run_button.disabled = busy
        if busy:
            self.place_button.disabled = True
        elif self._dry_request is not None and self.dry_run is not None:
            self.place_button.disabled = False

    def _hide_confirmation(self, text: str = "") -> None:
        self.confirmation.layout.display = "none"
        if text:
            self.status.value = render.message(text, "info")

    def _inputs_changed(self, change: Any) -> None:
        if self._dry_request is None:
            return
        try:
            current = self.build_request()
        except ValidationError:
            current = None
        if current is not None and current == self._dry_request:
            return
        self._dry_request = None
        self.dry_run = None
        self.place_button.disabled = True
        self._hide_confirmation()
        self.status.value = render.message("The order changed: run the dry run again.", "info")

    def _provider_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.aoi_map.providers = [change["new"]]
