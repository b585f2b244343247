"""The AOI: one validated (Multi)Polygon in EPSG:4326 with its area, parts, provider rules and exports."""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from pixorder import collector
from pixorder.aoi import rules
from pixorder.aoi.area import areas_km2
from pixorder.aoi.batch import Built, build_many, build_series
from pixorder.aoi.coerce import PointsPolicy, Source, is_geopandas, load
from pixorder.aoi.shapes import Kind, _largest_gap_km, build, simplified
from pixorder.errors import ValidationError

__all__ = ["AOI", "MAX_SIMPLIFY_AREA_CHANGE", "as_aoi", "as_aois"]

#: ``AOI.simplify`` refuses a tolerance that changes the area by more than this fraction (1 %).
MAX_SIMPLIFY_AREA_CHANGE = 0.01


# ----------------------------------------------------------------------------------------------- the AOI
class AOI:
    """An area of interest: one valid (Multi)Polygon in EPSG:4326 with its geodesic area.

    ``source`` may be a GeoJSON geometry, Feature or FeatureCollection (dict or JSON text, with a
    ``crs`` member in any form GDAL reads), a shapely geometry, anything with ``__geo_interface__``, a
    GeoDataFrame or GeoSeries (any CRS), WKT or EWKT, or a path to a GeoJSON, GeoPackage (``layer=``
    picks a layer), zipped Shapefile, KML or KMZ file. ``crs`` names the CRS of the input coordinates
    when the input does not carry one (default EPSG:4326; coordinates that cannot be lon/lat without a
    CRS are refused, naming ``crs=``). Longitudes beyond ±180° are moved back by whole turns.

    A Point becomes the 5×5 km square around it, a LineString the 5 km wide strip along it (6–100 km
    long); several features are merged into one shape (unioned: overlaps count once). In a *file*,
    points beside polygons (a Google Earth label pin, a layer of sample points) are left out, and a
    GeoPackage's polygon layers are used rather than its point layers; ``points="keep"`` or
    ``"drop"`` decides otherwise. :attr:`source` reports what was used and left out. Rings are closed
    and wound counter-clockwise (holes clockwise), shapes across ±180° are split there. A
    self-intersecting polygon is refused unless ``repair=True``.

    Raises:
        ValidationError: for every refusal, naming the field (``geometry``, ``geometry.coordinates``,
            ``path``, ``crs``, ``layer``, ``points``, ``name``) and the rule.

    >>> aoi = AOI({"type": "Point", "coordinates": [149.44135, 28.49240]})
    >>> aoi.kind, round(aoi.area_km2, 1)
    ('point', 25.0)
    >>> AOI("POLYGON ((0 0, 0.1 0, 0.1 0.1, 0 0.1, 0 0))")
    AOI(polygon, 123.09 km², bounds=(0.00000, 0.00000, 0.10000, 0.10000))
    >>> AOI({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: geometry: polygon crosses itself at (0.5, 0.5); pass repair=True to fix it
    """

    _name: str | None

    __slots__ = ("_geometry", "_original", "_kind", "_name", "_length_km", "_area", "_gap", "_mapping", "_source",
                 "_parts", "_shared")

    def __init__(self, source: Any, *, crs: Any = None, repair: bool = False, name: str | None = None,
                 layer: str | int | None = None, points: PointsPolicy = "auto"):
        if name is not None and not isinstance(name, str):
            raise ValidationError("name", "must be a string", name)
        if isinstance(source, AOI):
            for slot in AOI.__slots__:
                setattr(self, slot, getattr(source, slot))
            self._name = name if name is not None else source._name
            return
        loaded = load(source, crs=crs, layer=layer, points=points)
        items, default_name = loaded.geometries, loaded.name
        geometry, kind, length_km, notes = build(items, repair=bool(repair))
        self._fill(geometry, items[0] if len(items) == 1 else shapely.GeometryCollection(items), kind, length_km,
                   replace(loaded.source, notes=loaded.source.notes + tuple(notes)) if notes else loaded.source,
                   name if name is not None else default_name, None)

    def _fill(self, geometry: BaseGeometry, original: BaseGeometry, kind: Kind, length_km: float | None,
              source: Source, name: str | None, area_km2: float | None) -> None:
        self._geometry = geometry
        self._original = original
        self._kind: Kind = kind
        self._length_km = length_km
        self._source = source
        self._name = name
        self._area: float | None = area_km2
        self._parts: list[AOI] | None = None
        self._gap: float | None = None
        self._mapping: dict[str, Any] | None = None
        self._shared: tuple[_SharedMappings, int] | None = None

    @classmethod
    def _from_checked(cls, geometry: BaseGeometry, original: BaseGeometry, kind: Kind, length_km: float | None,
                      source: Source, name: str | None, area_km2: float | None = None) -> AOI:
        """An AOI from parts already read, checked and built (``batch.build_many``): nothing is redone.

        ``geometry`` must be what ``AOI(original)`` builds (a valid counter-clockwise (Multi)Polygon in
        EPSG:4326), ``area_km2`` its :func:`areas_km2` (km²) or None to measure it when first asked.
        """
        aoi = cls.__new__(cls)
        aoi._fill(geometry, original, kind, length_km, source, name, area_km2)
        return aoi

    @classmethod
    def from_bounds(
        cls, west: float, south: float, east: float, north: float, *, name: str | None = None
    ) -> AOI:
        """The lon/lat box between the given edges (degrees); ``west > east`` means it crosses ±180°.

        Args:
            west: western edge, degrees of longitude in [-180, 180].
            south: southern edge, degrees of latitude, ``-90 <= south < north``.
            east: eastern edge, degrees of longitude in [-180, 180]; less than ``west`` across ±180°.
            north: northern edge, degrees of latitude, ``north <= 90``.
            name: the AOI's name.

        Returns:
            The box as an AOI (split in two at ±180° when it crosses there), edges straight in lon/lat.

        Raises:
            ValidationError: ``bounds``: an edge that is not a finite number, longitudes outside
                [-180, 180], latitudes not ``-90 <= south < north <= 90``, ``west == east``, or a box
                180° of longitude wide or more.

        >>> AOI.from_bounds(10, 50, 10.1, 50.1, name="field")
        AOI(polygon, 79.66 km², bounds=(10.00000, 50.00000, 10.10000, 50.10000), name='field')
        >>> AOI.from_bounds(179.5, -0.5, -179.5, 0.5).geometry.geom_type
        'MultiPolygon'
        >>> AOI.from_bounds(10, 50, 10, 51)
        Traceback (most recent call last):
        ...
        pixorder.errors.ValidationError: bounds: west and east must differ (got (10.0, 10.0))
        """
        values = [west, south, east, north]
        if not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values):
            raise ValidationError("bounds", "west, south, east and north must be numbers", tuple(values))
        west, south, east, north = (float(v) for v in values)
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise ValidationError("bounds", "bounds must be finite numbers", (west, south, east, north))
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise ValidationError("bounds", "west and east must be within [-180, 180]", (west, east))
        if not (-90 <= south < north <= 90):
            raise ValidationError("bounds", "need -90 <= south < north <= 90", (south, north))
        if west == east:
            raise ValidationError("bounds", "west and east must differ", (west, east))
        if west > east:
            east += 360.0
        if east - west >= 180:
            raise ValidationError("bounds", "an AOI must span less than 180° of longitude", (west, east))
        return cls(shapely.box(west, south, east, north), name=name)

    # ----------------------------------------------------------------------------------- properties
    @property
    def geometry(self) -> BaseGeometry:
        """The shape as a shapely Polygon or MultiPolygon in EPSG:4326 (lon, lat)."""
        return self._geometry

    @property
    def original_geometry(self) -> BaseGeometry:
        """The input geometry in EPSG:4326 before squares, strips, repair or splitting were applied."""
        return self._original

    @property
    def kind(self) -> Kind:
        """``"point"`` (5×5 km square), ``"strip"`` (5 km wide corridor) or ``"polygon"``."""
        return self._kind

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def length_km(self) -> float | None:
        """Geodesic length of a strip's centre line, km (None for other kinds)."""
        return self._length_km

    @property
    def crs(self) -> str:
        return "EPSG:4326"

    @property
    def area_km2(self) -> float:
        """Area on the WGS84 ellipsoid in km², with geodesic edges (see :func:`areas_km2`)."""
        if self._area is None:
            self._area = float(areas_km2([self._geometry])[0])
        return self._area

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees; a shape split at ±180° spans -180..180."""
        return tuple(float(v) for v in self._geometry.bounds)  # type: ignore[return-value]

    @property
    def n_parts(self) -> int:
        return int(shapely.get_num_geometries(self._geometry))

    @property
    def n_vertices(self) -> int:
        return int(shapely.get_num_coordinates(self._geometry))

    @property
    def part_gap_km(self) -> float:
        """Largest geodesic gap (km) to bridge when linking all parts by their nearest points; 0 for one part.

        Parts split at ±180° touch, so they count as linked.
        """
        if self._gap is None:
            self._gap = _largest_gap_km(self._geometry)
        return self._gap

    # ------------------------------------------------------------------------------ provider rules
    def billed_area_km2(self, provider: str, sensor: Any = None) -> float:
        """The area ``provider`` will bill for this AOI (its minimum when the AOI is smaller), in km².

        ``sensor`` (a :class:`~pixorder.models.Sensor` from ``client.sensors()``, or its minimum in
        km²) adds that sensor's own minimum: Geopera's minimums are per sensor. Rounded as the provider
        does (:func:`pixorder.aoi.rules.billed_km2`: Pixxel up to the whole km², others not); at Planet a
        multi-part AOI is billed part by part (one order each). Equals the quote's ``billed_area_km2``.

        >>> AOI.from_bounds(0, 0, 0.05, 0.05).billed_area_km2("pixxel")
        100.0
        """
        return rules.billed_total_km2(self, provider, sensor)

    def check(self, provider: str, sensor: Any = None) -> list[rules.RuleCheck]:
        """What ``provider`` will make of this AOI, before any call: info, rules it bends, rules it breaks.

        ``sensor``: a :class:`~pixorder.models.Sensor` (or its minimum area in km²) whose own
        minimum billable area also applies; without it, Geopera's per-sensor minimum is unknown.
        Rules: the provider's minimum area, Pixxel's 200 km gap between parts, Planet's one polygon
        per order (pixorder then orders each part on its own), the request body's size against the
        provider's limit (Planet: 1 MB), and the billed area, equal to the quote's (see
        :meth:`billed_area_km2`).

        >>> for c in AOI.from_bounds(0, 0, 0.05, 0.05).check("pixxel"):
        ...     print(c.severity, c.message)
        bends Pixxel bills at least 100 km²: billed as 100 km² (AOI is 30.8 km²)
        info billed area 100.00 km²

        Raises:
            ValidationError: ``provider`` unknown, or ``sensor`` with an unusable minimum.
        """
        return rules.check(self, provider, sensor)

    # ------------------------------------------------------------------------------ parts, simplify
    def parts(self) -> list[AOI]:
        """Each polygon of the AOI as its own AOI (a one-part AOI gives ``[self]``), largest area first
        order kept as stored; names get `` part i`` appended.

        >>> [round(p.area_km2, 1) for p in AOI("MULTIPOLYGON (((0 0, 0.1 0, 0.1 0.1, 0 0)),"
        ...                                    " ((3 0, 3.1 0, 3.1 0.1, 3 0)))").parts()]
        [61.5, 61.5]
        """
        if self.n_parts == 1:
            return [self]
        if self._parts is None:
            parts = []
            for i, polygon in enumerate(shapely.get_parts(self._geometry)):
                part = AOI(polygon, name=f"{self._name} part {i}" if self._name else None)
                part._source = replace(self._source, notes=self._source.notes + (f"part {i} of {self.n_parts}",))
                parts.append(part)
            self._parts = parts
        return list(self._parts)

    def simplify(self, tolerance_m: float) -> AOI:
        """A smaller footprint: vertices closer than ``tolerance_m`` metres to the simplified outline dropped.

        Shapely's Douglas–Peucker simplification (``preserve_topology=True``) in an azimuthal
        equidistant projection centred on the AOI, so the tolerance is in metres on the ground. The
        area may change by at most :data:`MAX_SIMPLIFY_AREA_CHANGE` (1 %): a tolerance that changes
        it more is refused. Use it when :meth:`check` reports a request body over a provider's limit.

        >>> import numpy as np
        >>> t = np.linspace(0, 2 * np.pi, 20_000, endpoint=False)
        >>> ring = np.column_stack([10 + 0.1 * np.cos(t), 50 + 0.07 * np.sin(t)])
        >>> aoi = AOI(shapely.Polygon(ring))
        >>> small = aoi.simplify(5)
        >>> aoi.n_vertices, small.n_vertices < 400, abs(small.area_km2 / aoi.area_km2 - 1) < 0.001
        (20001, True, True)

        Raises:
            ValidationError: ``tolerance_m`` not a positive number, or the area would change by more than 1 %.
        """
        if isinstance(tolerance_m, bool) or not isinstance(tolerance_m, (int, float)) \
                or not math.isfinite(tolerance_m) or tolerance_m <= 0:
            raise ValidationError("tolerance_m", "must be a positive number of metres", tolerance_m)
        smaller = AOI(simplified(self._geometry, float(tolerance_m)), name=self._name)
        change = smaller.area_km2 / self.area_km2 - 1.0
        if abs(change) > MAX_SIMPLIFY_AREA_CHANGE:
            raise ValidationError(
                "tolerance_m", f"simplifying by {tolerance_m:g} m changes the area by {change:+.1%} (more than "
                f"{MAX_SIMPLIFY_AREA_CHANGE:.0%}); use a smaller tolerance", tolerance_m)
        smaller._kind = self._kind
        smaller._length_km = self._length_km
        smaller._source = replace(self._source, notes=self._source.notes + (
            f"simplified by {tolerance_m:g} m: {self.n_vertices:,} → {smaller.n_vertices:,} vertices, "
            f"area {change:+.3%}",))
        return smaller

    @property
    def source(self) -> Source:
        """What the AOI was read from: input, CRS, layers used, features used and left out, notes.

        >>> print(AOI({"type": "Point", "coordinates": [370.0, 50.0]}).source)
        GeoJSON: 1 point (5×5 km square); longitudes moved by -360° (whole turns)
        """
        return self._source

    @property
    def report(self) -> str:
        """:attr:`source` as one line of text (also shown in the repr when something was left out)."""
        return str(self._source)

    # ----------------------------------------------------------------------------------- exports
    @property
    def __geo_interface__(self) -> dict[str, Any]:
        # Built once: payloads and quotes ask for it per request, and mapping() is not free.
        # Each caller gets its own outer dict, so editing it cannot change the AOI.
        if self._mapping is None:
            if self._shared is not None:  # made in a batch: built for the whole batch at once
                shared, k = self._shared
                self._mapping, self._shared = shared.get(k), None
            else:
                self._mapping = mapping(self._geometry)
        return dict(self._mapping)

    def to_feature(self) -> dict[str, Any]:
        """A GeoJSON Feature dict with properties ``name``, ``kind`` and ``area_km2``."""
        return {
            "type": "Feature",
            "geometry": _listify(self.__geo_interface__),
            "properties": {"name": self._name, "kind": self._kind, "area_km2": round(self.area_km2, 6)},
        }

    def to_geojson(self, **dumps_kwargs: Any) -> str:
        """The Feature of :meth:`to_feature` as JSON text.

        >>> json.loads(AOI.from_bounds(0, 0, 0.1, 0.1).to_geojson())["properties"]["kind"]
        'polygon'
        """
        return json.dumps(self.to_feature(), **dumps_kwargs)

    def to_gdf(self) -> Any:
        """A one-row GeoDataFrame in EPSG:4326 with columns ``name``, ``kind``, ``area_km2``, ``geometry``."""
        import geopandas

        return geopandas.GeoDataFrame(
            {"name": [self._name], "kind": [self._kind], "area_km2": [self.area_km2]},
            geometry=[self._geometry],
            crs="EPSG:4326",
        )

    # ---------------------------------------------------------------------------------- dunder
    def __repr__(self) -> str:
        w, s, e, n = self.bounds
        named = f", name={self._name!r}" if self._name else ""
        said = f", source={str(self._source)!r}" if self._source.noteworthy else ""
        return (
            f"AOI({self._kind}, {self.area_km2:.2f} km², bounds=({w:.5f}, {s:.5f}, {e:.5f}, {n:.5f}){named}{said})"
        )

    def _repr_html_(self) -> str:
        w, s, e, n = self.bounds
        rows = [
            ("kind", self._kind),
            ("area", f"{self.area_km2:,.2f} km²"),
            ("bounds (W, S, E, N)", f"{w:.5f}, {s:.5f}, {e:.5f}, {n:.5f}"),
            ("vertices", f"{self.n_vertices:,}"),
            ("parts", str(self.n_parts)),
            ("source", str(self._source)),
        ]
        if self._length_km is not None:
            rows.insert(2, ("length", f"{self._length_km:.2f} km"))
        title = html.escape(self._name) if self._name else "AOI"
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table class='pixorder-aoi'><caption>{title}</caption>{body}</table>"

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        # A copy or pickle of an AOI made in a batch carries its own data, never the whole batch's.
        state = {slot: getattr(self, slot) for slot in AOI.__slots__ if hasattr(self, slot)}
        state["_shared"] = None
        return None, state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AOI):
            return NotImplemented
        return bool(self._geometry.equals(other._geometry))

    def __hash__(self) -> int:
        return hash(tuple(round(v, 9) for v in self.bounds))



def _mappings(geoms: Any) -> list[dict[str, Any]]:
    """``shapely.geometry.mapping`` of many (Multi)Polygons at once: the same dicts, tuples and floats.

    Other geometry types are left to ``mapping`` one by one.
    """
    geoms = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(geoms)
    polygonal = ((types == 3) | (types == 6)) & ~shapely.is_empty(geoms)
    out: list[dict[str, Any]] = [{} for _ in range(len(geoms))]
    for k in np.flatnonzero(~polygonal).tolist():
        out[k] = mapping(geoms[k])
    at = np.flatnonzero(polygonal)
    simple = bool(np.all(types[at] == 3)) and not shapely.get_num_interior_rings(geoms[at]).any()
    if simple:  # one ring each: no copies of parts or rings needed
        xy = shapely.get_coordinates(geoms[at])
        ends = np.cumsum(shapely.get_num_coordinates(geoms[at])).tolist()
    else:
        parts, part_owner = shapely.get_parts(geoms[at], return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        xy = shapely.get_coordinates(rings)
        ends = np.cumsum(shapely.get_num_coordinates(rings)).tolist()
    points = list(zip(xy[:, 0].tolist(), xy[:, 1].tolist()))
    ring_tuples = [tuple(points[s:e]) for s, e in zip([0, *ends[:-1]], ends)]
    if simple:
        for k, ring in zip(at.tolist(), ring_tuples):
            out[k] = {"type": "Polygon", "coordinates": (ring,)}
        return out
    part_rings: list[list[Any]] = [[] for _ in range(len(part_owner))]
    for p, ring in zip(ring_part.tolist(), ring_tuples):
        part_rings[p].append(ring)
    geom_parts: list[list[Any]] = [[] for _ in range(len(at))]
    for g, one in zip(part_owner.tolist(), part_rings):
        geom_parts[g].append(tuple(one))
    for k, g, kind in zip(at.tolist(), geom_parts, types[at].tolist()):
        out[k] = {"type": "Polygon", "coordinates": g[0]} if kind == 3 else \
            {"type": "MultiPolygon", "coordinates": g}  # a list, as shapely has it
    return out


class _SharedMappings:
    """The GeoJSON mappings of one batch's AOIs, built ``BLOCK`` at a time: all of a block's when the
    first of them is asked for (one vectorised pass each), not all 10,000 before a first payload."""

    __slots__ = ("_geoms", "_blocks")

    #: AOIs whose mappings are built together
    BLOCK = 1024

    def __init__(self, geoms: Any):
        self._geoms = geoms
        self._blocks: dict[int, list[dict[str, Any]]] = {}

    def get(self, k: int) -> dict[str, Any]:
        block, at = divmod(k, self.BLOCK)
        if block not in self._blocks:
            # Thousands of coordinate tuples, none of them in a cycle: the collector's passes over
            # them would cost a third of the time.
            with collector.paused():
                self._blocks[block] = _mappings(self._geoms[block * self.BLOCK:(block + 1) * self.BLOCK])
        return self._blocks[block][at]


def _listify(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        return [_listify(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: _listify(v) for k, v in obj.items()}
    return obj


def as_aoi(value: Any, **options: Any) -> AOI:
    """``value`` as an :class:`~pixorder.aoi.AOI`: an AOI is returned as is (when no option is given),
    anything else is read by ``AOI(value, **options)``. The single entry point every part of pixorder
    uses (``TaskingRequest(aoi=...)``, ``compare()``, the map's upload, the CLI).

    >>> as_aoi("POINT (10 50)").kind
    'point'
    """
    if isinstance(value, AOI) and not options:
        return value
    return AOI(value, **options)


def as_aois(value: Any, **options: Any) -> list[AOI]:
    """Several AOIs: one per item of a list or tuple, one per row of a GeoDataFrame or GeoSeries (in
    its own CRS), one per feature of a file (:func:`file_aois`: a file of fields is read as its
    fields, as the same file read with geopandas would be), else the one AOI of :func:`as_aoi`.

    Each item is read as :func:`as_aoi` reads it alone (a row as ``as_aoi(series.iloc[[i]])``), with
    the same geometry, area and :attr:`~AOI.source`. Plain shapes (GeoJSON Point, LineString and
    Polygon dicts or Features, shapely geometries, WKT, frame rows) are read and built all at once
    (:mod:`pixorder.aoi.batch`: 10,000 in about 0.2 s, their areas already measured); any other item,
    and every item when an option is given, is read alone.

    Args:
        value: a list or tuple of anything :class:`AOI` accepts, a GeoDataFrame or GeoSeries, or one input.
        **options: ``crs``, ``repair``, ``name``, ``layer``, ``points`` as for :class:`AOI`, for every item.

    Returns:
        One :class:`AOI` per item or row, in order (an AOI given is returned as is).

    Raises:
        ValidationError: an empty list or frame (field ``aoi_or_aois``), or the first item that is no
            AOI: the error :class:`AOI` gives for it, its field prefixed by the item's position
            (``aoi_or_aois[2].geometry.coordinates``).

    >>> [round(a.area_km2, 1) for a in as_aois(["POINT (10 50)", "POINT (11 50)"])]
    [25.0, 25.0]
    >>> as_aois([{"type": "Point", "coordinates": [10, 50]}, {"type": "Point", "coordinates": [10, 95]}])
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: aoi_or_aois[1].geometry.coordinates: latitude must be within [-90, 90] (got 95.0)
    """
    if _is_file(value):
        return file_aois(value, **options)
    # Thousands of shapes, coordinate tuples and AOIs, none in a cycle: built with the collector paused.
    with collector.paused():
        if is_geopandas(value):
            series = value.geometry if hasattr(value, "columns") else value
            if not len(series):
                raise ValidationError("aoi_or_aois", "must hold at least one AOI", type(value).__name__)
            rows: list[Built | None] = [None] * len(series) if options else build_series(series)
            return _made(rows, lambda i: series.iloc[[i]], options)
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValidationError("aoi_or_aois", "must hold at least one AOI", value)
            items: list[Built | None] = [None] * len(value) if options else build_many(value)
            return _made(items, value.__getitem__, options)
        return [as_aoi(value, **options)]


def _is_file(value: Any) -> bool:
    """A path (str or ``os.PathLike``) to an existing file, not WKT or GeoJSON text."""
    if isinstance(value, os.PathLike) or (isinstance(value, str) and len(value) < 4096 and "\n" not in value):
        try:
            return Path(value).is_file()
        except (OSError, ValueError):
            return False
    return False


def file_aois(path: Any, *, crs: Any = None, layer: str | int | None = None, points: PointsPolicy = "auto",
              repair: bool = False, name: str | None = None) -> list[AOI]:
    """One AOI per feature of a file (GeoJSON, GeoPackage, zipped Shapefile, KML, KMZ), as the desk and a
    GeoDataFrame read it: two fields in one file are two AOIs (a multi-part feature stays one).

    The file is read once, by the reader ``AOI(path)`` uses (its CRS rules and messages); points beside
    polygons (a Google Earth label pin, sample points) are left out as ``AOI`` leaves them out. A file of
    one feature is ``AOI(path)`` itself (its name and source report).

    Args:
        path: the file (str or ``pathlib.Path``).
        crs, layer, points, repair: as for :class:`AOI`.
        name: a name for the AOI of a one-feature file (default: its feature's or the file's).

    Returns:
        One AOI per feature, each named by the feature's label (its ``name`` column or property) or
        ``"<file stem> <n>"``; a one-feature file gives the one AOI of ``AOI(path)``.

    Raises:
        ValidationError: what ``AOI(path)`` raises for the file; a feature that is no AOI alone (its
            field prefixed by ``<file name> feature <n>``).

    >>> import json, tempfile
    >>> two = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"name": "north"}, "geometry": {"type": "Point", "coordinates": [5, 52]}},
    ...     {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [6, 52]}}]}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "fields.geojson"
    ...     _ = path.write_text(json.dumps(two))
    ...     [(a.name, round(a.area_km2)) for a in file_aois(path)]
    [('north', 25), ('fields 2', 25)]
    """
    from pixorder.aoi.coerce import _from_file

    features, *_ = _from_file(Path(path), crs, layer)
    # Points left out as AOI() leaves them out of a file (coerce's points policy, feature by feature
    # here, since that policy splits multi-part features): "auto" beside polygons, "drop" beside anything.
    polygonal = any(g.geom_type in ("Polygon", "MultiPolygon") for g, _, _ in features)
    other = any(g.geom_type not in ("Point", "MultiPoint") for g, _, _ in features)
    if (points == "auto" and polygonal) or (points == "drop" and other):
        features = [f for f in features if f[0].geom_type not in ("Point", "MultiPoint")]
    if len(features) <= 1:
        return [AOI(path, crs=crs, layer=layer, points=points, repair=repair, name=name)]
    stem = Path(path).stem
    aois = []
    for i, (geometry, label, _) in enumerate(features):
        try:
            aois.append(AOI(geometry, repair=repair, name=label or f"{stem} {i + 1}"))
        except ValidationError as exc:
            raise ValidationError(f"{Path(path).name} feature {i + 1}.{exc.field}", exc.rule, exc.value) from None
    return aois


def _made(built: list[Built | None], item: Callable[[int], Any], options: dict[str, Any]) -> list[AOI]:
    """The AOIs of a batch: each built one made from its parts, every other item read alone."""
    made = [b for b in built if b is not None]
    shared = _SharedMappings([b.geometry for b in made]) if made else None
    out, k = [], 0
    for i, b in enumerate(built):
        if b is None:
            out.append(_item(i, item(i), options))
            continue
        aoi = AOI._from_checked(*b)
        aoi._shared = (shared, k)  # type: ignore[assignment]
        k += 1
        out.append(aoi)
    return out


def _item(i: int, value: Any, options: dict[str, Any]) -> AOI:
    """Item ``i`` read alone; its ValidationError names its position."""
    try:
        return as_aoi(value, **options)
    except ValidationError as exc:
        error = ValidationError(f"aoi_or_aois[{i}].{exc.field}", exc.rule, exc.value)
        error.args = (f"aoi_or_aois[{i}].{exc}",)  # the single message, word for word, behind the position
        raise error from exc
