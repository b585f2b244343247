"""The one way in: anything that names a shape (GeoJSON, shapely, WKT, frames, files) to lon/lat shapely.

:func:`load` reads an input into geometries in EPSG:4326 and a :class:`Source` saying what was used;
:func:`~pixorder.aoi.core.as_aoi` and :func:`~pixorder.aoi.core.as_aois` (built on it) are what ``AOI``, ``TaskingRequest``, ``compare()``, the widgets
and the CLI call, so each accepts exactly the same inputs.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from pixorder.aoi import geojson
from pixorder.aoi.projection import WGS84, crs_or_wgs84, parse_crs, reproject
from pixorder.aoi.shapes import flatten
from pixorder.errors import ValidationError, shorten

__all__ = ["Loaded", "PointsPolicy", "Source", "describe_types", "is_geopandas", "load"]

PointsPolicy = Literal["auto", "keep", "drop"]

_WKT_START = re.compile(
    r"^(SRID=\d+\s*;\s*)?(POINT|LINESTRING|LINEARRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON"
    r"|GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
_KINDS = {"Point": ("point", "points", " (5×5 km squares)", " (5×5 km square)"),
          "LineString": ("line", "lines", " (5 km strips)", " (5 km strip)"),
          "Polygon": ("polygon", "polygons", "", "")}


@dataclass(frozen=True)
class Source:
    """What an AOI was read from, and what of it was used or left out.

    ``input`` names the input (``"file field.kml"``, ``"GeoJSON"``, ``"GeoDataFrame"``, ...), ``crs``
    the CRS its coordinates were read in, ``layers`` the layers used (files), ``used`` what made the
    AOI, ``left_out`` what did not (with why), ``notes`` anything else changed on the way in (CRS
    assumed, longitudes moved by whole turns, ...). ``str()`` gives one readable line.

    >>> str(Source("file pins.kml", layers=("Fields",), used=("1 polygon",), left_out=("1 point 'label'",)))
    "file pins.kml, layer 'Fields': 1 polygon; left out 1 point 'label'"
    """

    input: str
    crs: str = "EPSG:4326"
    layers: tuple[str, ...] = ()
    used: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def noteworthy(self) -> bool:
        """Whether anything was left out or changed on the way in (then the AOI's repr shows it)."""
        return bool(self.left_out or self.notes)

    def __str__(self) -> str:
        text = self.input
        if self.layers:
            text += ", layer" + ("s " if len(self.layers) > 1 else " ") + ", ".join(repr(n) for n in self.layers)
        if self.crs != "EPSG:4326":
            text += f" (in {self.crs})"
        text += ": " + (", ".join(self.used) or "nothing")
        if self.left_out:
            text += "; left out " + ", ".join(self.left_out)
        if self.notes:
            text += "; " + "; ".join(self.notes)
        return text


@dataclass
class Loaded:
    """What :func:`load` read: geometries in EPSG:4326, a default name, the report.

    ``geometries`` holds one shapely geometry per feature kept, in longitude, latitude (degrees), not yet
    squared, stripped or merged (multi-part geometries split into their parts); ``name`` is a single
    Feature's ``name`` property or a file's stem (else None); ``source`` says what was used and left
    out; ``kinds`` gives each geometry's type (``"Point"``, ``"LineString"``, ``"Polygon"``).

    >>> loaded = load("MULTIPOINT ((10 50), (10.1 50))")
    >>> [g.wkt for g in loaded.geometries], loaded.kinds, str(loaded.source)
    (['POINT (10 50)', 'POINT (10.1 50)'], ['Point', 'Point'], 'WKT: 2 points (5×5 km squares)')
    """

    geometries: list[BaseGeometry]
    name: str | None
    source: Source
    kinds: list[str] = field(default_factory=list)


def load(source: Any, *, crs: Any = None, layer: str | int | None = None,
         points: PointsPolicy = "auto") -> Loaded:
    """Read any accepted input into lon/lat geometries and a :class:`Source` report.

    ``points``: ``"auto"`` leaves out points beside polygons in *files* (a Google Earth label pin, a
    GeoPackage's sample points) and keeps them elsewhere (a marker drawn next to a polygon on the map
    is meant); ``"keep"`` always keeps them (each becomes a 5×5 km square); ``"drop"`` always leaves
    them out when there is anything else.

    Args:
        source: GeoJSON (dict or text; geometry, Feature or FeatureCollection), a shapely geometry,
            anything with ``__geo_interface__``, a GeoDataFrame or GeoSeries, WKT or EWKT, KML text, or
            a path to a GeoJSON, GeoPackage, zipped Shapefile, KML or KMZ file.
        crs: the CRS of the coordinates when the input carries none (default: longitude, latitude).
        layer: a file's layer, by name or position (files only).
        points: ``"auto"``, ``"keep"`` or ``"drop"``, as above.

    Returns:
        A :class:`Loaded`: geometries in EPSG:4326 (degrees), a default name, the :class:`Source` report.

    Raises:
        ValidationError: ``geometry``, ``path``, ``crs``, ``layer`` or ``points`` naming the rule broken.

    >>> loaded = load({"type": "Feature", "geometry": {"type": "Point", "coordinates": [10, 50]},
    ...                "properties": {"name": "well"}})
    >>> [g.wkt for g in loaded.geometries], loaded.name, str(loaded.source)
    (['POINT (10 50)'], 'well', 'GeoJSON: 1 point (5×5 km square)')
    >>> [g.wkt for g in load("SRID=3857;POINT (1113194.9 6446275.8)").geometries]
    ['POINT (9.999999928739022 49.99999976315628)']
    >>> load(None)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: geometry: an AOI needs a geometry, a file or a GeoDataFrame
    """
    if points not in ("auto", "keep", "drop"):
        raise ValidationError("points", "must be 'auto', 'keep' or 'drop'", points)
    if layer is not None and not _is_path(source) and not (isinstance(source, str) and source.lstrip().startswith("<")):
        raise ValidationError("layer", "only a file has layers", layer)
    if source is None:
        raise ValidationError("geometry", "an AOI needs a geometry, a file or a GeoDataFrame", source)
    from_file = False
    name = None
    layers: tuple[str, ...] = ()
    notes: list[str] = []
    left_layers: list[str] = []
    if is_geopandas(source):
        features, crs_used = _from_geopandas(source, crs)
        what = type(source).__name__
    elif _is_path(source):
        path = Path(source).expanduser()
        features, crs_used, layers, left_layers, notes = _from_file(path, crs, layer)
        what, name, from_file = f"file {path.name}", path.stem, True
    elif isinstance(source, str):
        text = source.strip()
        if text.startswith("{"):
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValidationError("geometry", f"not valid GeoJSON text: {exc.msg}", shorten(text, 60)) from None
            features, crs_used, name = _from_geojson(obj, crs)
            what = "GeoJSON text"
        elif text.startswith("<"):
            # KML as Google Earth copies it to the clipboard: read the way a .kml file is (one path).
            if "<kml" not in text[:2000]:
                raise ValidationError("geometry", "XML text must be KML (a <kml> document)", shorten(text, 60))
            import tempfile

            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "clipboard.kml"
                path.write_text(text, encoding="utf-8")
                features, crs_used, layers, left_layers, notes = _from_file(path, crs, layer)
            what, from_file = "KML text", True
        else:
            features, crs_used = _from_wkt(text, crs)
            what = "WKT"
    elif isinstance(source, BaseGeometry):
        features, crs_used = _checked([(source, None, None)], crs_or_wgs84(crs), assumed=crs is None,
                                      where=f"the shapely {source.geom_type}")
        what = f"shapely {source.geom_type}"
    elif isinstance(source, Mapping):
        features, crs_used, name = _from_geojson(source, crs)
        what = "GeoJSON"
    else:
        interface = getattr(source, "__geo_interface__", None)
        if not isinstance(interface, Mapping):
            raise ValidationError(
                "geometry", "expected GeoJSON, WKT, a shapely geometry, a GeoDataFrame/GeoSeries or a file path",
                type(source).__name__)
        features, crs_used, name = _from_geojson(interface, crs)
        what = f"__geo_interface__ of {type(source).__name__}"
    kept, left_out = _apply_points_policy(features, points, from_file)
    if layers:  # only the layers something was used from
        layers = tuple(n for n in layers if any(layer == n for _, _, layer in kept))
    return Loaded(
        geometries=[g for g, _, _ in kept],
        name=name,
        source=Source(what, crs_used, layers, _describe(kept), tuple(left_layers + left_out), tuple(notes)),
        kinds=[g.geom_type for g, _, _ in kept],
    )


# ------------------------------------------------------------------------------------------ readers
Feature = tuple[BaseGeometry, "str | None", "str | None"]  # geometry, label, layer


def _is_path(source: Any) -> bool:
    if isinstance(source, os.PathLike):
        return True
    if not isinstance(source, str):
        return False
    text = source.strip()
    if text.startswith(("{", "<")) or _WKT_START.match(text):
        return False
    if not Path(text).expanduser().exists():
        raise ValidationError("path", "file not found, and the text is neither GeoJSON, KML nor WKT", shorten(text, 60))
    return True


def is_geopandas(obj: Any) -> bool:
    """Whether ``obj`` is a GeoDataFrame or GeoSeries, without importing geopandas.

    Args:
        obj: anything.

    Returns:
        True for a GeoDataFrame or GeoSeries (geopandas already imported, as it must be to make one).

    >>> import geopandas, shapely
    >>> is_geopandas(geopandas.GeoSeries([shapely.Point(10, 50)])), is_geopandas({"type": "Point"})
    (True, False)
    """
    gpd = sys.modules.get("geopandas")
    return gpd is not None and isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries))


def _crs_text(crs: pyproj.CRS) -> str:
    if crs.equals(WGS84, ignore_axis_order=True):
        return "EPSG:4326"
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.name


def _clearly_projected(geoms: Sequence[BaseGeometry]) -> np.ndarray | None:
    """A coordinate that cannot be a longitude (±540°) or latitude (±180°, allowing typos), if any."""
    for geom in geoms:
        xy = shapely.get_coordinates(geom)
        finite = np.isfinite(xy).all(axis=1)  # NaN and inf get their own error ("finite") later
        bad = finite & ((np.abs(xy[:, 0]) > 540) | (np.abs(xy[:, 1]) > 180))
        if bad.any():
            return xy[np.argmax(bad)]
    return None


def _no_crs_error(where: str, sample: np.ndarray, extra: str = "") -> ValidationError:
    x, y = (float(v) for v in sample)
    return ValidationError(
        "crs",
        f"{where} has no CRS{extra} and its coordinates (e.g. {x:.2f}, {y:.2f}) are not longitude/latitude: "
        "give the CRS with crs='EPSG:…' (e.g. AOI(path, crs='EPSG:32632'), or the upload's CRS field)",
    )


def _degrees_only(geoms: Sequence[BaseGeometry]) -> np.ndarray | None:
    """A coordinate of ``geoms`` when every one of them is a longitude/latitude pair, else None."""
    xy = np.concatenate([shapely.get_coordinates(g) for g in geoms]) if geoms else np.empty((0, 2))
    if len(xy) and (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all():
        return xy[0]
    return None


def _checked(features: list[Feature], crs: pyproj.CRS, *, assumed: bool = False, given: bool = False,
             where: str = "the input") -> tuple[list[Feature], str]:
    if assumed:
        sample = _clearly_projected([g for g, _, _ in features])
        if sample is not None:
            raise _no_crs_error(where, sample)
    if given and crs.is_projected:  # crs= for data without one of its own: metres, surely?
        sample = _degrees_only([g for g, _, _ in features])
        if sample is not None:
            x, y = (float(v) for v in sample)
            raise ValidationError(
                "crs", f"{where}'s coordinates (e.g. {x:.4f}, {y:.4f}) are longitude/latitude, not "
                       f"{_crs_text(crs)} metres (read so, the AOI would be a speck near the projection's "
                       "origin): leave crs out (GeoJSON without a crs member is EPSG:4326)", _crs_text(crs))
    return [(reproject(g, crs), label, layer) for g, label, layer in features], _crs_text(crs)


def _from_geojson(obj: Any, crs: Any) -> tuple[list[Feature], str, str | None]:
    declared = geojson.crs_member(obj) if isinstance(obj, Mapping) else None
    chosen = crs if crs is not None else declared
    items: list[Feature] = [(g, geojson.feature_label(props), None) for g, props in geojson.features(obj)]
    name = geojson.feature_name(obj) if isinstance(obj, Mapping) else None
    features, used = _checked(items, crs_or_wgs84(chosen), assumed=chosen is None, where="the GeoJSON",
                              given=crs is not None and declared is None)
    return features, used, name


def _from_wkt(text: str, crs: Any) -> tuple[list[Feature], str]:
    wkt = _WKT_START.match(text)
    assert wkt is not None  # _is_path sent everything else to the file reader
    srid = re.search(r"\d+", wkt.group(1) or "")
    if crs is None and srid:  # EWKT: SRID=3857;POLYGON(...)
        crs = f"EPSG:{srid.group(0)}"
    try:
        geom = shapely.from_wkt(text[len(wkt.group(1) or "") :] if wkt.group(1) else text)
    except shapely.errors.ShapelyError as exc:
        raise ValidationError("geometry", f"not valid WKT: {exc}", shorten(text, 60)) from None
    return _checked([(geom, None, None)], crs_or_wgs84(crs), assumed=crs is None, where="the WKT",
                    given=crs is not None and not srid)


def _from_geopandas(obj: Any, crs: Any) -> tuple[list[Feature], str]:
    series = obj.geometry if hasattr(obj, "columns") else obj
    if series.crs is not None:
        if crs is not None and not parse_crs(crs).equals(series.crs, ignore_axis_order=True):
            raise ValidationError("crs", f"the data is already in {series.crs.to_string()}", crs)
        source_crs = pyproj.CRS.from_user_input(series.crs)
    else:
        source_crs = crs_or_wgs84(crs)
    labels = geojson.column_labels(obj) if hasattr(obj, "columns") else [None] * len(series)
    items: list[Feature] = [(g, label, None) for g, label in zip(np.asarray(series.values, dtype=object), labels)
             if g is not None and not g.is_empty]
    if not items:
        raise ValidationError("geometry", f"the {type(obj).__name__} has no features with a geometry")
    return _checked(items, source_crs, assumed=series.crs is None and crs is None,
                    given=series.crs is None and crs is not None, where=f"the {type(obj).__name__}")


def _from_file(path: Path, crs: Any, layer: Any) -> tuple[list[Feature], str, tuple[str, ...], list[str], list[str]]:
    from pixorder.aoi.read import read_file

    content = read_file(path, layer)
    notes: list[str] = []
    declared = content.crs
    if content.obj is not None and isinstance(declared, str) and crs is None:
        features, used = _checked(content.features, parse_crs(declared))
    elif declared is not None:
        if crs is not None and not parse_crs(crs).equals(pyproj.CRS.from_user_input(declared),
                                                         ignore_axis_order=True):
            raise ValidationError("crs", f"{path.name} is already in {_crs_text(pyproj.CRS.from_user_input(declared))}",
                                  crs)
        features, used = _checked(content.features, pyproj.CRS.from_user_input(declared))
    elif crs is not None:
        features, used = _checked(content.features, parse_crs(crs), given=True, where=path.name)
    else:
        sample = _clearly_projected([g for g, _, _ in content.features])
        shapefile = path.suffix.lower() in (".zip", ".shp")
        if sample is not None:
            extra = " (the Shapefile has no .prj file beside its .shp)" if shapefile and content.missing_prj else ""
            raise _no_crs_error(path.name, sample, extra)
        features, used = _checked(content.features, WGS84)
        if content.obj is None:
            notes.append("no CRS in the file" + (" (no .prj)" if content.missing_prj else "")
                         + ": read as EPSG:4326 (longitude, latitude)")
    return features, used, tuple(content.layers), list(content.skipped_layers), notes


# ------------------------------------------------------------------------------------------ points
def _singles(features: list[Feature]) -> list[Feature]:
    return [(single, label, layer) for geom, label, layer in features for single in flatten([geom])]


def _apply_points_policy(features: list[Feature], points: str, from_file: bool) -> tuple[list[Feature], list[str]]:
    singles = _singles(features)
    drop = points == "drop" or (points == "auto" and from_file)
    has_area = any(g.geom_type == "Polygon" for g, _, _ in singles)
    has_other = any(g.geom_type != "Point" for g, _, _ in singles)
    if not drop or not (has_area if points == "auto" else has_other):
        return singles, []
    kept = [f for f in singles if f[0].geom_type != "Point"]
    dropped = [f for f in singles if f[0].geom_type == "Point"]
    if not dropped:
        return kept, []
    left_out = []
    all_in_layer = {f[2] for f in dropped if f[2] is not None and all(k[2] != f[2] for k in kept)}
    for layer in sorted(all_in_layer):
        n = sum(1 for f in dropped if f[2] == layer)
        left_out.append(f"layer {layer!r} ({n} point{'s' if n > 1 else ''})")
    rest = [f for f in dropped if f[2] not in all_in_layer]
    if rest:
        labels = [repr(label) for _, label, _ in rest if label]
        named = f" ({', '.join(labels[:3])}{', …' if len(labels) > 3 else ''})" if labels else ""
        left_out.append(f"{len(rest)} point{'s' if len(rest) > 1 else ''}{named} beside the "
                        f"{'polygons' if has_area else 'shapes'}")
    if points == "auto":
        left_out[-1] += " (points='keep' orders each as a 5×5 km square)"
    return kept, left_out


def _describe(features: list[Feature]) -> tuple[str, ...]:
    return describe_types([g.geom_type for g, _, _ in features])


def describe_types(types: Sequence[str]) -> tuple[str, ...]:
    """What a :class:`Source` says was used, from the geometry types of the features kept.

    Args:
        types: one shapely geometry type name (``"Point"``, ``"LineString"``, ``"Polygon"``) per feature.

    Returns:
        One phrase per kind present, e.g. ``("1 point (5×5 km square)", "2 polygons")``.

    >>> describe_types(["Polygon", "Point", "Polygon"])
    ('1 point (5×5 km square)', '2 polygons')
    """
    out = []
    for kind, (one, many, squares, square) in _KINDS.items():
        n = sum(1 for t in types if t == kind)
        if n:
            out.append(f"{n} {one if n == 1 else many}{square if n == 1 else squares}")
    return tuple(out)
