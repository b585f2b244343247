"""Geopera v1 sandbox over HTTP: every orders.* operation via both path forms, auth, errors, pricing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from .geopera_helpers import (
    HUGE,
    LARGE,
    SMALL,
    Geopera,
    assert_422,
    assert_problem,
    assert_schema,
    data,
    fc,
    geopera_client,  # noqa: F401 - the geopera fixture
    square,
)

FORMS = ["op", "resource"]
OPERATIONS = sorted(
    op["operationId"] for item in data("geopera-openapi.orders.json")["paths"].values() for op in item.values()
)


def test_the_sandbox_serves_every_documented_orders_operation_at_both_paths(sandbox):
    spec = httpx.get(sandbox.url + "/openapi.json").json()
    assert len(OPERATIONS) == 26
    for operation in OPERATIONS:
        op_path = spec["paths"][f"/v1/op/{operation}"]["post"]
        resource_path = spec["paths"]["/v1/" + operation.replace(".", "/")]["post"]
        assert op_path["operationId"] == operation
        assert op_path["requestBody"] == resource_path["requestBody"]


def test_request_bodies_use_geopera_component_names_and_shapes(sandbox):
    """The sandbox's own OpenAPI declares the same input components as Geopera's document."""
    ours = httpx.get(sandbox.url + "/openapi.json").json()
    theirs = data("geopera-openapi.orders.json")
    for path, item in theirs["paths"].items():
        their_body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        our_body = ours["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        if "$ref" not in their_body:  # free-form place bodies: an object or null
            assert {"type": "null"} in our_body["anyOf"]
            continue
        assert our_body == their_body, path
        name = their_body["$ref"].rsplit("/", 1)[1]
        their_schema, our_schema = theirs["components"]["schemas"][name], ours["components"]["schemas"][name]
        assert set(our_schema["properties"]) == set(their_schema["properties"]), name
        assert our_schema.get("required", []) == their_schema.get("required", []), name
        for field, prop in their_schema["properties"].items():
            for constraint in ("pattern", "minLength", "maxLength", "type"):
                assert our_schema["properties"][field].get(constraint) == prop.get(constraint), (name, field)
    for status in ("401", "404"):
        assert "application/problem+json" in ours["paths"]["/v1/op/orders.cancel"]["post"]["responses"][status]["content"]


@pytest.mark.parametrize("form", FORMS)
def test_sensors_catalogue(geopera: Geopera, form: str):
    body = geopera.ok("orders.tasking.sensors", {}, form=form)
    assert_schema(body, "TaskingSensorsOutput")
    assert 6 <= len(body["sensors"]) <= 8
    for sensor in body["sensors"]:
        assert {"id", "name", "resolutionM", "bands", "imageType", "minAreaKm2", "pricing"} <= set(sensor)
        assert set(sensor["pricing"]) == {"audPerKm2", "creditsPerAud", "minAreaKm2"}
    assert {s["imageType"] for s in body["sensors"]} == {"optical", "sar"}


def test_auth_bearer_x_api_key_and_failures(sandbox, geopera: Geopera):
    url = sandbox.url + "/v1/op/orders.tasking.sensors"
    assert httpx.post(url, json={}, headers={"x-api-key": "gpra_sandbox_key"}).status_code == 200
    assert httpx.post(url, json={}, headers={"Authorization": "Bearer gpra_sandbox_key.acme"}).status_code == 200
    for headers in ({}, {"Authorization": "Bearer gpra_wrong"}, {"Authorization": "api-key gpra_sandbox_key"},
                    {"x-api-key": "nope"}):
        for path in (url, sandbox.url + "/v1/orders/get"):
            response = httpx.post(path, json={"order_id": "x"}, headers=headers)
            assert_problem(response, 401)
            assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_operation_and_method_are_problems(sandbox, geopera: Geopera):
    assert_problem(geopera.post("orders.nope"), 404)
    assert_problem(geopera.http.post("/v1/orders/nope", json={}), 404)
    assert_problem(geopera.http.get("/v1/op/orders.get"), 405)


@pytest.mark.parametrize("form", FORMS)
def test_validation_errors_are_fastapi_422(geopera: Geopera, form: str):
    assert_422(geopera.post("orders.get", {}, form=form), ["body", "order_id"])
    assert_422(geopera.post("orders.get", {"order_id": 5}, form=form), ["body", "order_id"])
    assert_422(geopera.post("orders.tasking.quotation_decide", {"quotation_id": "q", "decision": "accepted"}, form=form),
               ["body", "decision"])
    assert_422(geopera.post("orders.tasking.feasibility_decide", {"study_id": "s"}, form=form), ["body", "acceptedOptionId"])
    template = {"resolution": "0.3m", "sensor": "pneo-30cm", "capture_frequency": "ONCE", "datum": "WGS84",
                "file_format": "GeoTIFF"}
    assert_422(geopera.post("orders.tasking.templates.save", {**template, "name": ""}, form=form), ["body", "name"])
    assert_422(geopera.post("orders.tasking.templates.save", {**template, "name": "x" * 256}, form=form), ["body", "name"])
    assert_422(geopera.post("orders.tasking.templates.save", {"name": "n"}, form=form),
               ["body", "resolution"], ["body", "sensor"], ["body", "capture_frequency"], ["body", "datum"],
               ["body", "file_format"])
    assert_422(geopera.post("orders.place", {"dataProduct": "pneo-30cm"}, form=form), ["body", "workspaceId"])
    assert_422(geopera.post("orders.list", {"page": "first"}, form=form), ["body", "page"])
    assert_422(geopera.post("orders.list", {"size": 0}, form=form), ["body", "size"])
    assert_422(geopera.post("orders.list", {"sort": "price,desc"}, form=form), ["body", "sort"])
    assert_422(geopera.http.post(geopera.path("orders.tasking.estimate", form), content=b"not json",
                                 headers={"content-type": "application/json"}))
    # Semantic checks of the free-form place bodies use the same shape, pointing into the body.
    assert_422(geopera.post("orders.tasking.place", {"sensor": "nope", "featureCollection": fc(SMALL)}, form=form),
               ["body", "sensor"])
    assert_422(geopera.post("orders.archive.place", {"captures": [{"id": "c", "geometry": {"type": "Point"}}]}, form=form),
               ["body", "captures", 0])


@pytest.mark.parametrize("form", FORMS)
def test_tasking_estimate_prices_deterministically_with_uplifts(geopera: Geopera, form: str):
    request = data("tasking-estimate.request.json")
    first = geopera.ok("orders.tasking.estimate", request, form=form)
    assert_schema(first, "TaskingEstimateOutput")
    assert geopera.ok("orders.tasking.estimate", request, form=form) == first
    (group,) = first["groups"]
    assert group["sensor"] == "pneo-30cm" and group["uplifts"] == [] and group["feasibility"] == "SUCCESS"
    assert group["billedAreaKm2"] == 25.0 and group["totalAud"] == 25 * 28.0 == first["totalAud"]
    assert group["credits"] == first["totalCredits"] == 7000

    params = request["groups"][0]["params"]
    params.update(priority="EXPEDITED", maxCloudCover=10, maxOffNadir=10, recurrence="WEEKLY", occurrences=3)
    (tight,) = geopera.ok("orders.tasking.estimate", request, form=form)["groups"]
    base = 25 * 28.0 * 3
    assert tight["baseAud"] == base
    assert [(u["name"], u["percentage"], u["amountAud"]) for u in tight["uplifts"]] == [
        ("expedited", 20, base * 0.2), ("tight_cloud", 15, base * 0.15), ("tight_off_nadir", 10, base * 0.1)]
    assert tight["totalAud"] == pytest.approx(base * 1.45)
    # A SAR sensor ignores cloud cover (no uplift); ONCE ignores occurrences.
    params.update(priority="STANDARD", maxOffNadir=30, recurrence="ONCE")
    request["groups"][0]["sensor"] = "iceye-sar-1m"
    (sar,) = geopera.ok("orders.tasking.estimate", request, form=form)["groups"]
    assert sar["uplifts"] == [] and sar["totalAud"] == 25 * 20.0 and sar["occurrences"] == 1


def test_bulk_estimate_reports_failing_groups_without_failing_the_call(geopera: Geopera):
    good = {"sensor": "spot-1.5m", "featureCollection": fc(LARGE), "params": {}}
    bad = [
        {"sensor": "unknown-sensor", "featureCollection": fc(SMALL)},
        {"featureCollection": fc(SMALL)},
        {"sensor": "pneo-30cm", "featureCollection": fc({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})},
        {"sensor": "pneo-30cm", "featureCollection": fc(SMALL), "params": {"maxCloudCover": 150}},
        {"sensor": "pneo-30cm", "featureCollection": fc(SMALL), "params": {"priority": "ASAP"}},
        {"sensor": "pneo-30cm", "featureCollection": fc(SMALL), "params": "not an object"},
    ]
    groups = [dict(good, groupId=f"ok-{i}") for i in range(94)] + bad
    body = geopera.ok("orders.tasking.estimate", {"groups": groups})
    assert_schema(body, "TaskingEstimateOutput")
    assert len(body["groups"]) == 94 and [e["index"] for e in body["errors"]] == list(range(94, 100))
    assert body["errors"][0]["loc"] == ["groups", 94, "sensor"] and "unknown-sensor" in body["errors"][0]["detail"]
    assert body["errors"][3]["loc"] == ["groups", 97, "params", "maxCloudCover"]
    assert body["totalAud"] == pytest.approx(sum(g["totalAud"] for g in body["groups"]))
    assert body["totalCredits"] == sum(g["credits"] for g in body["groups"])
    assert body["groups"][0]["feasibility"] == "WEAK_SUCCESS"  # ~790 km²: a study will be needed
    assert_problem(geopera.post("orders.tasking.estimate", {"groups": groups + [good]}), 400)  # 101 groups


@pytest.mark.parametrize("form", FORMS)
def test_archive_estimate_per_capture_minimum_and_split_by_date(geopera: Geopera, form: str):
    request = data("archive-estimate.request.json")
    split = geopera.ok("orders.archive.estimate", request, form=form)
    assert_schema(split, "ArchiveEstimateOutput")
    assert "total_aud" in split and "totalAud" not in split  # the documented snake_case totals
    assert [(g["date"], g["captureIds"]) for g in split["groups"]] == [
        ("2024-06-15", ["PNEO3_202406150012345", "PNEO4_202406150012399"]), ("2024-07-02", ["WV3_20240702_001"])]
    # The 2×2 km capture is billed at the 25 km² minimum.
    assert split["groups"][0]["billedAreaKm2"] == 50.0
    request["splitByDate"] = False
    whole = geopera.ok("orders.archive.estimate", request, form=form)
    assert len(whole["groups"]) == 1 and whole["total_aud"] == split["total_aud"] > 0
    assert whole["total_credits"] == split["total_credits"]
    request["captures"].append({"id": "broken", "geometry": None})
    partial = geopera.ok("orders.archive.estimate", request, form=form)
    assert partial["errors"] == [{"index": 3, "captureId": "broken", "detail": partial["errors"][0]["detail"]}]
    assert partial["total_aud"] == whole["total_aud"]


@pytest.mark.parametrize("form", FORMS)
def test_orders_estimate_is_a_one_group_tasking_estimate(geopera: Geopera, form: str):
    body = geopera.ok("orders.estimate", {"dataProduct": "wv3-31cm", "featureCollection": fc(SMALL),
                                          "params": {"priority": "EXPEDITED"}}, form=form)
    assert_schema(body, "TaskingEstimateOutput")
    assert body["groups"][0]["totalAud"] == 25 * 32.0 * 1.2 == body["totalAud"]
    failed = geopera.ok("orders.estimate", {"dataProduct": "nope", "featureCollection": fc(SMALL)}, form=form)
    assert failed["groups"] == [] and failed["totalAud"] == 0 and failed["errors"][0]["loc"] == ["groups", 0, "sensor"]


@pytest.mark.parametrize("form", FORMS)
def test_feasibility_check_and_opportunities(geopera: Geopera, form: str):
    arctic = square(20.0, 70.0, 0.05)
    check = geopera.ok("orders.tasking.feasibility_check",
                       {"dataProduct": "pneo-30cm", "featureCollection": fc(SMALL, LARGE, arctic)}, form=form)
    assert [(f["index"], f["feasibilityRequired"]) for f in check["features"]] == [(0, False), (1, True), (2, True)]
    assert "km²" in check["features"][1]["reason"] and "latitude" in check["features"][2]["reason"]

    start = geopera.sandbox.now()
    params = {"acquisitionStart": start.isoformat(), "acquisitionEnd": (start + timedelta(days=120)).isoformat()}
    request = {"dataProduct": "satellogic-70cm", "featureCollection": fc(SMALL), "params": params}
    first = geopera.ok("orders.tasking.opportunities_list", request, form=form)
    assert first == geopera.ok("orders.tasking.opportunities_list", request, form=form)  # deterministic
    passes = first["opportunities"]
    assert 0 < len(passes) <= 50 and all(p["sensor"] == "satellogic-70cm" for p in passes)
    assert [p["start"] for p in passes] == sorted(p["start"] for p in passes)
    assert geopera.ok("orders.tasking.opportunities_list", {**request, "featureCollection": fc(LARGE)},
                      form=form)["opportunities"] == []  # manual feasibility: no predicted passes
    assert_problem(geopera.post("orders.tasking.feasibility_check", {"dataProduct": "nope"}, form=form), 404)
    assert_422(geopera.post("orders.tasking.feasibility_check", {"dataProduct": "pneo-30cm"}, form=form),
               ["body", "featureCollection"])


@pytest.mark.parametrize("form", FORMS)
def test_get_schema(geopera: Geopera, form: str):
    optical = geopera.ok("orders.get_schema", {"data_product_id": "pneo-30cm"}, form=form)
    assert optical["type"] == "object" and {"acquisitionStart", "maxCloudCover", "priority"} <= set(optical["properties"])
    sar = geopera.ok("orders.get_schema", {"data_product_id": "capella-sar-50cm"}, form=form)
    assert "maxCloudCover" not in sar["properties"]
    assert "captureIds" in geopera.ok("orders.get_schema", {"data_product_id": "archive"}, form=form)["properties"]
    assert_problem(geopera.post("orders.get_schema", {"data_product_id": "nope"}, form=form), 404)


@pytest.mark.parametrize("form", FORMS)
def test_templates_save_list_soft_delete(geopera: Geopera, form: str):
    template = {"name": "Weekly Sydney", "resolution": "0.3m", "sensor": "pneo-30cm", "capture_frequency": "WEEKLY",
                "datum": "WGS84", "file_format": "GeoTIFF", "max_cloud_coverage": 10}
    saved = geopera.ok("orders.tasking.templates.save", template, form=form)
    assert_schema(saved, "TemplateSaveOutput")
    assert saved["name"] == "Weekly Sydney" and saved["capture_asap"] is True and saved["max_nadir_angle"] == 0
    other = geopera.ok("orders.tasking.templates.save", {**template, "name": "Other"}, form=form)
    listed = geopera.ok("orders.tasking.templates.list", {}, form=form)
    assert_schema(listed, "TemplateListOutput")
    assert [t["id"] for t in listed["templates"]] == [saved["id"], other["id"]]
    deleted = geopera.ok("orders.tasking.templates.delete", {"template_id": saved["id"]}, form=form)
    assert_schema(deleted, "TemplateDeleteOutput")
    assert deleted == {"template_id": saved["id"], "deleted": True}
    assert [t["id"] for t in geopera.ok("orders.tasking.templates.list", form=form)["templates"]] == [other["id"]]
    assert_problem(geopera.post("orders.tasking.templates.delete", {"template_id": saved["id"]}, form=form), 404)
    # Org-scoped: another organisation sees none of them.
    acme = Geopera(geopera.sandbox, "gpra_sandbox_key.acme")
    assert acme.ok("orders.tasking.templates.list")["templates"] == []
    assert_problem(acme.post("orders.tasking.templates.delete", {"template_id": other["id"]}), 404)
    acme.close()


@pytest.mark.parametrize("form", FORMS)
def test_place_get_update_list_assets_and_groups(geopera: Geopera, form: str):
    placed = geopera.ok("orders.place", {"workspaceId": "ws-1", "dataProduct": "skysat-50cm", "displayName": "Two fields",
                                         "featureCollection": fc(SMALL, square(11.0, 45.0), {"type": "Polygon"}),
                                         "tags": ["blue"], "params": {"maxCloudCover": 30}}, form=form)
    assert_schema(placed, "OrderPlaceOutput")
    assert [r["index"] for r in placed["results"]] == [0, 1]
    assert [e["index"] for e in placed["errors"]] == [2]
    order_id = placed["results"][0]["id"]
    order = geopera.ok("orders.get", {"order_id": order_id}, form=form)
    assert {"id", "displayName", "workspaceId", "dataProductId", "type", "status", "subStatus", "createdAt", "updatedAt",
            "tags", "featureCollection", "params", "totalAud", "credits"} <= set(order)
    assert (order["type"], order["status"], order["dataProductId"], order["tags"]) == ("TASKING", "CREATED", "skysat-50cm", ["blue"])
    assert not [key for key in order if key.startswith("_")]

    updated = geopera.ok("orders.update", {"order_id": order_id, "tags": ["red", "blue"]}, form=form)
    assert_schema(updated, "OrderUpdateOutput")
    assert updated["tags"] == ["blue", "red"]  # merged, not replaced
    assert geopera.ok("orders.get", {"order_id": order_id}, form=form)["tags"] == ["blue", "red"]

    assets = geopera.ok("orders.list_assets", {"order_id": order_id}, form=form)
    assert assets["type"] == "FeatureCollection" and assets["features"] == []  # nothing delivered yet
    groups = geopera.ok("orders.tasking.groups.list", {"order_id": order_id}, form=form)["groups"]
    assert [(g["sensor"], g["status"]) for g in groups] == [("skysat-50cm", "CREATED")]
    coverage = geopera.ok("orders.coverage.get", {"order_id": order_id}, form=form)
    assert coverage["coveredKm2"] == 0 and coverage["remainderKm2"] == coverage["requestedKm2"] > 20
    assert len(geopera.ok("orders.coverage.groups.list", {"order_id": order_id}, form=form)["groups"]) == 1

    for operation in ("orders.get", "orders.update", "orders.cancel", "orders.list_assets", "orders.coverage.get",
                      "orders.coverage.groups.list", "orders.tasking.groups.list"):
        assert_problem(geopera.post(operation, {"order_id": "no-such-order"}, form=form), 404)
    acme = Geopera(geopera.sandbox, "gpra_sandbox_key.acme")
    assert_problem(acme.post("orders.get", {"order_id": order_id}, form=form), 404)  # another org's order
    acme.close()


def test_orders_place_archive_product(geopera: Geopera):
    placed = geopera.ok("orders.place", {"workspaceId": "ws", "dataProduct": "archive",
                                         "featureCollection": {"type": "FeatureCollection", "features": [
                                             {"type": "Feature", "id": "CAP-9", "properties": {}, "geometry": SMALL}]}})
    order = geopera.order(placed["results"][0]["id"])
    assert (order["type"], order["status"], order["params"]) == ("ARCHIVE", "PLACED", {"captureIds": ["CAP-9"]})
    assert_problem(geopera.post("orders.coverage.get", {"order_id": order["id"]}), 409)  # tasking only
    assert geopera.ok("orders.tasking.groups.list", {"order_id": order["id"]})["groups"] == []
    assert_422(geopera.post("orders.place", {"workspaceId": "ws", "dataProduct": "nope", "featureCollection": fc(SMALL)}),
               ["body", "dataProduct"])


def test_huge_aoi_study_offers_three_options(geopera: Geopera, sandbox):
    order_id = geopera.place_tasking(HUGE)
    sandbox.advance(hours=7)
    (study,) = geopera.ok("orders.tasking.feasibility_studies.list", {"orderId": order_id})["content"]
    assert len(study["options"]) == 3


def test_every_operation_answers_the_same_through_both_path_forms(geopera: Geopera, sandbox):
    """Each documented operation with a valid body: the same status (and JSON, for reads) at both paths."""
    order_id = geopera.place_tasking(LARGE)
    sandbox.advance(hours=7)
    (study,) = geopera.ok("orders.tasking.feasibility_studies.list", {"orderId": order_id})["content"]
    template = geopera.ok("orders.tasking.templates.save", {
        "name": "t", "resolution": "0.3m", "sensor": "pneo-30cm", "capture_frequency": "ONCE", "datum": "WGS84",
        "file_format": "GeoTIFF"})
    group = {"sensor": "pneo-30cm", "featureCollection": fc(SMALL)}
    bodies = {
        "orders.archive.estimate": {"captures": [{"id": "c", "geometry": SMALL}]},
        "orders.archive.place": {"captures": [{"id": "c", "geometry": SMALL}]},
        "orders.cancel": {"order_id": geopera.place_archive()},
        "orders.coverage.get": {"order_id": order_id},
        "orders.coverage.groups.list": {"order_id": order_id},
        "orders.estimate": {"dataProduct": "pneo-30cm", "featureCollection": fc(SMALL)},
        "orders.get": {"order_id": order_id},
        "orders.get_schema": {"data_product_id": "pneo-30cm"},
        "orders.list": {},
        "orders.list_assets": {"order_id": order_id},
        "orders.place": {"workspaceId": "ws", "dataProduct": "pneo-30cm", "featureCollection": fc(SMALL)},
        "orders.tasking.decisions.pending": {},
        "orders.tasking.estimate": {"groups": [group]},
        "orders.tasking.feasibility_check": {"dataProduct": "pneo-30cm", "featureCollection": fc(SMALL)},
        "orders.tasking.feasibility_decide": {"study_id": study["id"], "acceptedOptionId": study["options"][0]["id"]},
        "orders.tasking.feasibility_studies.list": {},
        "orders.tasking.groups.list": {"order_id": order_id},
        "orders.tasking.opportunities_list": {"dataProduct": "pneo-30cm", "featureCollection": fc(SMALL)},
        "orders.tasking.place": group,
        "orders.tasking.quotation_decide": {"quotation_id": "none", "decision": "ACCEPTED"},
        "orders.tasking.quotations.list": {},
        "orders.tasking.sensors": {},
        "orders.tasking.templates.delete": {"template_id": template["id"]},
        "orders.tasking.templates.list": {},
        "orders.tasking.templates.save": {"name": "u", "resolution": "1m", "sensor": "spot-1.5m",
                                          "capture_frequency": "ONCE", "datum": "WGS84", "file_format": "GeoTIFF"},
        "orders.update": {"order_id": order_id, "tags": ["x"]},
    }
    assert sorted(bodies) == OPERATIONS
    writes = {"orders.archive.place", "orders.cancel", "orders.place", "orders.tasking.feasibility_decide",
              "orders.tasking.place", "orders.tasking.templates.delete", "orders.tasking.templates.save",
              "orders.update"}
    for operation in OPERATIONS:
        first = geopera.post(operation, bodies[operation], form="op")
        second = geopera.post(operation, bodies[operation], form="resource")
        assert first.status_code < 500 and second.status_code < 500, operation
        if operation in writes:  # a repeated write may be refused (409/404) but is never a routing error
            assert first.status_code in (200, 202), (operation, first.text)
            continue
        assert first.status_code == second.status_code, operation
        if operation != "orders.tasking.quotation_decide":
            assert first.status_code == 200 and first.json() == second.json(), operation


def test_injected_429_is_a_problem_with_retry_after(geopera: Geopera, sandbox):
    sandbox.faults(rate=1.0, statuses=[429], retry_after=7, provider="geopera", seed=1)
    try:
        response = geopera.post("orders.tasking.sensors", form="resource")
        assert_problem(response, 429)
        assert response.headers["retry-after"] == "7"
    finally:
        sandbox.faults(rate=0)
    assert geopera.post("orders.tasking.sensors").status_code == 200
