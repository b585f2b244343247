"""Validating ``POST /v0/orders`` items and building their stored bodies (official request schema).

``clerk.docOriginalOrderItem``: ``geometry`` (a FeatureCollection of Polygons/MultiPolygons),
``project_id`` and ``usecase`` are required; ``name`` is optional, at most 100 characters;
``cloud_cover`` and ``off_nadir`` default to 20; ``recurrence`` is ONCE, MONTHLY, BIMONTHLY or
QUARTERLY (ONCE when left out); ``end_date`` is exclusive (22→28 means the 22nd to the 27th). A
recurring item gives ``start_date`` and either ``no_of_occurrences`` or ``end_date``: occurrence *i*
is the period [start + i·step, start + (i+1)·step), the last one clipped to ``end_date``.
An item with a non-empty ``item_ids`` is ARCHIVE (delivery speed NOT_APPLICABLE).

Ranges the docs leave unpublished are sandbox choices: ``cloud_cover`` 0–100, ``off_nadir`` 0–45
(int), a one-off window of at most 90 days, 2–52 occurrences, at most 100 archive scenes per item,
multi-polygon parts at most 200 km apart. ``project_id`` may be any non-empty string (the docs'
example uses ``"1234567890"``).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon
from shapely.ops import unary_union

from .. import price_book
from ..geometry import GeometryError, area_km2, areas_km2, distance_km, parse_geometries
from ..timeutil import iso, parse_iso
from . import catalog
from .common import (
    DEFAULT_CLOUD_COVER,
    DEFAULT_OFF_NADIR,
    DELIVERY_SPEEDS,
    HIDDEN_AOI,
    MAX_ARCHIVE_SCENES_PER_ITEM,
    MAX_NAME_LENGTH,
    MAX_OCCURRENCES,
    MAX_OFF_NADIR,
    MAX_PART_DISTANCE_KM,
    MAX_WINDOW,
    MIN_START_LEAD,
    RECURRENCE_MONTHS,
    RECURRENCES,
    add_months,
    date_z,
    geojson,
    order_ts,
    org_uuid,
    user_uuid,
)
from .errors import validation_failed


class Problems:
    """Collects ``{field, message}`` details so one response lists every bad field."""

    def __init__(self) -> None:
        self.details: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.details.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        if self.details:
            raise validation_failed(self.details)


def int_field(item: dict[str, Any], key: str, at: str, low: int, high: int, problems: Problems,
              required: bool = True, default: int = 0) -> int:
    """An integer field in [low, high]; a problem is recorded (and ``default`` returned) otherwise."""
    value = item.get(key)
    where = f"{at}.{key}" if at else key
    if value is None:
        if required:
            problems.add(where, "is required")
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        problems.add(where, "must be an integer")
        return default
    if not low <= value <= high:
        problems.add(where, f"must be between {low} and {high}")
        return default
    return int(value)


def str_field(item: dict[str, Any], key: str, at: str, problems: Problems, *, required: bool = False,
              choices: tuple[str, ...] | None = None, default: str = "", max_length: int | None = None) -> str:
    """A string field (non-empty when required, one of ``choices``, at most ``max_length`` chars)."""
    value = item.get(key)
    if value is None:
        if required:
            problems.add(f"{at}.{key}", "is required")
        return default
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(f"{at}.{key}", "must be a non-empty string" if required else "must be a string")
        return default
    if max_length is not None and len(value) > max_length:
        problems.add(f"{at}.{key}", f"must be at most {max_length} characters (got {len(value)})")
        return default
    if choices is not None and value not in choices:
        problems.add(f"{at}.{key}", f"must be one of {', '.join(choices)}")
        return default
    return value


def parse_aois(fcs: list[Any], ats: list[str]) -> list[tuple[Any, list[dict[str, str]]]]:
    """Each FeatureCollection's AOI (or None) with the problems found in it, as :func:`parse_aoi` gives
    them; the geometries of all of them are parsed and unioned in batches."""
    geometries = [feature["geometry"] for fc in fcs for feature in _features(fc)
                  if isinstance(feature, dict) and feature.get("type") == "Feature" and _kind(feature) in _AOI_TYPES]
    parsed = dict(zip(map(id, geometries), parse_geometries(geometries, _AOI_TYPES)))
    found = [Problems() for _ in fcs]
    parts = [_aoi_parts(fc, at, problems, parsed) for fc, at, problems in zip(fcs, ats, found)]
    single = [i for i, p in enumerate(parts) if p is not None and len(p) == 1]
    unions = dict(zip(single, _union_each([parts[i][0] for i in single])))  # type: ignore[index]
    aois = [None if p is None else _aoi_of(unions[i] if i in unions else unary_union(p), at, problems)
            for i, (p, at, problems) in enumerate(zip(parts, ats, found))]
    return [(aoi, problems.details) for aoi, problems in zip(aois, found)]


def aoi_areas(aois: list[Any]) -> dict[int, float]:
    """The areas in km² of the AOIs that parsed (by their index), measured in one batch."""
    present = [i for i, aoi in enumerate(aois) if aoi is not None]
    return dict(zip(present, areas_km2([aois[i] for i in present])))


def parse_aoi(fc: Any, at: str, problems: Problems) -> Any:
    """The AOI of a FeatureCollection of Polygons/MultiPolygons as one shapely geometry, or None."""
    aoi, found = parse_aois([fc], [at])[0]
    problems.details.extend(found)
    return aoi


_AOI_TYPES = ("Polygon", "MultiPolygon")


def _features(fc: Any) -> list[Any]:
    features = fc.get("features") if isinstance(fc, dict) and fc.get("type") == "FeatureCollection" else None
    return features if isinstance(features, list) else []


def _kind(feature: dict[str, Any]) -> Any:
    geometry = feature.get("geometry")
    return geometry.get("type") if isinstance(geometry, dict) else None


def _aoi_parts(fc: Any, at: str, problems: Problems, parsed: dict[int, Any]) -> list[Any] | None:
    """The parts of the AOI (``parsed``: each geometry's parse, by id), or None with the problems recorded."""
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        problems.add(at, "must be a GeoJSON FeatureCollection" if fc is not None else "is required")
        return None
    features = fc.get("features")
    if not isinstance(features, list) or not features:
        problems.add(f"{at}.features", "must be a non-empty list of Features")
        return None
    parts = []
    for i, feature in enumerate(features):
        where = f"{at}.features[{i}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.add(f"{where}.type", "must be 'Feature'")
            continue
        kind = _kind(feature)
        if kind not in _AOI_TYPES:
            problems.add(f"{where}.geometry.type", f"must be Polygon or MultiPolygon, not {kind!r}")
            continue
        geom = parsed[id(feature["geometry"])]
        if isinstance(geom, GeometryError):
            problems.add(f"{where}.geometry", str(geom))
        else:
            parts.append(geom)
    if not parts or len(parts) != len(features):
        return None
    return parts


def _union_each(geoms: list[Any]) -> list[Any]:
    """``unary_union([g])`` of each geometry, in one call."""
    if not geoms:
        return []
    column = np.empty((len(geoms), 1), dtype=object)
    column[:, 0] = geoms
    return list(shapely.union_all(column, axis=1))


def _aoi_of(aoi: Any, at: str, problems: Problems) -> Any:
    polygons = list(aoi.geoms) if isinstance(aoi, MultiPolygon) else [aoi]
    if len(polygons) > 1:
        # Pixxel: "the closest polygons may be at most 200 km apart" — every part needs a neighbour.
        for k, poly in enumerate(polygons):
            nearest = min(distance_km(poly, other) for j, other in enumerate(polygons) if j != k)
            if nearest > MAX_PART_DISTANCE_KM:
                problems.add(at, f"polygons must be at most {MAX_PART_DISTANCE_KM:g} km from their nearest neighbour")
                return None
    return aoi


def _parse_time(item: dict[str, Any], key: str, at: str, problems: Problems, required: bool = True) -> datetime | None:
    value = item.get(key)
    if value is None or value == "":
        if required:
            problems.add(f"{at}.{key}", "is required")
        return None
    try:
        return parse_iso(value)
    except (ValueError, TypeError):
        problems.add(f"{at}.{key}", "must be an ISO-8601 timestamp such as 2020-10-22T00:00:00Z")
        return None


def feasibility(area: float, cloud_cover: int, off_nadir: int, latitude: float) -> str:
    """Deterministic feasibility: the tighter the constraints and the larger the AOI, the worse."""
    score = 0
    score += 2 if cloud_cover < 10 else 1 if cloud_cover < 30 else 0
    score += 2 if off_nadir < 10 else 1 if off_nadir < 20 else 0
    score += 2 if area > 5000 else 1 if area > 1000 else 0
    score += 2 if abs(latitude) > 70 else 0
    return "FAILED" if score >= 4 else "WEAK_SUCCESS" if score >= 2 else "SUCCESS"


def whole_amounts(quote: dict[str, Any]) -> tuple[list[dict[str, Any]], float, int]:
    """Uplift amounts and tokens as the official integers; final = base + the whole uplifts."""
    uplifts = [{**u, "amount": int(round(u["amount"]))} for u in quote["uplifts"]]
    final = round(quote["base_amount"] + sum(u["amount"] for u in uplifts), 2)
    return uplifts, final, tokens_for(final)


def tokens_for(final_amount: float) -> int:
    """Whole tokens for an amount (rounded up: a part of a token is still spent)."""
    return math.ceil(round(final_amount * price_book.PIXXEL_TOKENS_PER_AMOUNT, 6))


def build_item(raw: Any, index: int, ctx: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
    """Validate one requested item and build its stored body (without order/payment ids)."""
    at = f"order_items[{index}]"
    if not isinstance(raw, dict):
        problems.add(at, "must be an object")
        return None
    before = len(problems.details)
    now: datetime = ctx["now"]
    org: str = ctx["org"]
    name = str_field(raw, "name", at, problems, max_length=MAX_NAME_LENGTH)
    project_id = str_field(raw, "project_id", at, problems, required=True)
    usecase = str_field(raw, "usecase", at, problems, required=True)
    speed = str_field(raw, "delivery_speed", at, problems, choices=DELIVERY_SPEEDS, default="STANDARD")
    cloud_delivery = raw.get("cloud_delivery")
    if cloud_delivery is not None and not (
        isinstance(cloud_delivery, dict) and isinstance(cloud_delivery.get("config"), str)
        and isinstance(cloud_delivery.get("path", ""), str)
    ):
        problems.add(f"{at}.cloud_delivery", "must be null or {config: string (a store id), path?: string}")
    item_ids = raw.get("item_ids") or []
    if not isinstance(item_ids, list) or not all(isinstance(i, str) for i in item_ids):
        problems.add(f"{at}.item_ids", "must be a list of scene ids")
        item_ids = []
    parsed = ctx.get("aois")
    if parsed is None:
        aoi = parse_aoi(raw.get("geometry"), f"{at}.geometry", problems)
        area = None
    else:  # parsed (and measured) with every item of the order at once
        aoi, found = parsed[index]
        problems.details.extend(found)
        area = ctx["areas"].get(index)
    created = ctx.get("created") or iso(now)
    if item_ids:
        body = _archive_item(item_ids, aoi, at, now, speed, problems)
    else:
        body = _tasking_item(raw, aoi, at, now, "STANDARD" if speed == "NOT_APPLICABLE" else speed, problems, area,
                             created)
    if body is None or len(problems.details) > before:
        return None
    user = user_uuid(org)
    if not ctx.get("dry_run"):  # stored with the item; a dry run stores nothing and never shows it
        body[HIDDEN_AOI] = geojson(aoi)
    body.update({
        "cloud_delivery": cloud_delivery,
        "created_at": created,
        "created_by": user,
        "name": name,
        "org_id": org_uuid(org),
        "project_id": project_id,
        "updated_at": created,
        "updated_by": user,
        "usecase": usecase,
        "user_id": user,
    })
    return body  # create_order adds the ids and lists the keys A–Z


def occurrence_windows(start: datetime, end: datetime | None, recurrence: str,
                       count: int) -> list[tuple[datetime, datetime]]:
    """The capture windows of an item: one for ONCE, else consecutive periods (see the module doc)."""
    if recurrence == "ONCE":
        assert end is not None
        return [(start, end)]
    months = RECURRENCE_MONTHS[recurrence]
    windows: list[tuple[Any, Any]] = []
    i = 0
    while True:
        low, high = add_months(start, months * i), add_months(start, months * (i + 1))
        if (count and i >= count) or (not count and (end is None or low >= end)) or i > MAX_OCCURRENCES:
            return windows
        windows.append((low, high if count or end is None else min(high, end)))
        i += 1


def _tasking_item(raw: dict[str, Any], aoi: Any, at: str, now: datetime, speed: str,
                  problems: Problems, area: float | None = None, checked: str | None = None) -> dict[str, Any] | None:
    known = len(problems.details)
    recurrence = str_field(raw, "recurrence", at, problems, choices=RECURRENCES, default="ONCE")
    if len(problems.details) > known:
        return None  # the occurrence rules depend on a valid recurrence
    cloud = int_field(raw, "cloud_cover", at, 0, 100, problems, required=False, default=DEFAULT_CLOUD_COVER)
    off_nadir = int_field(raw, "off_nadir", at, 0, MAX_OFF_NADIR, problems, required=False, default=DEFAULT_OFF_NADIR)
    count = int_field(raw, "no_of_occurrences", at, 0, MAX_OCCURRENCES, problems, required=False)
    once = recurrence == "ONCE"
    start = _parse_time(raw, "start_date", at, problems)
    end = _parse_time(raw, "end_date", at, problems, required=once)
    if start is not None and start < now + MIN_START_LEAD:
        problems.add(f"{at}.start_date", "must be at least 24 hours after the order is placed")
    if start is not None and end is not None:
        if end <= start:
            problems.add(f"{at}.end_date", "must be after start_date (it is exclusive)")
        elif once and end - start > MAX_WINDOW:
            problems.add(f"{at}.end_date", f"must be within {MAX_WINDOW.days} days of start_date")
    if once and count > 1:
        problems.add(f"{at}.no_of_occurrences", "must be 0 or 1 when recurrence is ONCE")
    if not once:
        if count and end is not None:
            problems.add(f"{at}.no_of_occurrences", "give either no_of_occurrences or end_date for a recurring item, "
                                                    "not both")
        elif not count and end is None and "end_date" not in {d["field"].rsplit(".", 1)[-1] for d in problems.details}:
            problems.add(f"{at}.no_of_occurrences", "a recurring item needs no_of_occurrences or end_date")
        elif count == 1:
            problems.add(f"{at}.no_of_occurrences", f"must be between 2 and {MAX_OCCURRENCES} for a recurring item")
    bandset = None
    bandset_ref = raw.get("bandset")
    if bandset_ref is not None:
        ref = bandset_ref.get("bandset_id") if isinstance(bandset_ref, dict) else None
        found = catalog.find_bandset(ref) if isinstance(ref, str) else None
        if found is None:
            problems.add(f"{at}.bandset.bandset_id", "unknown bandset; see GET /v0/bandsets")
        else:
            bandset = found
    if problems.details or aoi is None or start is None or (once and end is None):
        return None
    windows = occurrence_windows(start, end, recurrence, count)
    if not once and not 2 <= len(windows) <= MAX_OCCURRENCES:
        problems.add(f"{at}.end_date", f"must leave room for 2 to {MAX_OCCURRENCES} {recurrence} occurrences")
        return None
    spec = bandset or catalog.DEFAULT_BANDSET
    if area is None:
        area = area_km2(aoi)
    quote = price_book.pixxel_quote(area, spec["image_type"], delivery_speed=speed, cloud_cover=cloud,
                                    off_nadir=off_nadir, occurrences=len(windows))
    uplifts, final, tokens = whole_amounts(quote)
    return {
        "area": math.ceil(area),  # whole km², rounded up like the billed area
        "bandset": None if bandset is None else {"bandset_id": bandset["id"], "bands": bandset["bands"], "custom": []},
        "base_amount": quote["base_amount"],
        "cloud_cover": cloud,
        "delivery_speed": speed,
        "end_date": date_z(windows[-1][1]),
        "feasibility_status": feasibility(area, cloud, off_nadir, aoi.centroid.y),
        "final_amount": final,
        "image_type": spec["image_type"],
        "images": [],
        "last_feasibility_check": checked or iso(now),
        "no_of_occurrences": 0 if once else len(windows),
        "number_of_bands": len(spec["bands"]),
        "occurrences": [{"start": order_ts(s), "end": order_ts(e)} for s, e in windows],
        "off_nadir": off_nadir,
        "recurrence": recurrence,
        "start_date": date_z(start),
        "tokens_used": tokens,
        "type": "TASKING" if once else "RECURRING",
        "uplifts": [{**u, "item_id": ""} for u in uplifts],
    }


def _archive_item(item_ids: list[str], aoi: Any, at: str, now: datetime, speed: str,
                  problems: Problems) -> dict[str, Any] | None:
    if len(item_ids) > MAX_ARCHIVE_SCENES_PER_ITEM:
        problems.add(f"{at}.item_ids", f"at most {MAX_ARCHIVE_SCENES_PER_ITEM} scenes per item")
        return None
    if len(set(item_ids)) != len(item_ids):
        problems.add(f"{at}.item_ids", "must not repeat a scene")
        return None
    scenes = []
    for i, scene_id in enumerate(item_ids):
        scene = catalog.scene_by_id(scene_id, now)
        if scene is None:
            problems.add(f"{at}.item_ids[{i}]", f"unknown archive scene {scene_id!r}; see POST /v0/archives/search")
        elif aoi is not None and not aoi.intersects(scene["geometry"]):
            problems.add(f"{at}.item_ids[{i}]", "scene does not intersect the geometry")
        else:
            scenes.append(scene)
    if problems.details or aoi is None:
        return None
    base = final = 0.0
    uplifts: list[dict[str, Any]] = []
    images = []
    clips = []
    for scene in scenes:
        clip = aoi.intersection(scene["geometry"])
        clips.append(clip)
        area = area_km2(clip)
        quote = price_book.pixxel_archive_quote(area, catalog.ARCHIVE_IMAGE_TYPE, delivery_speed=speed)
        scene_uplifts, scene_final, _ = whole_amounts(quote)
        base += quote["base_amount"]
        final += scene_final
        uplifts += [{**u, "item_id": scene["id"]} for u in scene_uplifts]
        images.append({"item_id": scene["id"], "geometry": geojson(clip)})
    moments = [s["moment"] for s in scenes]
    # The item's area is the AOI's area covered by the scenes, each km² once (scenes overlap); what is
    # billed is per scene (each at least the minimum), as the amounts above are.
    covered = area_km2(shapely.union_all(clips))
    return {
        "area": math.ceil(covered),
        "bandset": None,
        "base_amount": round(base, 2),
        "cloud_cover": max(s["cloud_cover"] for s in scenes),
        "delivery_speed": "EXPEDITED" if speed == "EXPEDITED" else "NOT_APPLICABLE",
        "end_date": date_z(max(moments)),
        "feasibility_status": "NOT_APPLICABLE",
        "final_amount": round(final, 2),
        "image_type": catalog.ARCHIVE_IMAGE_TYPE,
        "images": images,
        "last_feasibility_check": "",
        "no_of_occurrences": 0,
        "number_of_bands": len(catalog.DEFAULT_BANDSET["bands"]),
        "occurrences": [],
        "off_nadir": max(s["off_nadir"] for s in scenes),
        "recurrence": "NOT_APPLICABLE",
        "start_date": date_z(min(moments)),
        "tokens_used": tokens_for(final),
        "type": "ARCHIVE",
        "uplifts": uplifts,
    }
