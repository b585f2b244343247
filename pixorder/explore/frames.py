"""``PriceFrame``: the GeoDataFrame that compare, sweep and budget return, with a price chart as ``.plot()``.

It is a plain GeoDataFrame in every other way (EPSG:4326, the usual columns and dtypes); slicing,
sorting and copying keep the class and ``attrs`` (the provenance). ``.plot()`` draws the chart that
fits what the frame holds (see :mod:`pixorder.explore.plots`); the map of the AOIs is still
``frame.explore()``, or ``geopandas.GeoDataFrame(frame).plot()``.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd


class PriceFrame(gpd.GeoDataFrame):
    """Prices as a GeoDataFrame whose ``.plot()`` is the price chart (a plotly figure).

    ``frame.attrs["pixorder"]`` says where the prices came from (``kind``: compare, sweep or
    budget; ``sources``: live or sandbox per provider; the request; pixorder's version; UTC time).
    """

    # geopandas builds results of pandas operations with ``cls`` (its constructor is a classmethod),
    # so sorting, slicing and copying keep this class; losing the geometry gives a DataFrame.

    @property
    def provenance(self) -> dict[str, Any]:
        """Where these prices came from (empty when the frame was built by hand)."""
        return dict(self.attrs.get("pixorder") or {})

    def plot(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """The price chart for this frame (``plotly.graph_objects.Figure``): bars per provider and
        sensor for a comparison, price against the varied parameter for a sweep, monthly and
        cumulative cost for a budget. Keyword arguments go to the plotly express call."""
        from pixorder.explore import plots

        return plots.plot(self, **kwargs)

    def to_file(self, path: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Write to GeoParquet (``.parquet``), GeoPackage (``.gpkg``) or CSV (``.csv``) with dtypes and
        provenance kept; :func:`pixorder.read_prices` reads it back (see :mod:`.provenance`)."""
        from pixorder.explore.provenance import write

        write(self, path, **kwargs)


def read_prices(path: Any, *, layer: str | None = None) -> PriceFrame:
    """Prices written by :meth:`PriceFrame.to_file`, with their dtypes and provenance.

    Args:
        path: a ``.parquet``, ``.gpkg`` or ``.csv`` file (str or ``pathlib.Path``) pixorder wrote.
        layer: the GeoPackage layer (default: its only one).

    Returns:
        PriceFrame: a GeoDataFrame in EPSG:4326; ``frame.provenance`` says where the prices came from.

    Raises:
        pixorder.ValidationError: an unsupported file ending, or a file pixorder did not write.

    >>> frame = pixorder.read_prices("prices.parquet")   # doctest: +SKIP
    """
    from pixorder.explore.provenance import read

    frame, attrs = read(path, layer=layer)
    result = PriceFrame(frame, crs=frame.crs or 4326)
    result.attrs.update(attrs)
    return result
