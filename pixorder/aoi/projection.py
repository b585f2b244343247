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
    try:
        return pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise ValidationError("crs", f"unknown CRS ({exc})", crs) from None


def crs_or_wgs84(crs: Any) -> pyproj.CRS:
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
    geom = shapely.force_2d(geom)
    check_finite(geom)
    transformer = _to_wgs84(crs)
    if transformer is None:
        return geom
    out = shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    if not np.isfinite(shapely.get_coordinates(out)).all():
        raise ValidationError("crs", f"coordinates lie outside what {crs.name} can convert to EPSG:4326")
    return out


def local_projection(proj: str, lon: float, lat: float) -> pyproj.Transformer:
    """Lon/lat degrees ⇄ metres in a ``proj`` projection (``tmerc``, ``aeqd``) centred on (lon, lat)."""
    lon = (lon + 180.0) % 360.0 - 180.0
    scale = " +k=1" if proj == "tmerc" else ""
    return pyproj.Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj={proj} +lat_0={lat:.10f} +lon_0={lon:.10f}{scale} +x_0=0 +y_0=0 +ellps=WGS84"
    )


def project(
    geom: BaseGeometry, transformer: pyproj.Transformer, *, inverse: bool = False, lon_near: float = 0.0
) -> BaseGeometry:
    """Lon/lat → local metres, or back (``inverse``) with longitudes kept continuous near ``lon_near``."""
    if inverse:

        def fn(xy: np.ndarray) -> np.ndarray:
            lon, lat = transformer.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
            return np.column_stack([lon_near + (np.asarray(lon) - lon_near + 180.0) % 360.0 - 180.0, lat])
    else:

        def fn(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geom, fn)



def check_finite(geom: BaseGeometry) -> None:
    xy = shapely.get_coordinates(geom)
    bad = ~np.isfinite(xy)
    if bad.any():
        row = xy[np.nonzero(bad.any(axis=1))[0][0]]
        raise ValidationError(
            "geometry.coordinates", "coordinates must be finite numbers, not NaN or infinity", row.tolist()
        )
