"""Bad input, fuzzed with Hypothesis: refused with a typed error naming the field, never sent.

Three families of input, each with a fixed seed (``derandomize=True``) and bounded example counts:

* **GeoJSON**, valid and broken: closed and open rings, too few positions, NaN/inf and out-of-range
  coordinates, empty collections, features without geometry, wrong nesting, wrong types, unknown
  types, junk JSON, plus one 100 000-vertex polygon. ``AOI(g)`` and ``TaskingRequest(aoi=g)`` give
  an object or ``pixorder.ValidationError`` with a non-empty ``field``; nothing else is raised.
* **TaskingRequest parameters**: out-of-range numbers, NaN, wrong types, reversed and garbage dates,
  unknown enums, unknown fields. Same rule. A request that is built also turns into a ``Call`` for all
  three adapters (sans-IO) whose JSON body is strict JSON (no NaN).
* **Provider payloads**: the documented examples (Pixxel, Planet) and Geopera's wire shapes
  (docs/geopera-wire.md) with keys dropped, extra keys, nulls and unknown statuses, fed to every
  parse function in ``pixorder/providers``: a model or ``pixorder.ValidationError``.

Invalid input never reaches the network: every client facade is fed invalid dicts and values while
httpx is patched to fail the test on any request, and ``transport.stats.requests`` must not move.

The bugs this fuzz found in ``pixorder/models.py`` and ``pixorder/providers`` (out-of-range datetimes,
unknown delivery speeds, nulls inside lists) are fixed; the tests at the end pin each one.
"""

from __future__ import annotations

import copy
import json
import math
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pixorder
from pixorder import errors as E
from pixorder import models as m
from pixorder.aoi import AOI
from pixorder.providers import geopera, pixxel, planet
from tests.data import doc_payload
from tests.reliability.conftest import PROVIDERS

pytestmark = pytest.mark.reliability

FUZZ = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
START, END = "2027-03-01T00:00:00Z", "2027-03-21T00:00:00Z"

# ------------------------------------------------------------------------------------------ outcomes


class Tally:
    """Outcomes per family: ``ok``, ``refused`` (ValidationError), ``known:<bug>``; anything else fails."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def line(self, family: str) -> str:
        total = sum(self.counts.values())
        return f"{family}: {total} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))


def _check_refusal(exc: E.ValidationError) -> None:
    assert isinstance(exc.field, str) and exc.field.strip(), f"ValidationError without a field: {exc!r}"
    assert str(exc)


# ---------------------------------------------------------------------------------- no network guard


class NetworkTripwire:
    """Patches httpx so that any request fails the test (and counts it)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    async def _async_send(self, client: Any, request: httpx.Request, **kwargs: Any) -> Any:
        self.attempts.append(f"{request.method} {request.url}")
        raise AssertionError(f"network call made for invalid input: {request.method} {request.url}")

    def _sync_send(self, client: Any, request: httpx.Request, **kwargs: Any) -> Any:
        self.attempts.append(f"{request.method} {request.url}")
        raise AssertionError(f"network call made for invalid input: {request.method} {request.url}")


@pytest.fixture(scope="module")
def offline_clients() -> Iterator[dict[str, pixorder.Client]]:
    """Clients for the three APIs pointed at a closed port: any request would fail anyway."""
    clients = {p: pixorder.connect("sandbox", api=p, base_url="http://127.0.0.1:9", retries=1, progress=False)
               for p in PROVIDERS}
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> NetworkTripwire:
    wire = NetworkTripwire()
    monkeypatch.setattr(httpx.AsyncClient, "send", wire._async_send)
    monkeypatch.setattr(httpx.Client, "send", wire._sync_send)
    return wire


def _facade_calls(client: pixorder.Client, bad: Any) -> list[tuple[str, Any]]:
    return [
        ("orders.create", lambda: client.orders.create(bad)),
        ("orders.create(dry_run)", lambda: client.orders.create(bad, dry_run=True)),
        ("orders.create(max_amount)", lambda: client.orders.create(bad, max_amount=1.0)),
        # An empty list is an empty batch (priced to an empty result, offline), not an invalid input.
        *([] if isinstance(bad, (list, tuple)) and not bad else [
            ("pricing.estimate", lambda: client.pricing.estimate(bad))]),
        ("pricing.estimate([bad])", lambda: client.pricing.estimate([bad])),
    ]


def _assert_refused_offline(clients: dict[str, pixorder.Client], wire: NetworkTripwire, bad: Any) -> int:
    ran = 0
    for provider, client in clients.items():
        before = client.transport.stats.requests
        for name, call in _facade_calls(client, bad):
            try:
                call()
            except E.ValidationError as exc:
                _check_refusal(exc)
            else:
                raise AssertionError(f"{provider} {name} accepted invalid input {bad!r:.80}")
            ran += 1
        assert client.transport.stats.requests == before, f"{provider}: requests sent for invalid input"
    assert not wire.attempts, wire.attempts
    return ran


# ------------------------------------------------------------------------------------------- GeoJSON

finite = st.floats(min_value=-400, max_value=400, allow_nan=False, allow_infinity=False)
lon = st.floats(min_value=-179, max_value=179)
lat = st.floats(min_value=-80, max_value=80)
weird_number = st.one_of(st.just(math.nan), st.just(math.inf), st.just(-math.inf), finite,
                         st.floats(min_value=1e3, max_value=1e308), st.floats(max_value=-1e3, min_value=-1e308))
junk = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), weird_number),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                    max_leaves=12)


@st.composite
def rectangle(draw: Any, closed: bool = True) -> list[list[float]]:
    x, y = draw(lon), draw(lat)
    w, h = draw(st.floats(min_value=0.001, max_value=0.5)), draw(st.floats(min_value=0.001, max_value=0.5))
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
    return ring + [ring[0]] if closed else ring


@st.composite
def broken_ring(draw: Any) -> list[Any]:
    ring = draw(rectangle())
    how = draw(st.sampled_from(["open", "short", "nan", "range", "types", "bowtie", "dims", "empty"]))
    if how == "open":
        return ring[:-1]
    if how == "short":
        return ring[: draw(st.integers(0, 3))]
    if how == "nan":
        ring[draw(st.integers(0, 3))][draw(st.integers(0, 1))] = draw(weird_number)
        return ring
    if how == "range":
        i = draw(st.integers(0, 3))
        ring[i] = [draw(st.floats(min_value=180.001, max_value=1e6)) * draw(st.sampled_from([1, -1])),
                   draw(st.floats(min_value=90.001, max_value=1e6))]
        return ring
    if how == "types":
        ring[draw(st.integers(0, 3))] = draw(st.one_of(st.text(max_size=4), st.none(), st.booleans(),
                                                        st.lists(st.text(max_size=2), max_size=2)))
        return ring
    if how == "bowtie":
        (a, b), (c, d) = ring[0], ring[2]
        return [[a, b], [c, d], [c, b], [a, d], [a, b]]
    if how == "dims":
        return [p[:1] for p in ring] if draw(st.booleans()) else [[*p, 0, 0, 0] for p in ring]
    return []


def _polygon(rings: list[Any]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": rings}


@st.composite
def geojson(draw: Any) -> Any:
    kind = draw(st.sampled_from(["polygon", "broken", "multi", "point", "line", "feature", "collection",
                                 "empty", "nesting", "wrong_type", "unknown", "junk", "holes"]))
    if kind == "polygon":
        return _polygon([draw(rectangle())])
    if kind == "broken":
        return _polygon([draw(broken_ring())])
    if kind == "holes":
        return _polygon([draw(rectangle()), draw(st.one_of(rectangle(), broken_ring()))])
    if kind == "multi":
        return {"type": "MultiPolygon", "coordinates": [[draw(st.one_of(rectangle(), broken_ring()))]
                                                        for _ in range(draw(st.integers(0, 3)))]}
    if kind == "point":
        return {"type": "Point", "coordinates": [draw(weird_number), draw(weird_number)]}
    if kind == "line":
        return {"type": "LineString", "coordinates": draw(st.lists(st.lists(weird_number, min_size=2, max_size=2),
                                                                 max_size=4))}
    if kind == "feature":
        geometry = draw(st.one_of(st.none(), st.just(_polygon([draw(rectangle())])), st.just(_polygon([[]]))))
        return {"type": "Feature", "properties": draw(st.one_of(st.none(), st.just({}))), "geometry": geometry}
    if kind == "collection":
        features = [{"type": "Feature", "properties": {}, "geometry": _polygon([draw(st.one_of(rectangle(),
                                                                                             broken_ring()))])}
                    for _ in range(draw(st.integers(0, 3)))]
        return {"type": "FeatureCollection", "features": features}
    if kind == "empty":
        return draw(st.sampled_from([
            {"type": "FeatureCollection", "features": []}, {"type": "GeometryCollection", "geometries": []},
            {"type": "MultiPolygon", "coordinates": []}, {"type": "Polygon", "coordinates": []},
            {"type": "Polygon", "coordinates": [[]]}, {}, [], "", {"type": "Feature"}]))
    if kind == "nesting":
        ring = draw(rectangle())
        return draw(st.sampled_from([
            _polygon(ring), _polygon([[ring]]), {"type": "MultiPolygon", "coordinates": [ring]},
            {"type": "Point", "coordinates": [ring[0]]}, {"type": "FeatureCollection", "features": [_polygon([ring])]},
            {"type": "Feature", "geometry": {"type": "Feature", "geometry": _polygon([ring])}}]))
    if kind == "wrong_type":
        return {"type": draw(st.sampled_from(["Polygon", "MultiPolygon", "Point", "FeatureCollection"])),
                "coordinates": draw(st.one_of(st.text(max_size=5), st.integers(), st.none(),
                                              st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))),
                "features": draw(st.one_of(st.none(), st.text(max_size=3), st.integers()))}
    if kind == "unknown":
        return {"type": draw(st.text(max_size=12)), "coordinates": [draw(rectangle())]}
    return draw(junk)


def _aoi_outcome(g: Any) -> str:
    try:
        aoi = AOI(g)
    except E.ValidationError as exc:
        _check_refusal(exc)
        return "refused"
    assert math.isfinite(aoi.area_km2) and aoi.area_km2 > 0, aoi
    west, south, east, north = aoi.bounds
    assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90, aoi.bounds
    return "ok"


def test_geojson_fuzz_gives_an_aoi_or_a_validation_error(offline_clients, tripwire, figures):
    tally, offline = Tally(), Counter()

    @settings(FUZZ, max_examples=600)
    @given(g=geojson())
    def run(g: Any) -> None:
        outcome = _aoi_outcome(g)
        tally.counts[f"AOI {outcome}"] += 1
        try:
            request = m.TaskingRequest(aoi=g, start=START, end=END)
        except E.ValidationError as exc:
            _check_refusal(exc)
            tally.counts["request refused"] += 1
            assert outcome == "refused", "the AOI was accepted alone but refused inside a request"
            offline["calls"] += _assert_refused_offline(offline_clients, tripwire, g)
            return
        assert outcome == "ok"
        tally.counts["request ok"] += 1
        _calls_are_strict_json(request)

    run()
    n = 100_000  # its speed is benchmarks/bench_big_aoi.py's figure; here only what becomes of it
    ring = [[10 + 0.05 * math.cos(2 * math.pi * i / n), 50 + 0.05 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    big = _polygon([[*ring, ring[0]]])
    outcome = _aoi_outcome(big)
    if outcome == "ok":
        _calls_are_strict_json(m.TaskingRequest(aoi=big, start=START, end=END))
    tally.counts[f"100k-vertex polygon {outcome}"] += 1
    figures(f"GeoJSON: {tally.counts['AOI ok'] + tally.counts['AOI refused'] - 1} generated cases + one "
            f"100k-vertex polygon, each through AOI() and TaskingRequest(aoi=...)",
            tally.line("  outcomes"),
            f"invalid GeoJSON through the client facades (3 providers × 5 calls each): {offline['calls']} calls, "
            f"{len(tripwire.attempts)} network attempts; 100k-vertex polygon: {outcome}")
    assert tally.counts["AOI ok"] and tally.counts["AOI refused"], "the strategy must produce both kinds"


def _calls_are_strict_json(request: m.TaskingRequest) -> None:
    """A valid request becomes a Call for every adapter, with a strict-JSON body; or the adapter refuses it
    before any call: NotSupported, or a ValidationError naming a rule of that API (Pixxel's recurrences)."""
    from pixorder.client.core import make_adapter

    for provider in PROVIDERS:
        adapter = make_adapter(provider)
        for make, args, kwargs in ((adapter.price, ([request],), {}),
                                   (adapter.create_order, (request,), {"reference": "pxo-x"}),
                                   (adapter.create_order, (request,), {"reference": "pxo-x", "dry_run": True})):
            try:
                call = make(*args, **kwargs)
            except E.NotSupported:
                continue
            except E.ValidationError as exc:
                _check_refusal(exc)
                continue
            json.dumps(call.json, allow_nan=False)


# ---------------------------------------------------------------------------------------- parameters

moments = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)).map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(["", " ", "garbage", "2027-13-45", "31-02-2027", "2027-03-01T25:00", "NaN", "tomorrow",
                     "2027-03-01T00:00:00+25:00"]),
    st.floats(min_value=0, max_value=4e9), st.integers(min_value=-10**6, max_value=4 * 10**9),
    st.floats(min_value=1e11, max_value=1e20),
    st.just(math.nan), st.just(math.inf), st.none(), st.booleans(), st.lists(st.integers(), max_size=2),
)
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                    st.floats(min_value=-1, max_value=120), st.text(max_size=4), st.none(), st.booleans(),
                    st.lists(st.integers(), max_size=2))
enum_text = st.one_of(st.text(max_size=10), st.integers(), st.none(), st.booleans())
PARAMS = {
    "start": moments, "end": moments,
    "cloud_cover": numbers, "off_nadir": numbers, "elevation_min": numbers,
    "occurrences": st.one_of(st.integers(-5, 400), st.integers(), st.text(max_size=3), st.none(), st.floats()),
    "recurrence": st.one_of(st.sampled_from([r.value for r in m.Recurrence]), enum_text),
    "delivery_speed": st.one_of(st.sampled_from([d.value for d in m.DeliverySpeed]), enum_text),
    "sensor": enum_text, "name": enum_text, "bandset": enum_text, "project_id": enum_text, "usecase": enum_text,
    "priority": enum_text,
    "tags": st.one_of(st.lists(st.text(max_size=5), max_size=3), st.lists(st.integers(), min_size=1, max_size=2),
                      st.text(max_size=4), st.none()),
    "bogus_field": st.integers(),
}


@st.composite
def params(draw: Any) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(sorted(PARAMS)), max_size=5, unique=True))
    values = {"start": START, "end": END}
    if draw(st.booleans()):  # reversed or equal dates, on purpose
        values = {"start": END, "end": draw(st.sampled_from([START, END]))}
    values.update({name: draw(PARAMS[name]) for name in chosen})
    return values


def test_tasking_parameter_fuzz_gives_a_request_or_a_validation_error(offline_clients, tripwire, figures):
    tally, offline = Tally(), Counter()
    field_names = Counter()

    @settings(FUZZ, max_examples=1500)
    @given(values=params())
    def run(values: dict[str, Any]) -> None:
        built, error = None, None
        try:
            built = m.TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]}, **values)
        except E.ValidationError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"{type(exc).__name__} escaped for {values!r}") from exc
        if error is not None:
            _check_refusal(error)
            field_names[error.field.split(".")[0]] += 1
            tally.counts["refused"] += 1
            offline["calls"] += _assert_refused_offline(offline_clients, tripwire, values)
            return
        assert built.end > built.start and 0 <= built.cloud_cover <= 100
        assert built.recurrence.known
        tally.counts["ok"] += 1
        _calls_are_strict_json(built)

    run()
    figures(tally.line("TaskingRequest parameters"),
            f"  refusals by field: {dict(field_names.most_common())}",
            f"  invalid parameter dicts through the client facades: {offline['calls']} calls, "
            f"{len(tripwire.attempts)} network attempts")
    assert tally.counts["ok"] and tally.counts["refused"]


def test_other_invalid_values_are_refused_offline(offline_clients, tripwire, figures):
    """Non-request values of every shape given to the spend and pricing facades."""
    ran = 0
    for bad in (None, 0, "a request", b"bytes", {}, {"aoi": {"type": "Point", "coordinates": [1, 2]}}, [None],
                [{"aoi": None}], object(), [1, 2], (None,)):
        ran += _assert_refused_offline(offline_clients, tripwire, bad)
    figures(f"non-request values: {ran} facade calls refused with ValidationError, "
            f"{len(tripwire.attempts)} network attempts")


# ------------------------------------------------------------------------------------ provider payloads


def _doc(name: str) -> Any:
    return doc_payload(name)


GEOPERA_ORDER = {
    "id": "0f4e", "displayName": "field [pxo-0123456789abcdef]", "workspaceId": "default", "dataProductId": "pneo",
    "type": "TASKING", "status": "PLACED", "subStatus": "QUOTATION_WAITING_RESPONSE",
    "createdAt": "2027-01-01T00:00:00Z", "updatedAt": "2027-01-02T00:00:00Z", "tags": ["pxo-0123456789abcdef"],
    "featureCollection": {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[10, 50], [10.1, 50], [10.1, 50.1], [10, 50]]]}}]},
    "params": {"acquisitionStart": "2027-03-01T00:00:00Z", "acquisitionEnd": "2027-03-21T00:00:00Z"},
    "totalAud": 700.0, "credits": 7000,
}
GEOPERA_ESTIMATE = {
    "groups": [{"groupId": "g0", "sensor": "pneo-30cm", "areaKm2": 19.1, "billedAreaKm2": 25, "baseAud": 700,
                "uplifts": [{"name": "priority", "percentage": 50, "amountAud": 350}], "totalAud": 1050,
                "credits": 10500, "feasibility": "SUCCESS"}],
    "errors": [{"groupId": "g1", "index": 1, "detail": "too small"}], "totalAud": 1050, "totalCredits": 10500,
}
GEOPERA_STUDY = {"id": "s1", "orderId": "0f4e", "workspaceId": "default", "decision": "NOT_DECIDED",
                 "createdAt": "2027-01-01T00:00:00Z",
                 "options": [{"id": "o1", "description": "one", "startDate": "2027-03-01", "endDate": "2027-03-05",
                              "totalAud": 900, "credits": 9000}]}
GEOPERA_QUOTATION = {"id": "q1", "orderId": "0f4e", "workspaceId": "default", "decision": "NOT_DECIDED",
                     "totalAud": 900, "credits": 9000, "createdAt": "2027-01-01T00:00:00Z",
                     "expiresAt": "2027-01-08T00:00:00Z"}
GEOPERA_SENSOR = {"id": "pneo-30cm", "name": "Pléiades Neo", "resolutionM": 0.3, "bands": ["PAN", "R"],
                  "imageType": "optical", "minAreaKm2": 25,
                  "pricing": {"audPerKm2": 28.0, "creditsPerAud": 10, "minAreaKm2": 25}}
_TWO = [m.TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]}, start=START, end=END)] * 2


def _page(rows: list[Any]) -> dict[str, Any]:
    return {"content": rows, "totalElements": len(rows), "totalPages": 1, "number": 0, "size": 50}


PARSERS: dict[str, tuple[Any, Any]] = {
    "pixxel.parse_order": (pixxel.parse_order, lambda: _doc("pixxel-get-order.response.json")),
    "pixxel.parse_order(create)": (pixxel.parse_order, lambda: _doc("pixxel-create-order.response.json")),
    "pixxel.parse_order_items_page": (pixxel.parse_order_items_page,
                                      lambda: _doc("pixxel-list-order-items.response.json")),
    "pixxel.parse_orders_page": (pixxel.parse_orders_page, lambda: {
        "orders": [_doc("pixxel-get-order.response.json")], "pagination": {"total": 1, "offset": 0, "limit": 10}}),
    "pixxel.quotes_from_dry_run": (lambda p: pixxel.quotes_from_dry_run(p, _TWO, 0),
                                   lambda: _doc("pixxel-create-order.response.json")),
    "planet.parse_order": (planet.parse_order, lambda: _doc("planet-create-order.response.json")),
    "planet.parse_order(edit)": (planet.parse_order, lambda: _doc("planet-edit-order.response.json")),
    "planet.parse_pricing": (planet.parse_pricing, lambda: _doc("planet-order-pricing-model.response.json")),
    "planet.parse_pricing(replaced)": (planet.parse_pricing,
                                       lambda: _doc("planet-order-pricing-replaced.response.json")),
    "planet.parse_bulk_pricing": (planet.parse_bulk_pricing, lambda: _doc("planet-bulk-pricing.response.json")),
    "planet.parse_bulk_pricing(partial)": (planet.parse_bulk_pricing,
                                           lambda: _doc("planet-bulk-pricing-partial.response.json")),
    "planet.parse_orders_page": (planet.parse_orders_page, lambda: {
        "count": 1, "next": None, "results": [_doc("planet-create-order.response.json")]}),
    "geopera.parse_order": (geopera.parse_order, lambda: copy.deepcopy(GEOPERA_ORDER)),
    "geopera.parse_sensor": (geopera.parse_sensor, lambda: copy.deepcopy(GEOPERA_SENSOR)),
    "geopera.parse_estimate": (lambda p: geopera.parse_estimate(p, _TWO, 0), lambda: copy.deepcopy(GEOPERA_ESTIMATE)),
    "geopera.parse_study": (geopera.parse_study, lambda: copy.deepcopy(GEOPERA_STUDY)),
    "geopera.parse_quotation": (geopera.parse_quotation, lambda: copy.deepcopy(GEOPERA_QUOTATION)),
    "geopera.orders page": (lambda p: geopera._page_of(p, geopera.parse_order, 0, 50),
                            lambda: _page([copy.deepcopy(GEOPERA_ORDER)])),
}
STATUS_KEYS = {"status", "subStatus", "sub_status", "decision", "feasibility", "feasibility_status", "type",
               "payment_status", "delivery_status", "delivery_speed", "recurrence", "image_type"}


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, (*prefix, i))


def _other_type(old: Any, text: str) -> Any:
    """A JSON value whose type differs from ``old``'s, chosen by ``text`` (Hypothesis' draw)."""
    choices: list[Any] = [text, len(text) * 1.5, len(text), [text], {"v": text}, True]
    kinds = [type(c) for c in choices]
    pick = [c for c, k in zip(choices, kinds) if not isinstance(old, k) or (k is int and isinstance(old, bool))]
    return pick[sum(map(ord, text)) % len(pick)]


def _mutate(payload: Any, path: tuple[Any, ...], how: str, value: Any) -> None:
    parent = payload
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "drop":
        if isinstance(parent, dict):
            del parent[last]
    elif how == "null":
        parent[last] = None
    elif how == "status" and isinstance(parent, dict) and last in STATUS_KEYS:
        parent[last] = value
    elif how == "retype":  # a value of another JSON type: "12" for 12, {} for a list, 7 for a string
        parent[last] = _other_type(parent[last], value)
    elif how == "extra":
        target = parent[last] if isinstance(parent[last], dict) else parent
        if isinstance(target, dict):
            target[f"x_{value}"] = {"unexpected": [value, None]}


@st.composite
def mutated(draw: Any) -> tuple[str, Any, list[str]]:
    name = draw(st.sampled_from(sorted(PARSERS)))
    payload = PARSERS[name][1]()
    paths = list(_paths(payload))
    status_paths = [p for p in paths if p and p[-1] in STATUS_KEYS]
    applied = []
    for _ in range(draw(st.integers(1, 6))):
        how = draw(st.sampled_from(["drop", "null", "status", "extra", "retype"]))
        pool = status_paths if how == "status" and status_paths else paths
        if not pool:
            break
        path = draw(st.sampled_from(pool))
        try:
            _mutate(payload, path, how, draw(st.text(min_size=1, max_size=12)))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced that path
        applied.append(f"{how}:{'.'.join(map(str, path))}")
    return name, payload, applied


def test_provider_payload_fuzz_gives_models_or_validation_errors(figures):
    tally = Tally()
    per_parser: Counter[str] = Counter()

    @settings(FUZZ, max_examples=1500)
    @given(case=mutated())
    def run(case: tuple[str, Any, list[str]]) -> None:
        name, payload, applied = case
        parse = PARSERS[name][0]
        per_parser[name] += 1
        try:
            result = parse(payload)
        except E.ValidationError as exc:
            _check_refusal(exc)
            tally.counts["refused"] += 1
            return
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"{name} raised {type(exc).__name__}: {exc} after {applied}") from exc
        results = result if isinstance(result, list) else list(getattr(result, "items", [result]))
        assert all(isinstance(r, pydantic.BaseModel) for r in results), results
        tally.counts["model"] += 1

    run()
    figures(tally.line("provider payloads (drop / extra / null / unknown status / wrong type)"),
            f"  parse functions exercised: {len(per_parser)} ({min(per_parser.values())}-"
            f"{max(per_parser.values())} cases each)")
    assert len(per_parser) == len(PARSERS)


# ------------------------------------------------------------------ bugs the fuzz found, now fixed


def test_unknown_delivery_speed_is_refused():
    with pytest.raises(E.ValidationError) as info:
        m.TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]}, start=START, end=END,
                         delivery_speed="WARP_SPEED")
    assert info.value.field == "delivery_speed"


@pytest.mark.parametrize("start, end", [(1e20, END), ("9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-05:00")])
def test_out_of_range_datetimes_are_refused(start, end):
    with pytest.raises(E.ValidationError):
        m.TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]}, start=start, end=end)


def test_null_list_items_are_skipped_not_a_crash():
    """A ``null`` inside a list the provider sends is skipped: the parse returns, nothing is invented.

    (Before, this test passed whether the parse returned or raised.)"""
    page = pixxel.parse_order_items_page({"order_items": [None], "pagination": {}})
    assert page.items == []
    (quote,) = planet.parse_bulk_pricing({"pricing_details": [None]})
    assert quote.amount is None and quote.error == "no pricing returned for this payload"
    quote = planet.parse_pricing({"estimated_quota_cost": 1, "pricing_model": {"multipliers": [None]}})
    assert quote.error is None and quote.amount == 1.0 and quote.uplifts == []


def test_dates_one_day_apart_are_fine():
    """A guard for the generators above: an ordinary request is accepted (not everything is refused)."""
    start = datetime(2027, 3, 1, tzinfo=timezone.utc)
    request = m.TaskingRequest(aoi={"type": "Point", "coordinates": [10.0, 50.0]}, start=start,
                               end=start + timedelta(days=1))
    assert request.window_days == 1
