"""Schema fuzzing with schemathesis (v4): the sandbox never answers 5xx and answers what it documents.

Two schemas, each run operation by operation with Hypothesis (``derandomize=True``, bounded examples):

* the sandbox's own ``/openapi.json`` (Planet, Pixxel, Geopera and the admin routes): positive cases
  are checked with ``not_a_server_error`` and ``response_schema_conformance``; negative cases (data
  that violates the schema) with ``not_a_server_error``. The admin routes that would switch faults on,
  reset the store or seed thousands of rows are left out on purpose.
* Geopera's official document (``shared/api-docs/geopera-openapi.json``), only its ``orders.*``
  operations, sent to the sandbox with ``Authorization: Bearer gpra_sandbox_key``: the same checks,
  so the emulation is held to the provider's own contract.
* Pixxel's official document (``shared/api-docs/pixxel-openapi.json``), the operations the sandbox
  serves (orders, order items, bandsets, projects, ping, archives, catalogs, deliveries, downloads,
  stores), with ``Authorization: <key>``: the same checks. One contradiction inside the document is
  resolved before the run (see :func:`_pixxel_schema`).

Every failure is collected (operation, check, message) and reported together. Example counts come from
``PIXORDER_SCHEMA_EXAMPLES`` (positive, default 20) and ``PIXORDER_SCHEMA_NEGATIVE`` (default 8).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from pixorder import sandbox as sandbox_mod

pytestmark = pytest.mark.reliability

POSITIVE = int(os.environ.get("PIXORDER_SCHEMA_EXAMPLES", "20"))
NEGATIVE = int(os.environ.get("PIXORDER_SCHEMA_NEGATIVE", "8"))
GEOPERA_DOC = Path(os.environ.get("GEOPERA_OPENAPI", "/work/shared/api-docs/geopera-openapi.json"))
if not GEOPERA_DOC.exists():  # the verbatim copy of the orders.* part kept with the tests
    GEOPERA_DOC = Path(__file__).resolve().parents[1] / "data" / "geopera" / "geopera-openapi.orders.json"
PIXXEL_DOC = Path(os.environ.get("PIXXEL_OPENAPI", "/work/shared/api-docs/pixxel-openapi.json"))
if not PIXXEL_DOC.exists():  # the verbatim copy kept with the tests
    PIXXEL_DOC = Path(__file__).resolve().parents[1] / "data" / "pixxel" / "pixxel-openapi.json"
# The sandbox serves these of the official document (the AOI, insights, workflows, indices and
# visualisation services are other Pixxel products, not imagery ordering).
PIXXEL_SERVED = ("/ping", "/v0/projects", "/v0/bandsets", "/v0/orders", "/v0/order-items", "/v0/archives",
                 "/v0/catalogs", "/v0/stores")
LEFT_OUT = {("POST", "/_sandbox/faults"), ("POST", "/_sandbox/reset"), ("POST", "/_sandbox/seed")}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    handle = sandbox_mod.start()
    yield handle
    handle.stop()


def _auth(sandbox: Any, path: str) -> dict[str, str]:
    if path.startswith("/tasking/"):
        return {"Authorization": f"api-key {sandbox.keys['planet']}"}
    if path.startswith("/v0/"):
        return {"Authorization": sandbox.keys["pixxel"]}
    if path.startswith("/v1/"):
        return {"Authorization": f"Bearer {sandbox.keys['geopera']}"}
    return {}


def _runner(operation: Any, generation: Any, examples: int, checks: list[Any], base_url: str,
            headers: dict[str, str], cases: dict[str, int], mode: str) -> Any:
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=generation))
    def run(case: Any) -> None:
        cases[mode] += 1
        response = case.call_and_validate(base_url=base_url, headers=headers, checks=checks, timeout=30)
        cases[f"{mode} {response.status_code // 100}xx"] = cases.get(f"{mode} {response.status_code // 100}xx", 0) + 1

    return run


def _fuzz(schema: Any, sandbox: Any, wanted: Any) -> tuple[dict[str, int], list[str], float]:
    """Run every wanted operation in both modes; (cases per mode, failures, seconds)."""
    cases = {"positive": 0, "negative": 0}
    failures: list[str] = []
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not wanted(operation):
            continue
        headers = _auth(sandbox, operation.path)
        for mode, examples, checks in (
            ("positive", POSITIVE, [not_a_server_error, response_schema_conformance]),
            ("negative", NEGATIVE, [not_a_server_error]),
        ):
            generation = (schemathesis.GenerationMode.POSITIVE if mode == "positive"
                          else schemathesis.GenerationMode.NEGATIVE)

            run = _runner(operation, generation, examples, checks, sandbox.url, headers, cases, mode)
            try:
                run()
            except Unsatisfiable:
                pass  # nothing in this operation can be made invalid (no parameters, no body schema)
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, report them all
                failures.append(f"{mode} {operation.label}: {str(exc)[:1500]}")
    return cases, failures, time.perf_counter() - started


def _statuses(cases: dict[str, int]) -> str:
    return "answers: " + ", ".join(f"{k} {v}" for k, v in sorted(cases.items()) if " " in k)


def test_sandbox_openapi_no_5xx_and_responses_match(sandbox, figures):
    schema = schemathesis.openapi.from_url(sandbox.url + "/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    wanted = [op for op in operations if (op.method.upper(), op.path) not in LEFT_OUT]
    cases, failures, seconds = _fuzz(schema, sandbox, lambda op: (op.method.upper(), op.path) not in LEFT_OUT)
    figures(f"sandbox /openapi.json: {len(wanted)} of {len(operations)} operations (left out: "
            f"{', '.join(f'{m} {p}' for m, p in sorted(LEFT_OUT))}), {cases['positive']} positive cases "
            f"(≤{POSITIVE}/op: no 5xx + response schema) and {cases['negative']} negative cases (≤{NEGATIVE}/op: "
            f"no 5xx) in {seconds:.1f} s; failures {len(failures)}", "  " + _statuses(cases), *failures)
    assert cases["positive"] >= len(wanted)
    assert not failures, "\n\n".join(failures)


def test_geopera_official_openapi_orders_operations_against_the_sandbox(sandbox, figures):
    schema = schemathesis.openapi.from_path(GEOPERA_DOC)
    orders = [r.ok() for r in schema.get_all_operations()
              if (r.ok().definition.raw.get("operationId") or "").startswith("orders.")]
    cases, failures, seconds = _fuzz(
        schema, sandbox, lambda op: (op.definition.raw.get("operationId") or "").startswith("orders."))
    figures(f"Geopera's OpenAPI ({GEOPERA_DOC.name}): {len(orders)} orders.* operations against the sandbox, "
            f"{cases['positive']} positive cases (no 5xx + response schema) and {cases['negative']} negative "
            f"cases (no 5xx) in {seconds:.1f} s; failures {len(failures)}", "  " + _statuses(cases), *failures)
    assert len(orders) >= 20 and cases["positive"] >= len(orders)
    assert cases.get("positive 2xx", 0) >= len(orders), "the positive cases must mostly get through auth"
    assert not failures, "\n\n".join(failures)


def _pixxel_schema() -> Any:
    """Pixxel's document, with one self-contradiction resolved.

    ``clerk.Task.delivery_status`` says ``enum: [PENDING, SUCCESSFUL, FAILED, NOT_APPLICABLE]`` *and*
    ``allOf: [clerk.DeliveryStatus]`` (UNSPECIFIED, CREATED, FAILED, IN_PROGRESS, SUCCESS), whose
    intersection is FAILED alone; the property's own enum (also in api-notes §5 and the docs'
    example "SUCCESSFUL") is the one that describes tasks, so the ``allOf`` is dropped.
    """
    raw = json.loads(PIXXEL_DOC.read_text())
    raw["components"]["schemas"]["clerk.Task"]["properties"]["delivery_status"].pop("allOf")
    return schemathesis.openapi.from_dict(raw)


def _pixxel_wanted(operation: Any) -> bool:
    return operation.path.startswith(PIXXEL_SERVED)


def test_pixxel_official_openapi_against_the_sandbox(sandbox, figures):
    schema = _pixxel_schema()
    served = [r.ok() for r in schema.get_all_operations() if _pixxel_wanted(r.ok())]
    cases, failures, seconds = _fuzz(schema, sandbox, _pixxel_wanted)
    figures(f"Pixxel's OpenAPI ({PIXXEL_DOC.name}): {len(served)} operations the sandbox serves, "
            f"{cases['positive']} positive cases (no 5xx + response schema) and {cases['negative']} negative "
            f"cases (no 5xx) in {seconds:.1f} s; failures {len(failures)}", "  " + _statuses(cases), *failures)
    assert len(served) >= 20 and cases["positive"] >= len(served)
    assert cases.get("positive 2xx", 0) >= len(served), "the positive cases must mostly get through auth"
    assert not failures, "\n\n".join(failures)
