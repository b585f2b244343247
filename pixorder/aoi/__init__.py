"""Areas of interest: any shape or file in, one validated (Multi)Polygon in EPSG:4326 out, with its area.

One job per module: :mod:`~pixorder.aoi.coerce` (the one way in: every input to lon/lat shapes, with
a report of what was used), :mod:`~pixorder.aoi.read` (files and formats), :mod:`~pixorder.aoi.geojson`
(GeoJSON and its ``crs`` member), :mod:`~pixorder.aoi.projection` (CRSs and local projections),
:mod:`~pixorder.aoi.shapes` (points → squares, lines → strips, validity, ±180°, whole turns),
:mod:`~pixorder.aoi.area` (geodesic areas, vectorised), :mod:`~pixorder.aoi.batch` (``as_aois``' batch
path: many plain shapes built at once), :mod:`~pixorder.aoi.rules` (provider rules, ``check()``),
:mod:`~pixorder.aoi.core` (the ``AOI`` class). geopandas and pyogrio are imported only
when a frame or a file is read.
"""

from __future__ import annotations

from pixorder.aoi.area import areas_km2
from pixorder.aoi.coerce import Source
from pixorder.aoi.core import AOI, MAX_SIMPLIFY_AREA_CHANGE, as_aoi, as_aois, file_aois
from pixorder.aoi.rules import MAX_BODY_BYTES, MIN_BILLED_AREA_KM2, PROVIDERS, RuleCheck

__all__ = [
    "AOI",
    "MAX_BODY_BYTES",
    "MAX_SIMPLIFY_AREA_CHANGE",
    "MIN_BILLED_AREA_KM2",
    "PROVIDERS",
    "RuleCheck",
    "Source",
    "areas_km2",
    "as_aoi",
    "as_aois",
    "file_aois",
]
