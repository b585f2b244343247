"""Notebook widgets: draw an AOI, pick a sensor, see the price, compare, order, browse, decide.

Each widget is an ipywidgets container with a ``value`` trait (a model or a GeoDataFrame) that the
next cell can read and that can be observed like any widget trait::

    from pixorder.widgets import OrderForm
    form = OrderForm()          # sandbox clients; pass pixorder.connect("planet") for the live API
    form                        # draw, dry run, place
    form.value                  # the placed order as a GeoDataFrame

Names load on first use, so ``import pixorder.widgets`` does not import ipyleaflet or geopandas.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AOIMap": "pixorder.widgets.aoi_map",
    "CompareProviders": "pixorder.widgets.compare",
    "ImagingWindowPicker": "pixorder.widgets.windows",
    "LatestWins": "pixorder.widgets.scheduling",
    "ManualScheduler": "pixorder.widgets.scheduling",
    "OrderBrowser": "pixorder.widgets.order_browser",
    "OrderForm": "pixorder.widgets.order_form",
    "PricingDesk": "pixorder.widgets.desk",
    "PricingPreview": "pixorder.widgets.pricing",
    "QuotationInbox": "pixorder.widgets.quotation_inbox",
    "RequestParameters": "pixorder.widgets.pricing",
    "SensorPicker": "pixorder.widgets.sensor_picker",
    "ThreadScheduler": "pixorder.widgets.scheduling",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pixorder.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
