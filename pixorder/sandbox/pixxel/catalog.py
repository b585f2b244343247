"""What Pixxel sells: bandsets, and a deterministic archive served as STAC (collections, items, search).

The archive is a global grid of 0.5° cells; each cell is revisited on its own schedule (9–16 days,
own phase) since 2022-07-01, by the technology demonstrators (TD1, TD2: collection ``pixxel-td``)
until 2025-02-01 and by the Fireflies (FF01–FF03: ``pixxel-ff``) after. Scene ids look like Pixxel's
(``TD1_006800_20230528_L2A_20230615_03001067``: satellite, cell, acquisition date, level, processing
date, serial) and encode their footprint, so ordering them needs no catalogue table. Scenes reach
the archive two days after acquisition.

Items follow the official ``cosmos.Item`` schema, including its ``bbox`` given as an array of
*strings* (the spec's own type and example); ``geometry`` is a GeoJSON Polygon; ``assets`` hold the
item's metadata document; ``links`` are ``self``, ``parent``, ``collection`` and ``root``.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box

from ..timeutil import UTC, iso
from .common import hash_of, stable_uuid

# ---------------------------------------------------------------------------------------------
# bandsets
# ---------------------------------------------------------------------------------------------


def _bands(start_nm: float, stop_nm: float, count: int, first: int = 1) -> list[dict[str, Any]]:
    step = (stop_nm - start_nm) / (count - 1)
    return [{"name": f"B{first + i:03d}", "wavelength": round(start_nm + i * step)} for i in range(count)]


def _build_bandsets() -> list[dict[str, Any]]:
    # Fireflies (VNIR, 470–900 nm, 150 bands at ~2.9 nm) and Honeybee-class SWIR (900–2500 nm,
    # ~10 nm); VSWIR is both. The 8-band set mirrors a "custom" subset a user would save.
    vnir = _bands(470, 900, 150)
    swir = _bands(900, 2500, 161)
    vswir = vnir + _bands(910, 2500, 160, first=151)
    custom8 = [{"name": f"B{i:03d}", "wavelength": w} for i, w in
               ((1, 470), (15, 510), (31, 556), (66, 660), (82, 706), (87, 720), (104, 769), (150, 900))]
    # captures: how many captures the bandset needs (official schema: an integer, example 1);
    # VSWIR needs a VNIR and a SWIR capture.
    specs = [
        ("VNIR", "Full VNIR range, 470–900 nm at ~2.9 nm sampling (Fireflies)", 1, vnir),
        ("VNIR-8", "Eight VNIR bands (blue, green, red, red edge, NIR) for agriculture", 1, custom8),
        ("SWIR", "Short-wave infrared, 900–2500 nm at 10 nm sampling (Honeybee)", 1, swir),
        ("VSWIR", "Visible to short-wave infrared, 470–2500 nm (Honeybee)", 2, vswir),
    ]
    return [
        {"id": stable_uuid("bandset", name), "name": name, "description": desc, "captures": captures,
         "image_type": "VNIR" if name.startswith("VNIR") else name, "bands": bands}
        for name, desc, captures, bands in specs
    ]


BANDSETS: list[dict[str, Any]] = _build_bandsets()
_BANDSET_BY_KEY: dict[str, dict[str, Any]] = {
    **{b["id"]: b for b in BANDSETS}, **{b["name"].upper(): b for b in BANDSETS}
}
DEFAULT_BANDSET = BANDSETS[0]


def find_bandset(bandset_id: str) -> dict[str, Any] | None:
    """By id, or leniently by name (``"VNIR"``) since clients often know only the name."""
    return _BANDSET_BY_KEY.get(bandset_id) or _BANDSET_BY_KEY.get(bandset_id.upper())


def bandsets_body() -> dict[str, Any]:
    """``GET /v0/bandsets`` (``clerk.ListBandsets``)."""
    return {"bandsets": [{k: b[k] for k in ("id", "name", "description", "captures", "bands")} for b in BANDSETS]}


# ---------------------------------------------------------------------------------------------
# archive scenes: a deterministic global catalogue on a 0.5° grid
# ---------------------------------------------------------------------------------------------

CELL_DEG = 0.5
GRID_COLS = int(360 / CELL_DEG)
GRID_CELLS = GRID_COLS * int(180 / CELL_DEG)
ARCHIVE_EPOCH = datetime(2022, 7, 1, tzinfo=UTC)  # Pixxel's technology demonstrators flew from 2022
FIREFLY_EPOCH = datetime(2025, 2, 1, tzinfo=UTC)
ARCHIVE_IMAGE_TYPE = "VNIR"
MAX_SEARCH_CELLS = 400
STAC_VERSION = "1.0.0"
STAC_EXTENSIONS = ["https://stac-extensions.github.io/eo/v1.0.0/schema.json",
                   "https://stac-extensions.github.io/view/v1.0.0/schema.json"]
COLLECTIONS: dict[str, dict[str, Any]] = {
    "pixxel-td": {"title": "Pixxel TD (technology demonstrators TD1, TD2)", "start": ARCHIVE_EPOCH,
                  "end": FIREFLY_EPOCH, "constellation": "TD"},
    "pixxel-ff": {"title": "Pixxel Fireflies (FF01–FF03)", "start": FIREFLY_EPOCH, "end": None,
                  "constellation": "Fireflies"},
}


def cell_of(lon: float, lat: float) -> int:
    """The grid cell holding a point."""
    row = min(int((lat + 90) // CELL_DEG), int(180 / CELL_DEG) - 1)
    col = min(int((lon + 180) // CELL_DEG), GRID_COLS - 1)
    return row * GRID_COLS + col


def _cell_origin(cell: int) -> tuple[float, float]:
    row, col = divmod(cell, GRID_COLS)
    return col * CELL_DEG - 180, row * CELL_DEG - 90


def _cell_revisit(cell: int) -> tuple[int, int]:
    """(revisit period in days, phase in days) of a cell: every cell has its own pass schedule."""
    h = hash_of("cell", str(cell))
    period = 9 + h % 8
    return period, (h >> 8) % period


@lru_cache(maxsize=1)
def _revisit_table() -> tuple[np.ndarray, np.ndarray]:
    """Period and phase of every cell (computed once; lists whole collections by day)."""
    pairs = np.array([_cell_revisit(c) for c in range(GRID_CELLS)], dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def collection_of(satellite: str) -> str:
    """The collection of a satellite's scenes."""
    return "pixxel-ff" if satellite.startswith("FF") else "pixxel-td"


def _scene(cell: int, acquired: date) -> dict[str, Any]:
    """The scene over ``cell`` acquired on ``acquired`` (a date on the cell's revisit schedule)."""
    h = hash_of("scene", str(cell), acquired.isoformat())
    moment = datetime(acquired.year, acquired.month, acquired.day, tzinfo=UTC) + timedelta(seconds=18000 + h % 28800)
    satellite = f"FF0{1 + h % 3}" if moment >= FIREFLY_EPOCH else f"TD{1 + h % 2}"
    processed = acquired + timedelta(days=3 + (h >> 5) % 20)
    scene_id = f"{satellite}_{cell:06d}_{acquired:%Y%m%d}_L2A_{processed:%Y%m%d}_{(h >> 10) % 10**8:08d}"
    west, south = _cell_origin(cell)
    # A ~40 km wide strip placed somewhere in the cell: footprints vary from pass to pass.
    dx, dy = ((h >> 20) % 100) / 1000, ((h >> 30) % 50) / 1000
    footprint = box(*(round(v, 6) for v in (west + dx, south + dy, west + dx + 0.4, south + dy + 0.45)))
    return {
        "id": scene_id,
        "moment": moment,
        "processed": datetime(processed.year, processed.month, processed.day, tzinfo=UTC),
        "geometry": footprint,
        "satellite": satellite,
        "collection": collection_of(satellite),
        "cloud_cover": (h >> 40) % 60,
        "off_nadir": (h >> 48) % 30,
        "gsd": 5 if satellite.startswith("FF") else 10,
    }


def _acquisition_dates(cell: int, start: datetime, end: datetime) -> list[date]:
    period, phase = _cell_revisit(cell)
    first = max(start, ARCHIVE_EPOCH).date()
    last = end.date()
    offset = (first - ARCHIVE_EPOCH.date()).days
    k = max(0, math.ceil((offset - phase) / period))
    dates = []
    day = ARCHIVE_EPOCH.date() + timedelta(days=phase + k * period)
    while day <= last:
        dates.append(day)
        day += timedelta(days=period)
    return dates


def archive_horizon(now: datetime) -> datetime:
    """Scenes reach the archive two days after acquisition."""
    return now - timedelta(days=2)


def parse_scene_id(scene_id: str) -> dict[str, Any] | None:
    """The scene a well-formed id names (whether or not it is in the archive yet), else None."""
    parts = scene_id.split("_")
    if len(parts) != 6 or not parts[1].isdigit():
        return None
    try:
        acquired = datetime.strptime(parts[2], "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    cell = int(parts[1])
    if cell >= GRID_CELLS or acquired.date() not in _acquisition_dates(cell, acquired, acquired):
        return None
    scene = _scene(cell, acquired.date())
    return scene if scene["id"] == scene_id else None


def scene_by_id(scene_id: str, now: datetime) -> dict[str, Any] | None:
    """The scene named ``scene_id`` if it exists in the archive at ``now``, else None."""
    scene = parse_scene_id(scene_id)
    return scene if scene is not None and scene["moment"] <= archive_horizon(now) else None


def search_scenes(aoi: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Scenes intersecting ``aoi`` acquired in [start, end], newest first; at most 400 cells searched."""
    from .errors import error

    west, south, east, north = aoi.bounds
    first, last = cell_of(west, south), cell_of(east, north)
    rows = range(first // GRID_COLS, last // GRID_COLS + 1)
    cols = range(first % GRID_COLS, last % GRID_COLS + 1)
    if len(rows) * len(cols) > MAX_SEARCH_CELLS:
        raise error(400, f"Search area too large: at most {MAX_SEARCH_CELLS} half-degree cells.", "VALIDATION_ERROR",
                    [{"field": "intersects", "message": "area too large"}])
    prepared = shapely.prepared.prep(aoi)
    scenes = []
    for row in rows:
        for col in cols:
            cell = row * GRID_COLS + col
            for acquired in _acquisition_dates(cell, start - timedelta(days=1), end):
                scene = _scene(cell, acquired)
                if start <= scene["moment"] <= end and prepared.intersects(scene["geometry"]):
                    scenes.append(scene)
    scenes.sort(key=lambda s: (s["moment"], s["id"]), reverse=True)
    return scenes


def scenes_of_collection(cid: str, now: datetime, offset: int, limit: int) -> list[dict[str, Any]]:
    """A page of a collection's scenes, newest day first (cells in grid order within a day)."""
    spec = COLLECTIONS[cid]
    periods, phases = _revisit_table()
    day = archive_horizon(now).date() - timedelta(days=1)  # every scene of that day is already archived
    if spec["end"] is not None:
        day = min(day, spec["end"].date() - timedelta(days=1))
    first_day = spec["start"].date()
    page: list[dict[str, Any]] = []
    skip = offset
    while day >= first_day and len(page) < limit:
        days = (day - ARCHIVE_EPOCH.date()).days
        cells = np.flatnonzero((days - phases) % periods == 0)
        if skip >= len(cells):
            skip -= len(cells)
        else:
            for cell in cells[skip:skip + limit - len(page)]:
                page.append(_scene(int(cell), day))
            skip = 0
        day -= timedelta(days=1)
    return page


# ---------------------------------------------------------------------------------------------
# STAC rendering (official cosmos.* schemas)
# ---------------------------------------------------------------------------------------------


def polygon_json(geom: Any) -> dict[str, Any]:
    """A Polygon as GeoJSON with list coordinates; anything else as its envelope (a Polygon)."""
    if geom.geom_type != "Polygon":
        geom = box(*geom.bounds)
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in geom.exterior.coords]]}


def stac_item(scene: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A scene as the official ``cosmos.Item``."""
    cid = scene["collection"]
    self_href = f"{base_url}/v0/archives/collections/{cid}/items/{scene['id']}"
    return {
        "id": scene["id"],
        "type": "Feature",
        "collection": cid,
        "stac_version": STAC_VERSION,
        "stac_extensions": STAC_EXTENSIONS,
        # The official schema types bbox items as strings (its example too): followed as written.
        "bbox": [str(round(v, 6)) for v in scene["geometry"].bounds],
        "geometry": polygon_json(scene["geometry"]),
        "properties": {
            "datetime": iso(scene["moment"]),
            "created": iso(scene["processed"]),
            "updated": iso(scene["processed"]),
            "platform": scene["satellite"],
            "constellation": COLLECTIONS[cid]["constellation"],
            "instruments": [ARCHIVE_IMAGE_TYPE],
            "gsd": scene["gsd"],
            "eo:cloud_cover": scene["cloud_cover"],
            "view:off_nadir": scene["off_nadir"],
            "rd:product_level": "L2A",
            "rd:type": "Reflectance",
            "license": "proprietary",
        },
        "assets": {
            "metadata": {"href": self_href, "type": "application/geo+json", "roles": ["metadata"],
                         "title": "STAC item"},
        },
        "links": [
            {"rel": "self", "href": self_href, "type": "application/geo+json"},
            {"rel": "parent", "href": f"{base_url}/v0/archives/collections/{cid}", "type": "application/json"},
            {"rel": "collection", "href": f"{base_url}/v0/archives/collections/{cid}", "type": "application/json"},
            {"rel": "root", "href": f"{base_url}/v0/archives/collections", "type": "application/json"},
        ],
    }


def collection_body(cid: str, now: datetime, base_url: str) -> dict[str, Any]:
    """A collection as the official ``cosmos.originalCollectionSuccessResponse``."""
    spec = COLLECTIONS[cid]
    end = spec["end"] or archive_horizon(now)
    return {
        "id": cid,
        "type": "Collection",
        "title": spec["title"],
        "stac_version": STAC_VERSION,
        "stac_extensions": STAC_EXTENSIONS,
        "license": "proprietary",
        "providers": [{"name": "Pixxel", "roles": ["producer", "licensor"], "url": "https://pixxel.space"}],
        "extent": {"spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]]},
                   "temporal": {"interval": [[iso(spec["start"]), iso(end)]]}},
        "summaries": {"instruments": [ARCHIVE_IMAGE_TYPE], "constellation": [spec["constellation"]]},
        "links": [
            {"rel": "self", "href": f"{base_url}/v0/archives/collections/{cid}", "type": "application/json"},
            {"rel": "items", "href": f"{base_url}/v0/archives/collections/{cid}/items", "type": "application/geo+json"},
            {"rel": "root", "href": f"{base_url}/v0/archives/collections", "type": "application/json"},
        ],
        "created_at": iso(spec["start"]),
        "updated_at": iso(end),
    }
