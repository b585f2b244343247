"""Shapes as the browser sends them, and a check that no widget state holds an API key."""

from __future__ import annotations

import json
from typing import Any


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A drawn rectangle as the browser syncs it into ``GeomanDrawControl.data`` (with a style)."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "properties": {"style": {"color": "#3388ff"}},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def line(*coords: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": list(coords)}}


def widget_states() -> list[tuple[str, str]]:
    """(class name, JSON state) of every live widget: what a notebook would save and send."""
    from ipywidgets.widgets.widget import _instances

    out = []
    for widget in list(_instances.values()):
        state = widget.get_state()
        out.append((type(widget).__name__, json.dumps(state, default=lambda v: repr(v))))
    return out


def assert_no_key_in_widget_state() -> None:
    from pixorder.sandbox.keys import SANDBOX_KEYS

    for name, state in widget_states():
        for key in SANDBOX_KEYS.values():
            assert key not in state, f"{name} widget state holds the API key {key[:6]}…"
