"""PricingDesk without a browser: uploads make one AOI per feature, needs filter and rank the grid,
the sweep draws a line per provider and sensor, windows appear for Planet Assured, export reads back."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

import pixorder
from pixorder.widgets import ManualScheduler, PricingDesk
from tests.widgets.helpers import box

RATES = {"USD": 1.0, "AUD": 0.66, "SQKM": 4.0}
FIELDS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "north"},
     "geometry": {"type": "Polygon", "coordinates": [[[5.40, 52.52], [5.48, 52.52], [5.48, 52.56], [5.40, 52.56],
                                                      [5.40, 52.52]]]}},
    {"type": "Feature", "properties": {"name": "south"},
     "geometry": {"type": "Polygon", "coordinates": [[[5.52, 52.40], [5.62, 52.40], [5.62, 52.45], [5.52, 52.45],
                                                      [5.52, 52.40]]]}},
    {"type": "Feature", "properties": {},
     "geometry": {"type": "Polygon", "coordinates": [[[5.70, 52.60], [5.76, 52.60], [5.76, 52.64], [5.70, 52.64],
                                                      [5.70, 52.60]]]}},
]}
PLOTLY = "application/vnd.plotly.v1+json"


def make_desk(clients: dict[str, Any]) -> tuple[PricingDesk, ManualScheduler]:
    sched = ManualScheduler()
    desk = PricingDesk(clients=clients, scheduler=sched, delay=0.2)
    return desk, sched


def settle(desk: PricingDesk, sched: ManualScheduler) -> None:
    sched.advance(1)
    assert desk.wait(60)


def upload(desk: PricingDesk, collection: dict[str, Any], name: str = "fields.geojson") -> None:
    """What the browser's file chooser sends: the FileUpload's value with the file's bytes."""
    content = json.dumps(collection).encode()
    desk.map.upload.set_state({"value": [{"name": name, "type": "application/geo+json", "size": len(content),
                                          "content": memoryview(content), "last_modified": 1_700_000_000_000}]})


def test_an_upload_makes_one_aoi_per_feature(clients):
    desk, sched = make_desk(clients)
    upload(desk, FIELDS)
    assert [a.name for a in desk.aois] == ["north", "south", "fields 3"]  # a feature's name, else the file's
    expected = [pixorder.AOI(f["geometry"]).area_km2 for f in FIELDS["features"]]
    assert [a.area_km2 for a in desk.aois] == pytest.approx(expected)
    assert len(desk.map.draw.data) == 3  # each AOI is a shape on the map, editable like a drawn one
    assert "3 AOIs" in desk.map.status.value
    rows = re.findall(r"<tr>", desk.aoi_list.value)
    assert len(rows) == 1 + 3  # header + one row per AOI
    # Drawing one more shape makes a fourth AOI.
    desk.map.draw.set_state({"data": [*desk.map.draw.data, box(5.8, 52.3, 5.9, 52.35)]})
    assert len(desk.aois) == 4 and desk.aois[3].name == "AOI 4"
    settle(desk, sched)
    assert sorted(set(desk.value["aoi_index"])) == [0, 1, 2, 3]


def test_needs_filter_and_rank_the_grid(clients):
    desk, sched = make_desk(clients)
    upload(desk, {**FIELDS, "features": FIELDS["features"][:2]})
    settle(desk, sched)
    everything = desk.grid.data
    assert set(everything["provider"]) == {"pixxel", "planet", "geopera"}

    desk.max_gsd.value = "1"
    desk.bands["NIR"].value = True
    settle(desk, sched)
    table = desk.grid.data
    # Every row shown qualifies; the same frame compare() gives for these AOIs and needs.
    expected = pixorder.compare(desk.aois, providers=list(clients.values()), sensors="all",
                                needs={"max_gsd_m": 1, "bands": ["NIR"]}, rates=RATES, currency="USD")
    assert len(table) == len(expected) < len(everything)
    assert "pixxel" not in set(table["provider"])  # 5 m bandsets fail a 1 m need
    assert (table["GSD (m)"] <= 1).all() and table["bands"].str.contains("NIR").all()
    priced = table[table["error"] == ""]
    for aoi in ("north", "south"):
        ranked = priced[priced["AOI"] == aoi]
        assert list(ranked["amount (USD)"]) == sorted(ranked["amount (USD)"])  # cheapest first
        assert ranked["rank"].iloc[0] == 1
    # The cheapest per AOI, in words and values, is compare()'s rank 1.
    best = expected[(expected["rank"] == 1)]
    for _, row in best.iterrows():
        assert f"data-provider='{row['provider']}' data-sensor='{row['sensor']}' data-amount='{row['amount']!r}'" \
            in desk.summary.value
    cheapest = desk.cheapest()
    assert list(cheapest["amount_usd"]) == pytest.approx(list(best["amount_usd"]))

    desk.hyperspectral.value = True  # no hyperspectral sensor has 1 m
    settle(desk, sched)
    assert len(desk.grid.data) == 0 and desk.value is None
    assert "No sensor at pixxel, planet, geopera meets the needs (GSD ≤ 1 m, bands NIR, hyperspectral)" \
        in desk.status.value


def test_the_sweep_has_one_trace_per_provider_and_sensor(clients):
    desk, sched = make_desk(clients)
    upload(desk, {**FIELDS, "features": FIELDS["features"][:1]})
    desk.max_gsd.value = "1"
    settle(desk, sched)
    sweep = desk.sweep_frame
    assert sweep is not None and set(sweep["cloud_cover"]) == {5, 10, 15, 20, 30, 40, 60}
    priced = sweep[sweep["error"].isna()]
    pairs = {(str(p), str(s)) for p, s in zip(priced["provider"], priced["sensor_name"])}
    (output,) = desk.sweep_chart.outputs
    traces = output["data"][PLOTLY]["data"]
    assert sorted(t["name"] for t in traces) == sorted(f"{p} · {s}" for p, s in pairs)
    assert len(traces) == len(pairs) >= 4
    # Off-nadir instead: the same sensors, priced again against the other parameter.
    desk.sweep_param.value = "off-nadir (°)"
    assert desk.wait(60)
    assert set(desk.sweep_frame["off_nadir"]) == {10, 15, 20, 25, 30, 35, 40}
    (output,) = desk.sweep_chart.outputs
    assert output["data"][PLOTLY]["layout"]["xaxis"]["title"]["text"] == "off_nadir"


def test_imaging_windows_on_a_timeline_only_for_sensors_that_need_one(clients):
    desk, sched = make_desk(clients)
    upload(desk, {**FIELDS, "features": FIELDS["features"][:2]})
    settle(desk, sched)
    windows = desk.windows_frame
    assert windows is not None and set(windows["aoi"]) == {"north", "south"}
    assert set(windows["sensor"]) == {"Assured Tasking"} and len(windows) >= 2
    (output,) = desk.windows_chart.outputs
    assert "Imaging windows" in output["data"][PLOTLY]["layout"]["title"]["text"]

    desk.providers["planet"].value = False
    settle(desk, sched)
    assert desk.windows_frame is None and desk.windows_chart.outputs == ()
    assert "No sensor needing a window" in desk.windows_status.value


@pytest.mark.parametrize("fmt", ["GeoParquet", "GeoPackage", "CSV"])
def test_export_downloads_a_file_read_back_with_its_provenance(clients, tmp_path: Path, fmt: str):
    desk, sched = make_desk(clients)
    upload(desk, {**FIELDS, "features": FIELDS["features"][:2]})
    desk.bands["NIR"].value = True
    settle(desk, sched)
    desk.export_format.value = fmt
    desk.export_button.click()
    # The download link carries the file itself: save it the way the browser would, and read it back.
    links = re.findall(r"download='([^']+)' href='data:application/octet-stream;base64,([^']+)'", desk.download.value)
    assert links
    for name, data in links:
        (tmp_path / name).write_bytes(base64.b64decode(data))
    back = pixorder.read_prices(tmp_path / links[0][0])
    frame = desk.value
    assert len(back) == len(frame)
    assert list(back["amount"].fillna(-1)) == pytest.approx(list(frame["amount"].fillna(-1)))
    assert list(back["provider"].astype(str)) == list(frame["provider"].astype(str))
    provenance = back.attrs["pixorder"]
    assert provenance["kind"] == "compare" and provenance["needs"] == "bands NIR"
    assert set(provenance["sources"].values()) == {"sandbox"}
