"""CRS handling: any CRS to EPSG:4326, and local metric projections centred on a shape."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from pixorder.errors import ValidationError

GEOD = pyproj.Geod(ellps="WGS84")
WGS84 = pyproj.CRS.from_epsg(4326)


def parse_crs(crs: Any) -> pyproj.CRS:
    """``crs`` as a pyproj CRS, from anything pyproj reads (``"EPSG:32632"``, 3857, WKT, a CRS).

    Args:
        crs: the CRS in any form ``pyproj.CRS.from_user_input`` takes.

    Returns:
        The pyproj CRS.

    Raises:
        ValidationError: ``crs`` when pyproj does not know it.

    >>> parse_crs("EPSG:32632").name, parse_crs(3857).to_epsg()
    ('WGS 84 / UTM zone 32N', 3857)
    >>> parse_crs("EPSG:999999")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: crs: unknown CRS (...) (got 'EPSG:999999')
    """
    try:
        return pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise ValidationError("crs", f"unknown CRS ({exc})", crs) from None


def crs_or_wgs84(crs: Any) -> pyproj.CRS:
    """``crs`` parsed as by :func:`parse_crs`, or EPSG:4326 (longitude, latitude) when it is None.

    Args:
        crs: a CRS in any form pyproj reads, or None.

    Returns:
        The pyproj CRS.

    Raises:
        ValidationError: ``crs`` when pyproj does not know it (raised by :func:`parse_crs`).

    >>> crs_or_wgs84(None).to_epsg(), crs_or_wgs84("EPSG:3857").to_epsg()
    (4326, 3857)
    """
    return WGS84 if crs is None else parse_crs(crs)


@functools.lru_cache(maxsize=32)
def _to_wgs84(crs: pyproj.CRS) -> pyproj.Transformer | None:
    if crs.equals(WGS84, ignore_axis_order=True):
        return None
    try:
        return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    except pyproj.exceptions.ProjError as exc:
        raise ValidationError(
            "crs", f"cannot convert {crs.name} to EPSG:4326 ({exc})", crs.to_string()
        ) from None


def reproject(geom: BaseGeometry, crs: pyproj.CRS) -> BaseGeometry:
    """``geom`` from ``crs`` to EPSG:4326 (longitude, latitude in degrees), made 2-D (heights dropped).

    Args:
        geom: a shapely geometry in ``crs``.
        crs: its CRS (EPSG:4326 leaves the coordinates as they are).

    Returns:
        The geometry in longitude, latitude (degrees).

    Raises:
        ValidationError: ``geometry.coordinates`` for a coordinate that is NaN or infinite;
            ``crs`` when ``crs`` cannot be converted to EPSG:4326, or a coordinate lies outside what it
            can convert.

    >>> reproject(shapely.Point(1113194.9, 6446275.8, 12.0), pyproj.CRS(3857))
    <POINT (10 50)>
    """
    geom = shapely.force_2d(geom)
    check_finite(geom)
    transformer = _to_wgs84(crs)
    if transformer is None:
        return geom
    out = shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    if not np.isfinite(shapely.get_coordinates(out)).all():
        raise ValidationError("crs", f"coordinates lie outside what {crs.name} can convert to EPSG:4326")
    return out


def to_wgs84_many(geoms: Any, crs: pyproj.CRS) -> np.ndarray:
    """Many geometries from ``crs`` to EPSG:4326 in one transformation, made 2-D (as :func:`reproject`).

    Unlike :func:`reproject` nothing is checked: a coordinate that is not finite, or that ``crs``
    cannot convert, comes out not finite (``pixorder.aoi.batch`` leaves such a shape to :func:`reproject`).

    Args:
        geoms: a sequence or array of shapely geometries in ``crs``.
        crs: their CRS.

    Returns:
        An object array of the geometries in longitude, latitude (degrees).

    Raises:
        ValidationError: ``crs`` cannot be converted to EPSG:4326 at all.

    >>> [round(v, 6) for v in to_wgs84_many([shapely.Point(1113194.9, 0)], pyproj.CRS(3857))[0].coords[0]]
    [10.0, 0.0]
    """
    geoms = shapely.force_2d(np.asarray(geoms, dtype=object))
    transformer = _to_wgs84(crs)
    if transformer is None:
        return geoms
    return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def local_projection(proj: str, lon: float, lat: float) -> pyproj.Transformer:
    """Lon/lat degrees ⇄ metres in a ``proj`` projection (``tmerc``, ``aeqd``) centred on (lon, lat).

    Args:
        proj: the PROJ projection name: ``"tmerc"`` (transverse Mercator, scale 1 on its central
            meridian) or ``"aeqd"`` (azimuthal equidistant).
        lon: longitude of the centre, degrees (any turn: 370° is 10°).
        lat: latitude of the centre, degrees.

    Returns:
        A pyproj Transformer: forward from lon/lat degrees to easting, northing in metres from the
        centre, ``direction="INVERSE"`` back.

    >>> t = local_projection("tmerc", 10, 50)
    >>> [round(v, 3) for v in t.transform(10.01, 50)]
    [716.958, 0.048]
    """
    lon = (lon + 180.0) % 360.0 - 180.0
    scale = " +k=1" if proj == "tmerc" else ""
    return pyproj.Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj={proj} +lat_0={lat:.10f} +lon_0={lon:.10f}{scale} +x_0=0 +y_0=0 +ellps=WGS84"
    )


def project(
    geom: BaseGeometry, transformer: pyproj.Transformer, *, inverse: bool = False, lon_near: float = 0.0
) -> BaseGeometry:
    """Lon/lat → local metres, or back (``inverse``) with longitudes kept continuous near ``lon_near``.

    Args:
        geom: a shapely geometry, in lon/lat degrees (or in the local metres when ``inverse``).
        transformer: a local projection from :func:`local_projection`.
        inverse: metres back to lon/lat.
        lon_near: longitude (degrees) the results are kept within 180° of, so a shape across ±180°
            stays in one piece (181° rather than -179°).

    Returns:
        The geometry in the local metres, or in lon/lat degrees when ``inverse``.

    >>> east = local_projection("aeqd", 180, 0)
    >>> project(shapely.Point(1000, 0), east, inverse=True, lon_near=180)
    <POINT (180.009 0)>
    """
    if inverse:

        def fn(xy: np.ndarray) -> np.ndarray:
            lon, lat = transformer.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
            return np.column_stack([lon_near + (np.asarray(lon) - lon_near + 180.0) % 360.0 - 180.0, lat])
    else:

        def fn(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geom, fn)


# One transverse Mercator on the WGS84 ellipsoid centred on (0°, 0°). A transverse Mercator centred on
# (lon0, lat0) is this one moved: longitudes less lon0, northings less the northing of lat0 on the
# central meridian. So many shapes, each in its own local metres, are projected in one call.
_TMERC0 = ("+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
           "+step +proj=tmerc +algo=auto +lat_0=0 +lon_0=0 +k=1 +x_0=0 +y_0=0 +ellps=WGS84")


@functools.lru_cache(maxsize=1)
def _tmerc0() -> pyproj.Transformer:
    return pyproj.Transformer.from_pipeline(_TMERC0)


def _northings(lat0: np.ndarray) -> np.ndarray:
    return np.asarray(_tmerc0().transform(np.zeros(len(lat0)), lat0)[1], dtype=float)


def to_local_tmerc(lonlat: np.ndarray, centres: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Lon/lat degrees → metres, each coordinate in the transverse Mercator centred on its own shape.

    Args:
        lonlat: (n, 2) array of longitude, latitude in degrees.
        centres: (m, 2) array of each shape's centre (longitude, latitude) in degrees.
        owner: (n,) integer array: the shape (row of ``centres``) each coordinate belongs to.

    Returns:
        (n, 2) array of easting, northing in metres from the owner's centre.

    >>> xy = to_local_tmerc(np.array([[10.0, 50.0], [10.0, 50.01]]), np.array([[10.0, 50.0]]), np.array([0, 0]))
    >>> xy.round(3).tolist()
    [[0.0, 0.0], [0.0, 1112.292]]
    """
    lonlat = np.asarray(lonlat, dtype=float)
    centres = np.asarray(centres, dtype=float)
    dlon = (lonlat[:, 0] - centres[owner, 0] + 180.0) % 360.0 - 180.0
    x, y = _tmerc0().transform(dlon, lonlat[:, 1])
    return np.column_stack([x, np.asarray(y) - _northings(centres[:, 1])[owner]])


def from_local_tmerc(xy: np.ndarray, centres: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Metres in each shape's own transverse Mercator → lon/lat degrees (the inverse of :func:`to_local_tmerc`).

    Longitudes come out continuous around each centre's longitude (a shape centred at 179.99° may reach
    180.02°), so a shape across ±180° stays one piece until it is split there.

    Args:
        xy: (n, 2) array of easting, northing in metres from the owner's centre.
        centres: (m, 2) array of each shape's centre (longitude, latitude) in degrees.
        owner: (n,) integer array: the shape (row of ``centres``) each coordinate belongs to.

    Returns:
        (n, 2) array of longitude, latitude in degrees.

    >>> from_local_tmerc(np.array([[0.0, 1112.292]]), np.array([[10.0, 50.0]]), np.array([0])).round(6).tolist()
    [[10.0, 50.01]]
    """
    xy = np.asarray(xy, dtype=float)
    centres = np.asarray(centres, dtype=float)
    lam, phi = _tmerc0().transform(xy[:, 0], xy[:, 1] + _northings(centres[:, 1])[owner], direction="INVERSE")
    return np.column_stack([centres[owner, 0] + np.asarray(lam), phi])



def check_finite(geom: BaseGeometry) -> None:
    """Refuse a geometry with a coordinate that is NaN or infinite.

    Args:
        geom: a shapely geometry.

    Raises:
        ValidationError: ``geometry.coordinates``, with the first such coordinate as the value.

    >>> check_finite(shapely.Point(10, 50))
    >>> check_finite(shapely.Point(float("nan"), 1))
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: geometry.coordinates: coordinates must be finite numbers, not NaN or infinity (got [nan, 1.0])
    """
    xy = shapely.get_coordinates(geom)
    bad = ~np.isfinite(xy)
    if bad.any():
        row = xy[np.nonzero(bad.any(axis=1))[0][0]]
        raise ValidationError(
            "geometry.coordinates", "coordinates must be finite numbers, not NaN or infinity", row.tolist()
        )
