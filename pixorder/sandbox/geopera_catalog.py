"""Geopera v1 sandbox catalogue and pure pricing logic: sensors, estimate groups, feasibility, passes.

Nothing here touches the store or the clock (``now`` is passed in), so every answer is a function of
the request: the same group always prices, predicts and schedules the same way.

* Sensors (``orders.tasking.sensors``): eight realistic tasking sensors; a tasking data product's id
  is its sensor id. Rates and minimum areas come from :mod:`.price_book`.
* Estimate groups (docs/geopera-wire.md): ``{"groupId", "sensor", "featureCollection", "params"}``
  → ``{"groupId", "sensor", "areaKm2", "billedAreaKm2", "baseAud", "uplifts", "totalAud", "credits",
  "feasibility"}``; a bad group raises :class:`GroupError` with a message and a location.
* Feasibility prediction: a study is needed for AOIs over 500 km² or centred beyond 60° latitude
  (large or high-latitude requests are checked by hand, as Geopera's guide describes).
* Opportunities: deterministic predicted passes every ``revisitDays`` at an hour derived from the
  AOI's position; empty when a study is needed ("manual feasibility: empty", the docs say).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import mapping
from shapely.ops import unary_union

from . import price_book
from .geometry import GeometryError, area_km2, areas_km2, parse_geometries, parse_geometry, point_square
from .timeutil import iso, parse_iso

SENSORS: list[dict[str, Any]] = [
    {"id": "pneo-30cm", "name": "Pléiades Neo", "operator": "Airbus", "resolutionM": 0.3,
     "bands": ["PAN", "R", "G", "B", "NIR", "RE", "DB"], "imageType": "optical", "maxOffNadir": 45, "revisitDays": 1},
    {"id": "wv3-31cm", "name": "WorldView-3", "operator": "Maxar", "resolutionM": 0.31,
     "bands": ["PAN", "C", "B", "G", "Y", "R", "RE", "NIR1", "NIR2", "SWIR1-8"], "imageType": "optical",
     "maxOffNadir": 45, "revisitDays": 1},
    {"id": "wvlegion-34cm", "name": "WorldView Legion", "operator": "Maxar", "resolutionM": 0.34,
     "bands": ["PAN", "C", "B", "G", "Y", "R", "RE", "NIR"], "imageType": "optical", "maxOffNadir": 45,
     "revisitDays": 1},
    {"id": "skysat-50cm", "name": "SkySat", "operator": "Planet", "resolutionM": 0.5,
     "bands": ["PAN", "B", "G", "R", "NIR"], "imageType": "optical", "maxOffNadir": 30, "revisitDays": 1},
    {"id": "satellogic-70cm", "name": "Satellogic NewSat", "operator": "Satellogic", "resolutionM": 0.7,
     "bands": ["PAN", "R", "G", "B", "NIR"], "imageType": "optical", "maxOffNadir": 30, "revisitDays": 2},
    {"id": "spot-1.5m", "name": "SPOT 6/7", "operator": "Airbus", "resolutionM": 1.5,
     "bands": ["PAN", "B", "G", "R", "NIR"], "imageType": "optical", "maxOffNadir": 30, "revisitDays": 2},
    {"id": "iceye-sar-1m", "name": "ICEYE Spot", "operator": "ICEYE", "resolutionM": 1.0,
     "bands": ["X-band VV"], "imageType": "sar", "maxOffNadir": 35, "revisitDays": 1},
    {"id": "capella-sar-50cm", "name": "Capella Spotlight", "operator": "Capella Space", "resolutionM": 0.5,
     "bands": ["X-band HH"], "imageType": "sar", "maxOffNadir": 45, "revisitDays": 1},
]
SENSORS_BY_ID = {sensor["id"]: sensor for sensor in SENSORS}

PRIORITIES = ("STANDARD", "EXPEDITED")
RECURRENCES = {"ONCE": 0, "DAILY": 1, "WEEKLY": 7, "MONTHLY": 30}  # days between occurrences
MAX_OCCURRENCES = 52
MAX_WINDOW_DAYS = 180
DEFAULT_START_DELAY = timedelta(days=1)
DEFAULT_WINDOW = timedelta(days=14)
STUDY_AREA_KM2 = 500.0
STUDY_LATITUDE = 60.0
THIRD_OPTION_AREA_KM2 = 1000.0


def sensor_json(sensor: dict[str, Any]) -> dict[str, Any]:
    """A catalogue entry as ``orders.tasking.sensors`` lists it (docs/geopera-wire.md)."""
    rates = price_book.GEOPERA_SENSOR_RATES_AUD[sensor["id"]]
    pricing = {"audPerKm2": rates["aud_per_km2"], "creditsPerAud": price_book.GEOPERA_CREDITS_PER_AUD,
               "minAreaKm2": rates["min_km2"]}
    return {**sensor, "minAreaKm2": rates["min_km2"], "pricing": pricing}


class GroupError(ValueError):
    """A group (or capture) that cannot be priced; ``loc`` points into the group, e.g. ``["params", "priority"]``."""

    def __init__(self, message: str, loc: list[str | int] | None = None) -> None:
        super().__init__(message)
        self.loc = loc or []


def credits_for(aud: float) -> int:
    """Credits for an AUD amount, rounded up (rounding first so 12.3 AUD is 123 credits, not 124)."""
    return math.ceil(round(aud * price_book.GEOPERA_CREDITS_PER_AUD, 6))


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


# -- AOIs ---------------------------------------------------------------------------------------


_AOI_TYPES = ("Point", "Polygon", "MultiPolygon")


def _features(feature_collection: Any) -> list[Any] | None:
    """The features of a FeatureCollection, a Feature or a bare geometry (None: no features list)."""
    kind = feature_collection.get("type")
    if kind == "FeatureCollection":
        features = feature_collection.get("features")
        return features if isinstance(features, list) and features else None
    if kind == "Feature":
        return [feature_collection]
    return [{"type": "Feature", "geometry": feature_collection}]


def parse_geometries_of(feature_collections: list[Any]) -> dict[int, Any]:
    """The parse of every geometry (but Points, which become squares first) in these AOIs, by the id of
    its GeoJSON object: what :func:`parse_aoi` looks up instead of parsing feature by feature."""
    geometries = [feature.get("geometry") for fc in feature_collections if isinstance(fc, dict) and fc
                  for feature in (_features(fc) or []) if isinstance(feature, dict)]
    geometries = [g for g in geometries if not (isinstance(g, dict) and g.get("type") == "Point")]
    return dict(zip(map(id, geometries), parse_geometries(geometries, _AOI_TYPES)))


def parse_aoi(feature_collection: Any, parsed: dict[int, Any] | None = None) -> tuple[Any, list[Any]]:
    """The union of a FeatureCollection's geometries and each feature's own geometry.

    Accepts a FeatureCollection, a Feature or a bare geometry. Points become 5×5 km squares (the
    smallest tasking footprint); LineStrings are refused (Geopera tasks areas). ``parsed``: geometries
    already parsed by :func:`parse_geometries_of`.
    """
    if not isinstance(feature_collection, dict) or not feature_collection:
        raise GroupError("featureCollection is required: a GeoJSON FeatureCollection of the AOI.", ["featureCollection"])
    features = _features(feature_collection)
    if features is None:
        raise GroupError("featureCollection.features must be a non-empty list.", ["featureCollection", "features"])
    geoms = []
    for index, feature in enumerate(features):
        loc: list[str | int] = ["featureCollection", "features", index, "geometry"]
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        try:
            if isinstance(geometry, dict) and geometry.get("type") == "Point":
                lon, lat = parse_geometry(geometry, ("Point",)).coords[0]
                geom = parse_geometry(point_square(lon, lat), _AOI_TYPES)
            elif parsed is not None and id(geometry) in parsed:
                geom = parsed[id(geometry)]
                if isinstance(geom, GeometryError):
                    raise geom
            else:
                geom = parse_geometry(geometry, _AOI_TYPES)
        except GeometryError as exc:
            raise GroupError(str(exc), loc) from None
        minx, _, maxx, _ = geom.bounds
        if maxx - minx > 180:  # a ring "around the world" is almost always an AOI across the antimeridian
            raise GroupError("The geometry spans more than 180° of longitude; split an AOI that crosses the "
                             "antimeridian into one polygon on each side.", loc)
        geoms.append(geom)
    return unary_union(geoms), geoms


def feasibility_required(aoi: Any, area: float | None = None) -> tuple[bool, str]:
    """Whether a tasking AOI needs a manual feasibility study, and why (``area``: its km², if known)."""
    if area is None:
        area = area_km2(aoi)
    latitude = aoi.centroid.y
    if area > STUDY_AREA_KM2:
        return True, f"AOI of {area:.1f} km² exceeds the {STUDY_AREA_KM2:.0f} km² automatic-feasibility limit"
    if abs(latitude) > STUDY_LATITUDE:
        return True, f"AOI centred at {latitude:.2f}° is beyond ±{STUDY_LATITUDE:.0f}° latitude"
    return False, "within automatic feasibility limits"


# -- tasking groups -------------------------------------------------------------------------------


@dataclass
class TaskingRequest:
    """A validated tasking group (the unit the estimate prices and an order holds)."""

    group_id: str
    sensor: str
    feature_collection: dict[str, Any]
    params: dict[str, Any]
    aoi: Any
    start: datetime
    end: datetime
    priority: str
    recurrence: str
    occurrences: int
    max_cloud: float | None
    max_off_nadir: float | None
    measured: float | None = None  # the AOI's km², once measured (estimate_groups measures a batch at once)

    @property
    def area_km2(self) -> float:
        if self.measured is None:
            self.measured = area_km2(self.aoi)
        return self.measured

    def quote(self) -> dict[str, Any]:
        return price_book.geopera_quote(self.sensor, self.area_km2, priority=self.priority, max_cloud=self.max_cloud,
                                        max_off_nadir=self.max_off_nadir, occurrences=self.occurrences)

    def feasibility(self) -> str:
        """SUCCESS, WEAK_SUCCESS (a study will be needed) or FAILED (the sandbox cannot task it)."""
        required, _ = feasibility_required(self.aoi, self.area_km2)
        return "WEAK_SUCCESS" if required else "SUCCESS"

    def estimate_json(self) -> dict[str, Any]:
        quote = self.quote()
        return {
            "groupId": self.group_id,
            "sensor": self.sensor,
            "areaKm2": quote["area_km2"],
            "billedAreaKm2": quote["billable_km2"],
            "occurrences": self.occurrences,
            "baseAud": quote["base_aud"],
            "uplifts": [{"name": u["name"], "percentage": u["percentage"], "amountAud": u["aud"]} for u in quote["uplifts"]],
            "totalAud": quote["aud"],
            "credits": quote["credits"],
            "feasibility": self.feasibility(),
        }


def _number(params: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise GroupError(f"params.{key} must be a number from {low:g} to {high:g}.", ["params", key])
    return float(value)


def _time(params: dict[str, Any], key: str, default: datetime) -> datetime:
    value = params.get(key)
    if value is None:
        return default
    try:
        return parse_iso(value)
    except ValueError:
        raise GroupError(f"params.{key} must be an ISO-8601 date-time.", ["params", key]) from None


def parse_group(group: Any, index: int, now: datetime, *, sensor: str | None = None,
                parsed: dict[int, Any] | None = None) -> TaskingRequest:
    """Validate one tasking group (``sensor`` overrides the group's, for EstimateInput.dataProduct)."""
    if not isinstance(group, dict):
        raise GroupError("A group must be a JSON object.")
    sensor_id = sensor if sensor is not None else group.get("sensor", group.get("sensorId"))
    if not isinstance(sensor_id, str) or not sensor_id:
        raise GroupError("sensor is required: a sensor id from orders.tasking.sensors.", ["sensor"])
    if sensor_id not in price_book.GEOPERA_SENSOR_RATES_AUD:
        raise GroupError(f"Unknown sensor {sensor_id!r}; see orders.tasking.sensors.", ["sensor"])
    params = group.get("params") or {}
    if not isinstance(params, dict):
        raise GroupError("params must be an object.", ["params"])
    aoi, _ = parse_aoi(group.get("featureCollection"), parsed)
    start = _time(params, "acquisitionStart", now + DEFAULT_START_DELAY)
    end = _time(params, "acquisitionEnd", start + DEFAULT_WINDOW)
    if end <= start:
        raise GroupError("params.acquisitionEnd must be after acquisitionStart.", ["params", "acquisitionEnd"])
    if end <= now:
        raise GroupError("params.acquisitionEnd must be in the future.", ["params", "acquisitionEnd"])
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise GroupError(f"The acquisition window may span at most {MAX_WINDOW_DAYS} days.", ["params", "acquisitionEnd"])
    priority = str(params.get("priority") or "STANDARD").upper()
    if priority not in PRIORITIES:
        raise GroupError(f"params.priority must be one of {', '.join(PRIORITIES)}.", ["params", "priority"])
    recurrence = str(params.get("recurrence") or "ONCE").upper()
    if recurrence not in RECURRENCES:
        raise GroupError(f"params.recurrence must be one of {', '.join(RECURRENCES)}.", ["params", "recurrence"])
    occurrences = params.get("occurrences", 1)
    if occurrences is None:
        occurrences = 1
    if isinstance(occurrences, bool) or not isinstance(occurrences, int) or not 1 <= occurrences <= MAX_OCCURRENCES:
        raise GroupError(f"params.occurrences must be an integer from 1 to {MAX_OCCURRENCES}.", ["params", "occurrences"])
    if recurrence == "ONCE":
        occurrences = 1  # a one-off acquisition has one occurrence whatever was sent
    catalogue = SENSORS_BY_ID.get(sensor_id, {})
    max_cloud = _number(params, "maxCloudCover", 0, 100)
    if max_cloud is not None and catalogue.get("imageType") == "sar":
        max_cloud = None  # radar sees through clouds: no cloud uplift
    max_off_nadir = _number(params, "maxOffNadir", 0, float(catalogue.get("maxOffNadir", 60)))
    group_id = str(group.get("groupId") or f"g{index}")
    return TaskingRequest(group_id, sensor_id, group.get("featureCollection") or {}, params, aoi, start, end, priority,
                          recurrence, occurrences, max_cloud, max_off_nadir)


def estimate_groups(groups: list[Any], now: datetime) -> dict[str, Any]:
    """TaskingEstimateOutput: failing groups are reported in ``errors`` and left out of the totals."""
    priced, errors = [], []
    requests: list[TaskingRequest] = []
    parsed = parse_geometries_of([group.get("featureCollection") for group in groups if isinstance(group, dict)])
    for index, group in enumerate(groups):
        try:
            requests.append(parse_group(group, index, now, parsed=parsed))
        except GroupError as exc:
            group_id = group.get("groupId") if isinstance(group, dict) else None
            errors.append({"groupId": str(group_id or f"g{index}"), "index": index, "detail": str(exc),
                           "loc": ["groups", index, *exc.loc]})
    for request, area in zip(requests, areas_km2([r.aoi for r in requests])):  # one projection for all
        request.measured = area
        priced.append(request.estimate_json())
    return {
        "groups": priced,
        "errors": errors,
        "totalAud": round(sum(g["totalAud"] for g in priced), 2),
        "totalCredits": sum(g["credits"] for g in priced),
    }


# -- feasibility options and passes -------------------------------------------------------------


def feasibility_options(request: TaskingRequest, study_id: str) -> list[dict[str, Any]]:
    """Two or three deterministic options (three for AOIs of 1000 km² or more)."""
    quote = request.quote()
    window = request.end - request.start
    candidates = [
        ("Standard: capture within the requested window", request.start, request.end, 1.0),
        ("Extended: window extended by 14 days, 10 % cheaper", request.start, request.end + timedelta(days=14), 0.9),
    ]
    if request.area_km2 >= THIRD_OPTION_AREA_KM2:
        candidates.append(("Priority: capture in the first half of the window", request.start, request.start + window / 2, 1.25))
    options = []
    for number, (description, start, end, factor) in enumerate(candidates, 1):
        aud = round(quote["aud"] * factor, 2)
        options.append({"id": f"{study_id}-opt{number}", "description": description, "startDate": iso(start),
                        "endDate": iso(end), "totalAud": aud,
                        "credits": credits_for(aud)})
    return options


def opportunities(request: TaskingRequest) -> list[dict[str, Any]]:
    """Predicted passes over the AOI in the window (at most 50); none when a study is needed."""
    if feasibility_required(request.aoi, request.area_km2)[0]:
        return []
    sensor = SENSORS_BY_ID.get(request.sensor, {"revisitDays": 1, "maxOffNadir": 30})
    centre = request.aoi.centroid
    seed = _hash(request.sensor, round(centre.x, 3), round(centre.y, 3))
    # Local solar time of a sun-synchronous morning pass, shifted into UTC by the longitude.
    pass_hour = (10.5 - centre.x / 15.0) % 24
    day = request.start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=seed % sensor["revisitDays"])
    passes: list[dict[str, Any]] = []
    while day < request.end and len(passes) < 50:
        start = day + timedelta(hours=pass_hour, minutes=(seed >> 8) % 20)
        number = len(passes)
        off_nadir = round((seed >> (number % 40)) % (int(sensor["maxOffNadir"]) * 10) / 10, 1)
        if request.start <= start < request.end and (request.max_off_nadir is None or off_nadir <= request.max_off_nadir):
            passes.append({"id": f"opp-{seed % 10**8:08d}-{number:03d}", "sensor": request.sensor, "start": iso(start),
                           "end": iso(start + timedelta(seconds=12)), "offNadir": off_nadir,
                           "geometry": mapping(request.aoi.envelope)})
        day += timedelta(days=sensor["revisitDays"])
    return passes


def params_schema(sensor_id: str) -> dict[str, Any]:
    """JSON Schema of ``params`` for a tasking data product (``orders.get_schema``)."""
    sensor = SENSORS_BY_ID[sensor_id]
    properties: dict[str, Any] = {
        "acquisitionStart": {"type": "string", "format": "date-time", "title": "Acquisition start",
                             "description": "Start of the capture window (default: tomorrow)."},
        "acquisitionEnd": {"type": "string", "format": "date-time", "title": "Acquisition end",
                           "description": f"End of the capture window (default: start + 14 days; at most {MAX_WINDOW_DAYS} days)."},
        "maxOffNadir": {"type": "number", "minimum": 0, "maximum": sensor["maxOffNadir"], "title": "Maximum off-nadir angle",
                        "description": "Degrees; 10 or less adds 10 %."},
        "priority": {"type": "string", "enum": list(PRIORITIES), "default": "STANDARD",
                     "description": "EXPEDITED adds 20 %."},
        "recurrence": {"type": "string", "enum": list(RECURRENCES), "default": "ONCE"},
        "occurrences": {"type": "integer", "minimum": 1, "maximum": MAX_OCCURRENCES, "default": 1,
                        "description": "Number of acquisitions when recurrence is not ONCE; the price is multiplied by it."},
    }
    if sensor["imageType"] != "sar":
        properties["maxCloudCover"] = {"type": "integer", "minimum": 0, "maximum": 100, "title": "Maximum cloud cover",
                                       "description": "Percent; 10 or less adds 15 %."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:geopera:data-product:{sensor_id}:params",
        "title": f"{sensor['name']} tasking parameters",
        "type": "object",
        "properties": properties,
    }
