"""Pixxel v0 in the sandbox, official endpoints beside orders: the STAC archive, catalogs, deliveries,
downloads with signed URLs that resolve to a file, and cloud stores, over real HTTP."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator

import httpx
import pytest

from pixorder import sandbox as sandbox_pkg

from .test_pixxel import BANGALORE, fc, pixxel_client, place, tasking

BBOX = [77.5, 12.9, 77.6, 13.0]


@pytest.fixture()
def pixxel(sandbox: sandbox_pkg.Sandbox) -> Iterator[httpx.Client]:
    yield from pixxel_client(sandbox)


def test_archive_collections_and_items_are_stac(pixxel):
    collections = pixxel.get("/archives/collections").json()["collections"]
    assert [c["id"] for c in collections] == ["pixxel-td", "pixxel-ff"]
    assert all(c["type"] == "Collection" and c["stac_version"] and c["links"] for c in collections)
    assert [c["id"] for c in pixxel.get("/archives/collections", params={"ids": "pixxel-ff"}).json()["collections"]] == [
        "pixxel-ff"]
    one = pixxel.get("/archives/collections/pixxel-td").json()
    assert one == collections[0]
    assert pixxel.get("/archives/collections/nope").status_code == 404
    page = pixxel.get("/archives/collections/pixxel-ff/items", params={"limit": 3}).json()
    assert page["type"] == "FeatureCollection" and len(page["features"]) == 3
    assert {link["rel"] for link in page["links"]} == {"self", "next"}
    following = pixxel.get("/archives/collections/pixxel-ff/items", params={"limit": 3, "offset": 3}).json()
    assert not {f["id"] for f in page["features"]} & {f["id"] for f in following["features"]}
    item = page["features"][0]
    assert item["collection"] == "pixxel-ff" and item["id"].startswith("FF0")
    assert pixxel.get(f"/archives/collections/pixxel-ff/items/{item['id']}").json() == item
    assert pixxel.get(f"/archives/collections/pixxel-td/items/{item['id']}").status_code == 404


def test_archive_search_ids_query_sortby_collections(pixxel):
    found = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 500}).json()["features"]
    assert len(found) < 500  # every scene over the box
    ids = [f["id"] for f in found[:3]]
    by_id = pixxel.post("/archives/search", json={"ids": ids}).json()["features"]
    assert sorted(f["id"] for f in by_id) == sorted(ids)
    clear = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 500,
                                                  "query": {"eo:cloud_cover": {"lt": 10}}}).json()["features"]
    assert clear and all(f["properties"]["eo:cloud_cover"] < 10 for f in clear)
    assert {f["id"] for f in clear} == {f["id"] for f in found if f["properties"]["eo:cloud_cover"] < 10}
    ascending = pixxel.post("/archives/search", json={
        "bbox": BBOX, "limit": 50, "sortby": [{"field": "properties.eo:cloud_cover", "direction": "asc"}]}).json()
    clouds = [f["properties"]["eo:cloud_cover"] for f in ascending["features"]]
    assert clouds == sorted(clouds)
    only_td = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 50, "collections": ["pixxel-td"]}).json()
    assert only_td["features"] and {f["collection"] for f in only_td["features"]} == {"pixxel-td"}
    # a box across the antimeridian (west > east) is two boxes, as STAC says
    fiji = pixxel.post("/archives/search", json={"bbox": [179.6, -17.0, -179.6, -16.6], "limit": 100}).json()
    lons = {float(f["bbox"][0]) > 0 for f in fiji["features"]}
    assert lons == {True, False}


def fulfilled_archive_item(sandbox, pixxel) -> dict:
    scenes = pixxel.post("/archives/search", json={"bbox": BBOX, "limit": 2}).json()["features"]
    (item,) = place(pixxel, {"name": "archive", "geometry": fc(BANGALORE), "project_id": "p", "usecase": "mapping",
                             "item_ids": [s["id"] for s in scenes]})["order_items"]
    sandbox.advance(days=1.1)
    return pixxel.get(f"/order-items/{item['id']}").json()


def test_catalogs_of_delivered_imagery(sandbox, pixxel):
    pending = place(pixxel, tasking(sandbox))["order_items"][0]
    item = fulfilled_archive_item(sandbox, pixxel)
    assert item["status"] == "FULFILLED"
    found = pixxel.post("/catalogs/search", json={"order_item_ids": [item["id"]], "limit": 10}).json()
    assert found["pagination"] == {"limit": 10, "offset": 0, "total": 2}
    catalogs = found["catalogs"]
    assert {c["task_id"] for c in catalogs} == {t["id"] for t in item["tasks"]}
    assert {c["details"]["id"] for c in catalogs} == {i["item_id"] for i in item["images"]}
    assert all(c["delivery_status"] == "SUCCESS" and c["details"]["stac_version"] for c in catalogs)
    assert pixxel.post("/catalogs/search", json={}).json()["pagination"]["limit"] == 2  # the spec's default
    assert pixxel.post("/catalogs/search", json={"order_item_ids": [pending["id"]]}).json()["catalogs"] == []
    by_scene = pixxel.post("/catalogs/search", json={"item_ids": [catalogs[0]["details"]["id"]]}).json()
    assert [c["id"] for c in by_scene["catalogs"]] == [catalogs[0]["id"]]
    assert pixxel.get(f"/catalogs/{catalogs[0]['id']}").json() == catalogs[0]
    assert pixxel.get("/catalogs/nope").status_code == 404


def test_download_signed_url_resolves_to_a_file_without_auth(sandbox, pixxel):
    item = fulfilled_archive_item(sandbox, pixxel)
    created = pixxel.post("/catalogs/download", json={"order_item_ids": [item["id"]]})
    assert created.status_code == 201, created.text
    download = created.json()
    assert set(download) == {"id", "signed_url", "status"} and download["status"] == "success"
    response = httpx.get(download["signed_url"])  # plain GET: no Authorization header
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        scenes = {i["item_id"] for i in item["images"]}
        assert {n.split("/")[0] for n in names} == scenes
        meta = json.loads(archive.read(next(n for n in names if n.endswith("metadata.json"))))
        assert meta["id"] in scenes and meta["type"] == "Feature"
    again = pixxel.get(f"/catalogs/download/{download['id']}").json()
    assert again["id"] == download["id"] and httpx.get(again["signed_url"]).status_code == 200
    tampered = download["signed_url"].replace("signature=", "signature=0")
    assert httpx.get(tampered).status_code == 403
    sandbox.advance(hours=2)  # signed for one hour of sandbox time
    expired = httpx.get(download["signed_url"])
    assert expired.status_code == 403 and "expired" in expired.json()["error"]["message"]
    # catalog_ids work too; both at once, neither, or unknown ids are refused naming the field
    catalog_id = pixxel.post("/catalogs/search", json={"order_item_ids": [item["id"]]}).json()["catalogs"][0]["id"]
    assert pixxel.post("/catalogs/download", json={"catalog_ids": [catalog_id]}).status_code == 201
    for body, field in (({"catalog_ids": [catalog_id], "order_item_ids": [item["id"]]}, "catalog_ids"),
                        ({}, "catalog_ids"), ({"catalog_ids": ["nope"]}, "catalog_ids[0]")):
        refused = pixxel.post("/catalogs/download", json=body)
        assert refused.status_code == 400 and refused.json()["error"]["details"][0]["field"] == field, body
    assert pixxel.get("/catalogs/download/nope").status_code == 404


def test_stores_and_deliveries(sandbox, pixxel):
    store = {"name": "my-bucket", "type": "S3", "configs": {"bucket": "b", "region": "eu-west-1"},
             "secrets": {"access_key_id": "AKIA…", "secret_access_key": "…"}}
    created = pixxel.post("/stores", json=store)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["name"] == "my-bucket" and "secrets" not in body and body["configs"]["region"] == "eu-west-1"
    assert pixxel.get("/stores").json() == {"stores": [body]}
    assert pixxel.post("/stores", json=store).status_code == 409
    assert pixxel.post("/stores", json={**store, "type": "FTP"}).json()["error"]["details"][0]["field"] == "type"

    item = fulfilled_archive_item(sandbox, pixxel)
    request = {"deliveries": [{"order_item_ids": [item["id"]], "catalog_ids": [],
                               "cloud_info": {"config": body["id"], "path": "pixxel/"}}]}
    made = pixxel.post("/catalogs/deliveries", json=request)
    assert made.status_code == 201, made.text
    deliveries = made.json()["deliveries"]
    assert len(deliveries) == 2 and {d["status"] for d in deliveries} == {"SUCCESS"}
    assert all(d["target_path"].startswith("pixxel/") and d["target_path"].endswith(".zip") for d in deliveries)
    listed = pixxel.get("/catalogs/deliveries", params={"order_item_id": item["id"]}).json()["deliveries"]
    assert sorted(d["delivery_id"] for d in listed) == sorted(d["delivery_id"] for d in deliveries)
    one = pixxel.get("/catalogs/deliveries", params={"delivery_id": deliveries[0]["delivery_id"]}).json()
    assert one == {"deliveries": [deliveries[0]]}
    unknown_store = {"deliveries": [{**request["deliveries"][0], "cloud_info": {"config": "nope"}}]}
    assert pixxel.post("/catalogs/deliveries", json=unknown_store).json()["error"]["details"][0]["field"] == (
        "deliveries[0].cloud_info.config")
    assert pixxel.delete(f"/stores/{body['id']}").status_code == 204
    assert pixxel.get("/stores").json() == {"stores": []}
    assert pixxel.delete(f"/stores/{body['id']}").status_code == 404
