"""Helpers and fixtures for the Geopera sandbox tests: an HTTP client, schema checks, small AOIs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pixorder import sandbox as sandbox_pkg

DATA = Path(__file__).resolve().parents[1] / "data" / "geopera"
OPENAPI_URI = "urn:geopera-openapi"
KEY = "gpra_sandbox_key"


def data(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@lru_cache(maxsize=1)
def _registry() -> Registry:
    document = data("geopera-openapi.orders.json")
    # Geopera's document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12.
    return Registry().with_resource(OPENAPI_URI, Resource.from_contents(document, default_specification=DRAFT202012))


def assert_schema(instance: Any, component: str) -> None:
    """Validate ``instance`` against a component schema of Geopera's OpenAPI (``$ref``s resolved)."""
    schema = {"$ref": f"{OPENAPI_URI}#/components/schemas/{component}"}
    jsonschema.Draft202012Validator(schema, registry=_registry()).validate(instance)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert_schema(body, "Problem")
    assert body["type"] == "about:blank" and body["status"] == status and body["title"]
    return body


def assert_422(response: httpx.Response, *locs: list[Any]) -> list[dict[str, Any]]:
    """A 422 shaped exactly like FastAPI's HTTPValidationError, naming every ``loc`` given."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert_schema(body, "HTTPValidationError")
    assert set(body) == {"detail"} and body["detail"]
    for error in body["detail"]:
        assert set(error) == {"loc", "msg", "type"}
    for loc in locs:
        assert loc in [e["loc"] for e in body["detail"]], body
    return body["detail"]


def square(lon: float, lat: float, size: float = 0.05) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def fc(*geometries: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]}


SMALL = square(10.0, 45.0, 0.05)  # ~22 km² at 45°N: automatic feasibility, straight to a quotation
LARGE = square(10.0, 45.0, 0.3)  # ~790 km²: needs a feasibility study (2 options)
HUGE = square(10.0, 45.0, 0.4)  # ~1400 km²: a study with 3 options


class Geopera:
    """A thin client speaking both path forms: ``call("orders.get", body, form="op"|"resource")``."""

    def __init__(self, sandbox: sandbox_pkg.Sandbox, key: str = KEY) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)

    @staticmethod
    def path(operation: str, form: str = "op") -> str:
        return f"/v1/op/{operation}" if form == "op" else "/v1/" + operation.replace(".", "/")

    def post(self, operation: str, body: Any = None, *, form: str = "op", **kwargs: Any) -> httpx.Response:
        return self.http.post(self.path(operation, form), json={} if body is None else body, **kwargs)

    def ok(self, operation: str, body: Any = None, *, status: int = 200, form: str = "op", **kwargs: Any) -> Any:
        response = self.post(operation, body, form=form, **kwargs)
        assert response.status_code == status, f"{operation}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/json")
        return response.json()

    def place_tasking(self, geometry: dict[str, Any] = SMALL, *, sensor: str = "pneo-30cm", **extra: Any) -> str:
        start = self.sandbox.now()
        params = {"acquisitionStart": _iso(start, days=3), "acquisitionEnd": _iso(start, days=10), "maxCloudCover": 20}
        params.update(extra.pop("params", {}))
        body = {"sensor": sensor, "featureCollection": fc(geometry), "params": params, "displayName": "tasking",
                "workspaceId": "ws-1", "tags": ["t"], **extra}
        result = self.ok("orders.tasking.place", body, status=202)
        assert result["errors"] == [] and result["results"][0]["index"] == 0
        return result["results"][0]["id"]

    def place_archive(self, *captures: dict[str, Any], **extra: Any) -> str:
        captures = captures or ({"id": "CAP-1", "geometry": SMALL},)
        body = {"captures": list(captures), "displayName": "archive", "workspaceId": "ws-1", "tags": ["a"], **extra}
        result = self.ok("orders.archive.place", body, status=202)
        return result["results"][0]["id"]

    def order(self, order_id: str) -> dict[str, Any]:
        return self.ok("orders.get", {"order_id": order_id})

    def balance(self, org: str = "sandbox-org") -> int:
        return self.http.get("/_sandbox/geopera/balance", params={"org": org}).json()["creditBalance"]

    def set_balance(self, credits: int, org: str = "sandbox-org") -> None:
        assert self.http.post("/_sandbox/geopera/balance", json={"org": org, "credits": credits}).status_code == 200

    def close(self) -> None:
        self.http.close()


def _iso(moment: Any, *, days: float) -> str:
    from datetime import timedelta

    return (moment + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture(name="geopera")
def geopera_client(sandbox: sandbox_pkg.Sandbox) -> Iterator[Geopera]:
    """Import this into a test module to get the ``geopera`` fixture."""
    client = Geopera(sandbox)
    yield client
    client.close()
