"""The Pixxel routes: ``GET /ping`` at the root, the ``/v0`` API, and the storage behind signed URLs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from ..state import SandboxState
from ..web import BodyError, read_json
from ..web import json_response as json_body_response
from . import archive, catalog, delivery, listing, workspace
from .common import BASE, MAX_BODY_BYTES, SEARCH_MAX_LIMIT
from .errors import authenticate, error
from .orders import create_order


async def _json_body(request: Request) -> Any:
    try:
        return await read_json(request, max_bytes=MAX_BODY_BYTES)
    except BodyError as exc:
        raise error(exc.status, str(exc), "VALIDATION_ERROR" if exc.status == 400 else None) from None


def json_response(text: str, status: int = 200) -> Response:
    """Already-serialised JSON as a response."""
    return Response(text, status, media_type="application/json")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def build_router(state: SandboxState) -> APIRouter:
    """Every Pixxel route, closing over the sandbox state."""
    router = APIRouter(tags=["Pixxel v0"])
    auth = Depends(authenticate)

    @router.get("/ping", summary="Ping (no auth): the JSON string \"pong\"")
    async def ping() -> str:
        return "pong"

    # --- orders -------------------------------------------------------------------------------
    @router.post(BASE + "/orders", status_code=201, summary="Create an order (dry_run prices without placing)")
    async def post_order(request: Request, org: str = auth) -> Response:
        return json_body_response(create_order(state, org, await _json_body(request)), 201, request)

    @router.get(BASE + "/orders", summary="List orders (user_id, limit, offset)")
    async def get_orders(request: Request, org: str = auth) -> Response:
        return json_response(listing.list_orders(state, org, request))

    @router.get(BASE + "/orders/{order_id}", summary="Get an order with its items")
    async def get_one_order(order_id: str, org: str = auth) -> Response:
        return json_response(listing.get_order(state, org, order_id))

    @router.get(BASE + "/order-items", summary="List order items (filters, ranges 'from,to', limit ≤ 1000, offset)")
    async def get_items(request: Request, org: str = auth) -> Response:
        return json_response(listing.list_items(state, org, request))

    @router.get(BASE + "/order-items/{item_id}", summary="Get an order item with its tasks")
    async def get_item(item_id: str, org: str = auth) -> Response:
        return json_response(listing.get_item(state, org, item_id))

    @router.get(BASE + "/bandsets", summary="List bandsets (VNIR, SWIR, VSWIR, ...)")
    async def get_bandsets(org: str = auth) -> dict[str, Any]:
        return catalog.bandsets_body()

    # --- workspace ----------------------------------------------------------------------------
    @router.get(BASE + "/projects", summary="List projects (page_num from 1, page_size)")
    async def get_projects(request: Request, org: str = auth) -> dict[str, Any]:
        page_num = listing.int_param(request, "page_num", 1, 1, 10**6)
        page_size = listing.int_param(request, "page_size", 10, 1, 100)
        return workspace.list_projects(org, page_num, page_size)

    @router.get(BASE + "/projects/{project_id}", summary="Get a project")
    async def get_project(project_id: str, org: str = auth) -> dict[str, Any]:
        return workspace.get_project(org, project_id)

    @router.get(BASE + "/stores", summary="List cloud stores")
    async def get_stores(org: str = auth) -> dict[str, Any]:
        return workspace.list_stores(state, org)

    @router.post(BASE + "/stores", summary="Create a cloud store (S3, GCS, AZBLOB)")
    async def post_store(request: Request, org: str = auth) -> dict[str, Any]:
        return workspace.create_store(state, org, await _json_body(request))

    @router.delete(BASE + "/stores/{store_id}", status_code=204, summary="Delete a cloud store")
    async def delete_store(store_id: str, org: str = auth) -> Response:
        workspace.delete_store(state, org, store_id)
        return Response(status_code=204)

    # --- archive (STAC) -----------------------------------------------------------------------
    @router.get(BASE + "/archives/collections", summary="List archive collections (ids: comma list)")
    async def get_collections(request: Request, org: str = auth) -> dict[str, Any]:
        return archive.list_collections(state, request.query_params.get("ids"), _base(request))

    @router.get(BASE + "/archives/collections/{cid}", summary="Get an archive collection")
    async def get_collection(cid: str, request: Request, org: str = auth) -> dict[str, Any]:
        return archive.get_collection(state, cid, _base(request))

    @router.get(BASE + "/archives/collections/{cid}/items", summary="List a collection's items (newest day first)")
    async def get_collection_items(cid: str, request: Request, org: str = auth) -> dict[str, Any]:
        limit = listing.int_param(request, "limit", 10, 1, SEARCH_MAX_LIMIT)
        offset = listing.int_param(request, "offset", 0, 0, archive.MAX_LIST_OFFSET)
        return archive.collection_items(state, cid, limit, offset, _base(request))

    @router.get(BASE + "/archives/collections/{cid}/items/{scene_id}", summary="Get an archive item")
    async def get_collection_item(cid: str, scene_id: str, request: Request, org: str = auth) -> dict[str, Any]:
        return archive.get_item(state, cid, scene_id, _base(request))

    @router.post(BASE + "/archives/search", summary="Search the archive (STAC: collections, ids, bbox|intersects, "
                                                    "datetime, query, sortby, limit, offset)")
    async def search(request: Request, org: str = auth) -> dict[str, Any]:
        return archive.search(state, await _json_body(request), _base(request))

    # --- catalogs: delivered products, deliveries, downloads ----------------------------------
    @router.post(BASE + "/catalogs/search", summary="Search delivered products (catalogs)")
    async def search_catalogs(request: Request, org: str = auth) -> dict[str, Any]:
        return delivery.search_catalogs(state, org, await _json_body(request), _base(request))

    @router.get(BASE + "/catalogs/deliveries", summary="List deliveries to cloud stores")
    async def get_deliveries(request: Request, org: str = auth) -> dict[str, Any]:
        return delivery.list_deliveries(state, org, dict(request.query_params), _base(request))

    @router.post(BASE + "/catalogs/deliveries", status_code=201, summary="Deliver catalogs to a cloud store")
    async def post_deliveries(request: Request, org: str = auth) -> JSONResponse:
        body = delivery.create_deliveries(state, org, await _json_body(request), _base(request))
        return JSONResponse(body, 201)

    @router.post(BASE + "/catalogs/download", status_code=201, summary="Create a download (signed URL)")
    async def post_download(request: Request, org: str = auth) -> JSONResponse:
        return JSONResponse(delivery.create_download(state, org, await _json_body(request), _base(request)), 201)

    @router.get(BASE + "/catalogs/download/{download_id}", summary="Get a download (a freshly signed URL)")
    async def get_download(download_id: str, request: Request, org: str = auth) -> dict[str, Any]:
        return delivery.get_download(state, org, download_id, _base(request))

    @router.get(BASE + "/catalogs/{catalog_id}", summary="Get a catalog (a delivered product)")
    async def get_catalog(catalog_id: str, request: Request, org: str = auth) -> dict[str, Any]:
        return delivery.get_catalog(state, org, catalog_id, _base(request))

    # --- the storage a signed URL points at (no auth: the signature is the credential) --------
    @router.get(delivery.STORAGE_PATH + "/{download_id}.zip", include_in_schema=False)
    async def storage(download_id: str, request: Request) -> Response:
        params = request.query_params
        data = delivery.download_file(state, download_id, params.get("expires", ""), params.get("signature", ""),
                                      _base(request))
        return Response(data, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{download_id}.zip"'})

    return router
