"""How ordered imagery reaches the user: catalogs, deliveries, downloads with signed URLs.

* A **catalog** (``clerk.Catalog``) is one delivered product: every FULFILLED task of the
  organisation's order items has one (id derived from the task id), with ``details`` the product's
  STAC item (``clerk.STACItem``). ``POST /v0/catalogs/search`` filters them (``ids``,
  ``order_ids``, ``order_item_ids``, ``item_ids`` = scene ids, ``bbox``/``intersects``,
  ``datetime``; ``limit`` default 2 as in the spec, at most 100; ``offset``) →
  ``{catalogs, pagination}``, newest first. ``GET /v0/catalogs/{id}``.
* **Deliveries** (``clerk.Delivery``) copy catalogs to a cloud store: an item ordered with
  ``cloud_delivery`` gets one per catalog automatically; ``POST /v0/catalogs/deliveries``
  ``{deliveries: [{catalog_ids, order_item_ids, cloud_info: {config: <store id>, path}}]}`` → 201
  requests more (the store must exist, see :mod:`.workspace`). They complete at once (SUCCESS).
  ``GET /v0/catalogs/deliveries`` (``delivery_id``, ``catalog_id``, ``task_id``,
  ``order_item_id``) → ``{deliveries}``.
* **Downloads**: ``POST /v0/catalogs/download`` with ``catalog_ids`` or ``order_item_ids`` (not both)
  → 201 ``{id, signed_url, status: "success"}``; ``GET /v0/catalogs/download/{id}`` gives a fresh
  URL. The signed URL is the sandbox's own storage path ``/storage/pixxel/<id>.zip?expires=…&
  signature=…`` (HMAC-SHA256, valid one hour of sandbox time): a plain GET without auth returns a
  small zip with each product's STAC item and a README; a bad or expired signature is a 403.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
import uuid
import zipfile
from datetime import timedelta
from typing import Any

from shapely.geometry import box, shape

from ..geometry import GeometryError, parse_geometry
from ..state import SandboxState
from ..store import Doc
from ..timeutil import iso, parse_iso
from . import catalog
from .common import (
    HIDDEN_AOI,
    KIND_DELIVERY,
    KIND_DOWNLOAD,
    KIND_ITEM,
    KIND_STORE,
    NAME,
    hash_of,
    stable_uuid,
    user_uuid,
)
from .errors import error, not_found, validation_failed
from .validation import Problems, int_field

CATALOG_DEFAULT_LIMIT, CATALOG_MAX_LIMIT = 2, 100  # official: originalCatalogFilter.limit default 2
SIGNED_URL_TTL = timedelta(hours=1)
STORAGE_PATH = "/storage/pixxel"
_SECRET = secrets.token_bytes(32)  # per process: URLs signed by another sandbox process do not resolve


# ---------------------------------------------------------------------------------------------
# catalogs, derived from fulfilled tasks
# ---------------------------------------------------------------------------------------------


def catalogs_of(item: dict[str, Any], base_url: str) -> list[dict[str, Any]]:
    """One catalog per FULFILLED task of an order item (``clerk.Catalog``)."""
    found = []
    try:
        aoi = shape(item[HIDDEN_AOI])
    except (KeyError, TypeError, ValueError, AttributeError):
        aoi = None
    bandset = (item.get("bandset") or {}).get("bandset_id") or catalog.DEFAULT_BANDSET["id"]
    for task in item.get("tasks", []):
        if task.get("status") != "FULFILLED":
            continue
        scene_id = task["order_item_id"]
        scene = catalog.parse_scene_id(scene_id)
        footprint = scene["geometry"] if scene else (aoi if aoi is not None else box(0, 0, 0, 0))
        if scene and aoi is not None and aoi.intersects(footprint):
            footprint = aoi.intersection(footprint)
        catalog_id = stable_uuid("catalog", task["id"])
        h = hash_of("product", scene_id)
        satellite = scene_id.split("_")[0]
        acquired = scene["moment"] if scene else parse_iso(task["updated_at"]) - timedelta(hours=1 + h % 48)
        details = {
            "type": "Feature",
            "stac_version": catalog.STAC_VERSION,
            "stac_extensions": catalog.STAC_EXTENSIONS,
            "id": scene_id,
            "collection": catalog.collection_of(satellite),
            "bbox": [round(v, 6) for v in footprint.bounds],
            "geometry": catalog.polygon_json(footprint),
            "properties": {
                "datetime": iso(acquired),
                "created": task["updated_at"],
                "updated": task["updated_at"],
                "platform": satellite,
                "constellation": catalog.COLLECTIONS[catalog.collection_of(satellite)]["constellation"],
                "instruments": [item.get("image_type") or catalog.ARCHIVE_IMAGE_TYPE],
                "gsd": 5 if satellite.startswith("FF") else 10,
                "eo:cloud_cover": float(scene["cloud_cover"] if scene else h % min(item.get("cloud_cover", 20) + 1, 101)),
                "view:off_nadir": float(scene["off_nadir"] if scene else h % (item.get("off_nadir", 20) + 1)),
                "proj:epsg": 4326,
            },
            "assets": {
                "metadata": {"href": f"{scene_id}/metadata.json", "type": "application/json", "roles": ["metadata"],
                             "title": "STAC item (inside the download archive)"},
            },
            "links": [{"rel": "self", "href": f"{base_url}/v0/catalogs/{catalog_id}", "type": "application/json"}],
        }
        found.append({
            "id": catalog_id,
            "task_id": task["id"],
            "area": item.get("area", 0),
            "bandset_id": bandset,
            "created_at": task["updated_at"],
            "created_by": item.get("created_by", ""),
            "updated_at": task["updated_at"],
            "updated_by": item.get("updated_by", ""),
            "org_id": item.get("org_id", ""),
            "delivery_status": "SUCCESS",
            "details": details,
            # not shown: what the filters need
            "_order_id": item.get("order_id"),
            "_order_item_id": item.get("id"),
            "_cloud_delivery": item.get("cloud_delivery"),
        })
    return found


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its private filter keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def org_catalogs(state: SandboxState, org: str, base_url: str, *, order_ids: list[str] | None = None,
                 order_item_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Every catalog of the organisation (optionally of some orders/items), newest first."""
    sql = "SELECT body FROM docs WHERE provider=? AND kind=? AND org=? AND body LIKE '%\"FULFILLED\"%'"
    params: list[Any] = [NAME, KIND_ITEM, org]
    for column, values in (("json_extract(body, '$.order_id')", order_ids), ("id", order_item_ids)):
        if values:
            sql += f" AND {column} IN ({','.join('?' * len(values))})"
            params += values
    found = [c for (body,) in state.store.execute(sql, params) for c in catalogs_of(json.loads(body), base_url)]
    found.sort(key=lambda c: (c["created_at"], c["id"]), reverse=True)
    return found


def _string_list(payload: dict[str, Any], key: str, problems: Problems) -> list[str]:
    value = payload.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(key, "must be a list of strings")
        return []
    return value


def _window(value: Any, problems: Problems) -> tuple[Any, Any]:
    """An RFC 3339 instant or interval ``a/b`` (``..`` or empty for an open end) → (start, end)."""
    if value is None:
        return None, None
    try:
        low, slash, high = str(value).partition("/")
        start = parse_iso(low) if low not in ("", "..") else None
        end = (parse_iso(high) if high not in ("", "..") else None) if slash else start
        return start, end
    except (ValueError, TypeError):
        problems.add("datetime", "must be an RFC 3339 instant or interval 'a/b' ('..' for an open end)")
        return None, None


def area_filter(payload: dict[str, Any], problems: Problems, types: tuple[str, ...]) -> Any:
    """The geometry of ``intersects`` or ``bbox`` (antimeridian-crossing boxes split in two), or None."""
    if payload.get("intersects") is not None:
        try:
            return parse_geometry(payload["intersects"], types)
        except GeometryError as exc:
            problems.add("intersects", str(exc))
            return None
    bbox = payload.get("bbox")
    if bbox is None:
        return None
    if (isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                          for v in bbox)
            and -180 <= bbox[0] <= 180 and -180 <= bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90
            and bbox[0] != bbox[2]):
        west, south, east, north = bbox
        if west < east:
            return box(west, south, east, north)
        return box(west, south, 180, north).union(box(-180, south, east, north))
    problems.add("bbox", "must be [west, south, east, north] in degrees (west > east crosses the antimeridian)")
    return None


def search_catalogs(state: SandboxState, org: str, payload: Any, base_url: str) -> dict[str, Any]:
    """``POST /v0/catalogs/search`` (``clerk.SearchCatalogsResponse``)."""
    if not isinstance(payload, dict):
        raise validation_failed([{"field": "body", "message": "must be a JSON object"}])
    problems = Problems()
    ids = _string_list(payload, "ids", problems)
    order_ids = _string_list(payload, "order_ids", problems)
    order_item_ids = _string_list(payload, "order_item_ids", problems)
    scene_ids = _string_list(payload, "item_ids", problems)
    collections = _string_list(payload, "collections", problems)
    aoi = area_filter(payload, problems, ("Point", "Polygon", "MultiPolygon"))
    start, end = _window(payload.get("datetime"), problems)
    limit = int_field(payload, "limit", "", 1, CATALOG_MAX_LIMIT, problems, required=False,
                      default=CATALOG_DEFAULT_LIMIT)
    offset = int_field(payload, "offset", "", 0, 10**9, problems, required=False)
    problems.raise_if_any()
    found = org_catalogs(state, org, base_url, order_ids=order_ids, order_item_ids=order_item_ids)

    def keep(c: dict[str, Any]) -> bool:
        details = c["details"]
        moment = parse_iso(details["properties"]["datetime"])
        return ((not ids or c["id"] in ids) and (not scene_ids or details["id"] in scene_ids)
                and (not collections or details["collection"] in collections)
                and (start is None or moment >= start) and (end is None or moment <= end)
                and (aoi is None or aoi.intersects(shape(details["geometry"]))))

    matched = [c for c in found if keep(c)]
    return {"catalogs": [public(c) for c in matched[offset:offset + limit]],
            "pagination": {"limit": limit, "offset": offset, "total": len(matched)}}


def get_catalog(state: SandboxState, org: str, catalog_id: str, base_url: str) -> dict[str, Any]:
    """``GET /v0/catalogs/{id}``."""
    for c in org_catalogs(state, org, base_url):
        if c["id"] == catalog_id:
            return public(c)
    raise not_found("Catalog", catalog_id)


# ---------------------------------------------------------------------------------------------
# deliveries to cloud stores
# ---------------------------------------------------------------------------------------------


def _delivery(c: dict[str, Any], cloud: dict[str, Any], delivery_id: str, at: str, by: str) -> dict[str, Any]:
    path = str(cloud.get("path") or "").strip("/")
    return {
        "delivery_id": delivery_id,
        "catalog_id": c["id"],
        "task_id": c["task_id"],
        "cloud_delivery": {"config": cloud["config"], **({"path": cloud["path"]} if "path" in cloud else {})},
        "status": "SUCCESS",
        "target_path": f"{path + '/' if path else ''}{c['details']['id']}.zip",
        "created_at": at, "created_by": by, "updated_at": at, "updated_by": by,
        "_order_item_id": c["_order_item_id"],
    }


def list_deliveries(state: SandboxState, org: str, params: dict[str, str], base_url: str) -> dict[str, Any]:
    """``GET /v0/catalogs/deliveries``: automatic ones (items ordered with cloud_delivery) and requested ones."""
    rows = [_delivery(c, c["_cloud_delivery"], stable_uuid("delivery", c["id"]), c["created_at"], c["created_by"])
            for c in org_catalogs(state, org, base_url) if isinstance(c["_cloud_delivery"], dict)]
    rows += [d.body for d in state.store.query(NAME, KIND_DELIVERY, org=org, order_by=[("created_at", True)])]
    wanted = {"delivery_id": "delivery_id", "catalog_id": "catalog_id", "task_id": "task_id",
              "order_item_id": "_order_item_id"}
    for param, key in wanted.items():
        if params.get(param):
            rows = [r for r in rows if r.get(key) == params[param]]
    return {"deliveries": [public(r) for r in rows]}


def create_deliveries(state: SandboxState, org: str, payload: Any, base_url: str) -> dict[str, Any]:
    """``POST /v0/catalogs/deliveries`` → 201 ``{deliveries}``."""
    if not isinstance(payload, dict) or not isinstance(payload.get("deliveries"), list) or not payload["deliveries"]:
        raise validation_failed([{"field": "deliveries", "message": "is required and must be a non-empty list"}])
    problems = Problems()
    found = org_catalogs(state, org, base_url)
    by_id = {c["id"]: c for c in found}
    made: list[dict[str, Any]] = []
    now, user = iso(state.clock.now()), user_uuid(org)
    for i, request in enumerate(payload["deliveries"]):
        at = f"deliveries[{i}]"
        if not isinstance(request, dict):
            problems.add(at, "must be an object")
            continue
        cloud = request.get("cloud_info")
        if not isinstance(cloud, dict) or not isinstance(cloud.get("config"), str):
            problems.add(f"{at}.cloud_info.config", "is required: the id of a store (GET /v0/stores)")
            continue
        if state.store.get(NAME, KIND_STORE, cloud["config"], org=org) is None:
            problems.add(f"{at}.cloud_info.config", "unknown store; create one with POST /v0/stores")
            continue
        chosen = _resolve(request, found, by_id, at, problems)
        for c in chosen:
            made.append(_delivery(c, cloud, str(uuid.uuid4()), now, user))
    problems.raise_if_any()
    with state.store.transaction():
        for d in made:
            state.store.insert(Doc(NAME, KIND_DELIVERY, d["delivery_id"], d, org, now, "SUCCESS"))
    return {"deliveries": [public(d) for d in made]}


def _resolve(request: dict[str, Any], found: list[dict[str, Any]], by_id: dict[str, dict[str, Any]], at: str,
             problems: Problems) -> list[dict[str, Any]]:
    """The catalogs named by ``catalog_ids`` or ``order_item_ids`` (exactly one of them non-empty)."""
    prefix = f"{at}." if at else ""
    catalog_ids = _string_list(request, "catalog_ids", problems)
    item_ids = _string_list(request, "order_item_ids", problems)
    if catalog_ids and item_ids:
        problems.add(f"{prefix}catalog_ids", "give catalog_ids or order_item_ids, not both")
        return []
    if not catalog_ids and not item_ids:
        problems.add(f"{prefix}catalog_ids", "one of catalog_ids or order_item_ids is required")
        return []
    chosen = []
    for k, cid in enumerate(catalog_ids):
        if cid in by_id:
            chosen.append(by_id[cid])
        else:
            problems.add(f"{prefix}catalog_ids[{k}]", f"unknown catalog {cid!r}; see POST /v0/catalogs/search")
    for k, item_id in enumerate(item_ids):
        mine = [c for c in found if c["_order_item_id"] == item_id]
        if not mine:
            problems.add(f"{prefix}order_item_ids[{k}]", "no delivered imagery for this order item (yet)")
        chosen += mine
    return chosen


# ---------------------------------------------------------------------------------------------
# downloads and signed URLs
# ---------------------------------------------------------------------------------------------


def _signature(download_id: str, expires: int) -> str:
    return hmac.new(_SECRET, f"{download_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def signed_url(state: SandboxState, download_id: str, base_url: str) -> str:
    """A URL for the download's file, valid for an hour of sandbox time, resolvable without auth."""
    expires = int((state.clock.now() + SIGNED_URL_TTL).timestamp())
    return f"{base_url}{STORAGE_PATH}/{download_id}.zip?expires={expires}&signature={_signature(download_id, expires)}"


def create_download(state: SandboxState, org: str, payload: Any, base_url: str) -> dict[str, Any]:
    """``POST /v0/catalogs/download`` → 201 ``{id, signed_url, status}``."""
    if not isinstance(payload, dict):
        raise validation_failed([{"field": "body", "message": "must be a JSON object"}])
    problems = Problems()
    found = org_catalogs(state, org, base_url)
    chosen = _resolve(payload, found, {c["id"]: c for c in found}, "", problems)
    problems.raise_if_any()
    download_id = str(uuid.uuid4())
    body = {"id": download_id, "catalog_ids": list(dict.fromkeys(c["id"] for c in chosen)), "org": org}
    state.store.insert(Doc(NAME, KIND_DOWNLOAD, download_id, body, org, iso(state.clock.now()), "success"))
    return {"id": download_id, "signed_url": signed_url(state, download_id, base_url), "status": "success"}


def get_download(state: SandboxState, org: str, download_id: str, base_url: str) -> dict[str, Any]:
    """``GET /v0/catalogs/download/{id}`` with a freshly signed URL."""
    if state.store.get(NAME, KIND_DOWNLOAD, download_id, org=org) is None:
        raise not_found("Download", download_id)
    return {"id": download_id, "signed_url": signed_url(state, download_id, base_url), "status": "success"}


def download_file(state: SandboxState, download_id: str, expires: str, signature: str, base_url: str) -> bytes:
    """The zip behind a signed URL; 403 when the signature is wrong or expired, 404 when unknown."""
    try:
        expiry = int(expires)
    except ValueError:
        raise error(403, "Invalid signature.", "SIGNATURE_INVALID") from None
    if not hmac.compare_digest(_signature(download_id, expiry), signature):
        raise error(403, "Invalid signature.", "SIGNATURE_INVALID")
    if state.clock.now().timestamp() > expiry:
        raise error(403, "The signed URL has expired; GET /v0/catalogs/download/{id} gives a fresh one.", "EXPIRED")
    doc = state.store.get(NAME, KIND_DOWNLOAD, download_id)
    if doc is None:
        raise not_found("Download", download_id)
    wanted = set(doc.body["catalog_ids"])
    products = [c for c in org_catalogs(state, doc.org, base_url) if c["id"] in wanted]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for c in products:
            scene = c["details"]["id"]
            archive.writestr(f"{scene}/metadata.json", json.dumps(c["details"], indent=2))
            archive.writestr(f"{scene}/README.txt",
                             f"pixorder sandbox delivery of {scene} (catalog {c['id']}, task {c['task_id']}).\n"
                             "The real product holds the L2A hyperspectral GeoTIFF; the sandbox ships its metadata.\n")
    return buffer.getvalue()

