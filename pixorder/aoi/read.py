"""Files: GeoJSON, KML, KMZ, zipped Shapefile and GeoPackage, read layer by layer with their CRS.

GeoJSON is parsed here (the same code as GeoJSON dicts and text, so a file and its text give the
same AOI); the other formats are read by GDAL through pyogrio, imported only when such a file is read.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from pixorder.aoi.geojson import column_labels
from pixorder.errors import ValidationError

__all__ = ["FILE_TYPES", "FileContent", "read_file"]

FILE_TYPES = {".geojson", ".json", ".gpkg", ".kml", ".kmz", ".shp", ".zip"}


@dataclass
class FileContent:
    """What a file holds: each feature ``(geometry, label, layer)`` in the file's coordinates, and its CRS.

    ``crs`` is the CRS the file declares (None when it declares none, e.g. a Shapefile without its
    ``.prj``); ``skipped_layers`` names layers left out and why; ``layers`` the layers features were
    read from; ``obj`` is the parsed GeoJSON, if any; ``missing_prj`` says a Shapefile came without
    its ``.prj``.

    >>> import json, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "well.geojson"
    ...     _ = path.write_text(json.dumps({"type": "Point", "coordinates": [10, 50]}))
    ...     content = read_file(path)
    >>> content.features, content.crs, content.layers
    ([(<POINT (10 50)>, None, None)], None, [])
    """

    features: list[tuple[BaseGeometry, str | None, str | None]] = field(default_factory=list)
    crs: Any = None
    skipped_layers: list[str] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    obj: Any = None
    missing_prj: bool = False


def read_file(path: Path, layer: str | int | None = None) -> FileContent:
    """Read every feature of ``path`` (or of its ``layer``), in the file's own coordinates and CRS.

    GeoJSON is parsed by :mod:`pixorder.aoi.geojson`; GeoPackage, zipped Shapefile, KML and KMZ by GDAL
    (pyogrio, imported here). Layers without features, and tables without geometry, are left out and
    named in ``skipped_layers``; a feature's label comes from its ``name`` (or ``Name``, ``NAME``,
    ``title``, ``label``) column.

    Args:
        path: the file (``.geojson``, ``.json``, ``.gpkg``, ``.kml``, ``.kmz``, ``.shp`` or a zipped
            Shapefile ``.zip``).
        layer: the one layer to read, by name or position among the file's layers with geometry.

    Returns:
        A :class:`FileContent`: each feature's (geometry, label, layer) and the CRS the file declares.

    Raises:
        ValidationError: ``path`` for a file that is missing, a folder, of another type, unreadable
            or without features; ``layer`` for a layer the file does not have (naming those it has);
            ``geometry`` or ``geometry.coordinates`` for GeoJSON that is no AOI.

    >>> import json, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "well.geojson"
    ...     _ = path.write_text(json.dumps({"type": "Feature", "properties": {"name": "well"},
    ...                                     "geometry": {"type": "Point", "coordinates": [10, 50]}}))
    ...     print(read_file(path).features)
    [(<POINT (10 50)>, 'well', None)]
    >>> read_file(Path("no-such-field.geojson"))
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: path: file not found (got 'no-such-field.geojson')
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ValidationError("path", "file not found", str(path))
    if path.is_dir():
        raise ValidationError("path", "is a folder; give the file itself (a zipped Shapefile, ...)", str(path))
    suffix = path.suffix.lower()
    if suffix not in FILE_TYPES:
        raise ValidationError(
            "path",
            f"unsupported file type {suffix or path.name!r}: use GeoJSON, GeoPackage, a zipped Shapefile, KML or KMZ",
            str(path),
        )
    if suffix in (".geojson", ".json"):
        return _read_geojson(path)
    sources = [str(path)]
    missing_prj = suffix == ".shp" and not path.with_suffix(".prj").exists()
    if suffix in (".zip", ".kmz"):
        wanted = ".shp" if suffix == ".zip" else ".kml"
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise ValidationError("path", f"not a readable zip archive ({exc})", str(path)) from None
        members = [n for n in names if n.lower().endswith(wanted) and not n.startswith("__MACOSX/")]
        if not members:
            raise ValidationError("path", f"the zip archive holds no {wanted} file", str(path))
        if suffix == ".kmz":
            # Google Earth writes doc.kml first; other .kml members are overlays it links to.
            members = [n for n in members if n.lower().endswith("doc.kml")] or members[:1]
        else:
            lower = {n.lower() for n in names}
            missing_prj = any(m[:-4].lower() + ".prj" not in lower for m in members)
        sources = [f"/vsizip/{path.resolve().as_posix()}/{member}" for member in members]

    import pyogrio

    content = FileContent(missing_prj=missing_prj)
    crses = []
    for source in sources:
        try:
            listed = [(str(n), t) for n, t in pyogrio.list_layers(source)]
        except Exception as exc:  # pyogrio/GDAL raise many kinds; all mean the same to the user
            raise ValidationError("path", f"cannot read {path.name}: {exc}", str(path)) from None
        spatial = [n for n, t in listed if t is not None]
        for name, kind in listed:
            if kind is None:
                why = "QGIS styles" if name == "layer_styles" else "no geometry"
                content.skipped_layers.append(f"table {name!r} ({why})")
        if layer is not None:
            chosen = _choose_layer(layer, spatial, path)
            content.skipped_layers += [f"layer {n!r} (not the layer asked for)" for n in spatial if n != chosen]
            spatial = [chosen]
        for name in spatial:
            try:
                frame = pyogrio.read_dataframe(source, layer=name)
            except Exception as exc:
                raise ValidationError("path", f"cannot read {path.name}: {exc}", str(path)) from None
            if not len(frame):
                continue
            content.layers.append(name)
            crses.append(frame.crs)
            labels = column_labels(frame)
            for geom, label in zip(np.asarray(frame.geometry.values, dtype=object), labels):
                if geom is not None and not geom.is_empty:
                    content.features.append((geom, label, name))
    if not content.features:
        raise ValidationError("path", "the file has no features with a geometry", str(path))
    known = [c for c in crses if c is not None]
    content.crs = known[0] if known else None
    return content


def _choose_layer(layer: str | int, spatial: list[str], path: Path) -> str:
    if isinstance(layer, int) and not isinstance(layer, bool) and 0 <= layer < len(spatial):
        return spatial[layer]
    if isinstance(layer, str) and layer in spatial:
        return layer
    raise ValidationError("layer", f"{path.name} has no layer {layer!r}; its layers: {', '.join(spatial)}", layer)


def _read_geojson(path: Path) -> FileContent:
    try:
        obj = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError("path", f"{path.name} is not valid GeoJSON ({exc})", str(path)) from None
    from pixorder.aoi.geojson import crs_member, feature_label, features

    items = features(obj)
    content = FileContent(crs=crs_member(obj) if isinstance(obj, dict) else None, obj=obj)
    content.features = [(g, feature_label(props), None) for g, props in items]
    return content


def looks_like_lonlat(geoms: list[BaseGeometry]) -> bool:
    """Whether every coordinate could be a longitude (±540°, Leaflet's wrapped count) and a latitude.

    Args:
        geoms: shapely geometries in a file's coordinates.

    Returns:
        True when there are coordinates and each has ``|x| <= 540`` and ``|y| <= 90`` (degrees).

    >>> looks_like_lonlat([shapely.Point(370, 50)]), looks_like_lonlat([shapely.Point(500_000, 5_000_000)])
    (True, False)
    """
    xy = np.concatenate([shapely.get_coordinates(g) for g in geoms]) if geoms else np.zeros((0, 2))
    return bool(len(xy)) and bool(np.all(np.abs(xy[:, 0]) <= 540) and np.all(np.abs(xy[:, 1]) <= 90))
