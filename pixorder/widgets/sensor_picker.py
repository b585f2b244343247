"""SensorPicker: provider, then sensor (or Pixxel bandset), with resolution, bands and image type."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import traitlets

from pixorder.models import Sensor
from pixorder.providers import table
from pixorder.widgets import render
from pixorder.widgets.clients import resolve_clients
from pixorder.widgets.scheduling import Background

__all__ = ["SensorPicker", "sensor_details_html"]


def sensor_details_html(sensor: Sensor) -> str:
    """What the picker shows under the dropdowns: resolution, bands, image type, minimum area, list price.

    Args:
        sensor: the sensor; fields it does not have (or a zero list price) are left out.

    Returns:
        HTML: a two-column ``pixorder-sensor`` table.

    >>> import re
    >>> from pixorder.models import Sensor
    >>> html = sensor_details_html(Sensor(provider="planet", id="Flexible Tasking", resolution_m=0.5,
    ...                                   bands=["PAN", "B", "G", "R", "NIR"], min_area_km2=25))
    >>> for row in re.findall(r"<tr>(.*?)</tr>", html):
    ...     print(": ".join(re.findall(r"<td[^>]*>(.*?)</td>", row)))
    resolution: 0.5 m
    bands: PAN, B, G, R, NIR
    minimum area: 25.00 km²
    """
    rows = [
        ("resolution", f"{sensor.resolution_m:g} m" if sensor.resolution_m is not None else None),
        ("bands", ", ".join(sensor.bands) if sensor.bands else None),
        ("image type", sensor.image_type),
        ("minimum area", render.fmt_area(sensor.min_area_km2) if sensor.min_area_km2 is not None else None),
        ("list price", f"{render.fmt_amount(sensor.price_per_km2, sensor.unit)} per km²" if sensor.price_per_km2
         else None),
        ("about", sensor.description),
    ]
    return render.table([[k, v] for k, v in rows if v], cls="pixorder-sensor")


class SensorPicker(W.VBox):
    """Choose a provider, then one of its sensors; Pixxel's choice is its bandset (VNIR, SWIR, ...).

    ``value`` is the chosen :class:`pixorder.models.Sensor`; ``provider`` the chosen provider and
    ``client`` its client. ``request_fields()`` gives what a ``TaskingRequest`` needs from it.

    >>> from pixorder.widgets import SensorPicker
    >>> picker = SensorPicker()                 # sandbox clients for pixxel, planet and geopera
    >>> picker.provider = "planet"              # doctest: +SKIP
    >>> picker.value.id, picker.request_fields()   # doctest: +SKIP
    ('Flexible Tasking', {'sensor': 'Flexible Tasking'})
    """

    value = traitlets.Instance(Sensor, allow_none=True, help="the chosen sensor, None while loading")
    provider = traitlets.Unicode(help="the chosen provider")

    def __init__(self, clients: Any = None, *, provider: str | None = None, **kwargs: Any):
        self.clients = resolve_clients(clients)
        self._sensors: dict[str, list[Sensor]] = {}
        self._background = Background()
        names = list(self.clients)
        self.provider_dropdown = W.Dropdown(options=names, description="Provider")
        self.sensor_dropdown = W.Dropdown(options=[], description="Sensor")
        self.details = W.HTML()
        self.status = W.HTML()
        super().__init__(children=[W.HBox([self.provider_dropdown, self.sensor_dropdown]), self.details,
                                   self.status], **kwargs)
        self.add_class("pixorder-sensorpicker")
        self.provider_dropdown.observe(lambda c: setattr(self, "provider", c["new"] or ""), "value")
        self.sensor_dropdown.observe(self._on_sensor, "value")
        self.provider = provider or (names[0] if names else "")
        if provider:
            self.provider_dropdown.value = provider

    @property
    def client(self) -> Any:
        """The client of the chosen provider."""
        return self.clients.get(self.provider)

    def sensors(self, provider: str | None = None) -> list[Sensor]:
        """The sensors loaded so far for ``provider`` (the chosen one by default)."""
        return list(self._sensors.get(provider or self.provider, []))

    def request_fields(self) -> dict[str, Any]:
        """``{"sensor": id}``, or the provider table's ``sensor_field`` (``{"bandset": id}`` at Pixxel)."""
        if self.value is None:
            return {}
        return {table.get(self.provider).sensor_field: self.value.id}

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the sensor lists asked for so far have loaded (scripts and tests)."""
        return self._background.wait(timeout, type(self).__name__)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` for a notebook cell whose picker uses an ``AsyncClient``."""
        return await self._background.wait_async(timeout)

    @traitlets.observe("provider")
    def _on_provider(self, change: dict[str, Any]) -> None:
        provider = change["new"]
        if provider not in self.clients:
            return
        if self.provider_dropdown.value != provider:
            self.provider_dropdown.value = provider
        self.sensor_dropdown.description = table.get(provider).sensor_label
        if provider in self._sensors:
            self._fill(provider)
            return
        self.value = None
        self.sensor_dropdown.options = []
        self.status.value = render.message(f"Loading {provider} sensors…", "busy")

        async def load(aio: Any) -> list[Sensor]:
            return list(await aio.sensors())

        def done(sensors: list[Sensor] | None, error: BaseException | None) -> None:
            if error is not None:
                if self.provider == provider:
                    self.status.value = render.message(
                        f"Could not load {provider} sensors: {render.error_message(error)}", "error")
                return
            self._sensors[provider] = sensors or []
            if self.provider == provider:
                self._fill(provider)

        self._background.run(self.clients[provider], load, done)

    def _fill(self, provider: str) -> None:
        sensors = self._sensors.get(provider, [])
        self.status.value = "" if sensors else render.message(f"{provider} offers no sensors", "warning")
        options = [(s.name or s.id, s.id) for s in sensors]
        self.sensor_dropdown.options = options
        if options:
            self.sensor_dropdown.value = options[0][1]
            self._on_sensor({"new": options[0][1]})

    def _on_sensor(self, change: dict[str, Any]) -> None:
        chosen = next((s for s in self._sensors.get(self.provider, []) if s.id == change["new"]), None)
        self.value = chosen
        self.details.value = sensor_details_html(chosen) if chosen is not None else ""
