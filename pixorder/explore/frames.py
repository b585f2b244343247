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

    Built like any ``GeoDataFrame``; ``compare``, ``sweep``, ``budget`` and :func:`read_prices` return one.

    >>> import pixorder
    >>> frame = pixorder.compare("POINT (5.45 52.5)", providers="planet,geopera", start="2030-03-01",
    ...                          end="2030-03-21")
    >>> frame[["provider", "sensor", "amount", "unit"]]
      provider            sensor  amount  unit
    0   planet  Flexible Tasking    25.0  SQKM
    1  geopera         pneo-30cm   700.0   AUD
    >>> type(frame.sort_values("amount").head(1)).__name__, frame.crs.to_epsg()
    ('PriceFrame', 4326)
    >>> frame.provenance["kind"], frame.provenance["sources"]
    ('compare', {'planet': 'sandbox', 'geopera': 'sandbox'})
    >>> frame.plot().layout.title.text       # SQKM and AUD: not ranked against each other
    "Quotes, each in its provider's unit (give rates= and currency= to rank them)"
    """

    # geopandas builds results of pandas operations with ``cls`` (its constructor is a classmethod),
    # so sorting, slicing and copying keep this class; losing the geometry gives a DataFrame.

    @property
    def provenance(self) -> dict[str, Any]:
        """Where these prices came from (empty when the frame was built by hand)."""
        return dict(self.attrs.get("pixorder") or {})

    def plot(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """The price chart for this frame: bars per provider and sensor for a comparison, price
        against the varied parameter for a sweep, monthly and cumulative cost for a budget
        (:func:`pixorder.explore.plots.plot` picks it from ``provenance["kind"]``).

        Args:
            **kwargs: passed to the chart's plotly call (``height=``, ...; ``per_km2=True`` for a
                comparison per billed km²).

        Returns:
            A ``plotly.graph_objects.Figure``; the map of the AOIs is ``frame.explore()``.
        """
        from pixorder.explore import plots

        return plots.plot(self, **kwargs)

    def to_file(self, path: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Write to GeoParquet (``.parquet``), GeoPackage (``.gpkg``) or CSV (``.csv``) with dtypes and
        provenance kept; :func:`pixorder.read_prices` reads it back (see :mod:`.provenance`).

        Args:
            path: the file to write (str or ``pathlib.Path``); its ending picks the format. A CSV
                gets a sidecar ``<name>.csv.pixorder.json`` with the dtypes and provenance.
            **kwargs: ``layer=`` (GeoPackage layer name, default ``"prices"``).

        Raises:
            pixorder.ValidationError: an unsupported file ending.

        >>> import pixorder, pathlib, tempfile
        >>> frame = pixorder.compare("POINT (5.45 52.5)", providers="planet", start="2030-03-01", end="2030-03-21")
        >>> folder = tempfile.TemporaryDirectory()
        >>> frame.to_file(pathlib.Path(folder.name) / "prices.parquet")
        >>> back = pixorder.read_prices(pathlib.Path(folder.name) / "prices.parquet")
        >>> back.equals(frame), back.provenance == frame.provenance
        (True, True)
        >>> folder.cleanup()
        """
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

    :meth:`PriceFrame.to_file` shows a round trip. A file of another kind is refused before reading:

    >>> import pixorder
    >>> pixorder.read_prices("prices.xlsx")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: path: must end in .parquet, .geoparquet, .gpkg, .csv (the formats that keep dtypes and provenance; for GeoJSON or a Shapefile without them: geopandas.GeoDataFrame(frame).to_file(path)) (got 'prices.xlsx')
    """
    from pixorder.explore.provenance import read

    frame, attrs = read(path, layer=layer)
    result = PriceFrame(frame, crs=frame.crs or 4326)
    result.attrs.update(attrs)
    return result
