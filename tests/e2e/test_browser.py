"""End to end in a real browser: JupyterLab and Voila on loopback, Debian's Chromium driven by Playwright.

The notebook shows an OrderForm on the embedded sandbox. The test draws a polygon with mouse clicks,
waits for the price, checks it against the sandbox's own quote for the drawn polygon, places the
order through the confirmation, saves the notebook and checks that no API key was saved or synced.
The map test draws a polygon, erases it with Geoman's eraser, draws a rectangle with two clicks and
drags one of its vertices, reading the price from the page each time; the offline basemap shows
coasts and borders without internet.
Follows /work/shared/browser-testing.md. Needs /usr/bin/chromium (``apt-get install -y chromium``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "output"
README_IMAGE = REPO / "docs" / "img" / "quickstart.png"
README_MAP_IMAGE = REPO / "docs" / "img" / "aoi_map.png"
START, END = "2027-05-01", "2027-05-20"
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, timeout: float, proc: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _notebook(cells: list[str]) -> dict[str, Any]:
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {},
                   "outputs": [], "source": source} for i, source in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


ORDER_FORM_CELL = '''\
import json, pathlib
from datetime import date
from pixorder.widgets import OrderForm

form = OrderForm(provider="planet", name="browser test", delay=0.3)
form.parameters.start.value = date.fromisoformat("{start}")
form.parameters.end.value = date.fromisoformat("{end}")
form.aoi_map.map.center = (50.0, 10.0)   # a field-sized view: the drawn polygon is a few km across
form.aoi_map.map.zoom = 11
RESULT = pathlib.Path(r"{result}")

def widget_states():
    from ipywidgets.widgets.widget import _instances
    return [json.dumps(w.get_state(), default=repr) for w in list(_instances.values())]

def record(change=None):
    """What the test checks, written where it can read it: the drawn shapes, the quote, the order."""
    request = form.preview.request
    RESULT.write_text(json.dumps({{
        "drawn": form.aoi_map.draw.data,
        "request": None if request is None else {{
            "start": request.start.isoformat(), "end": request.end.isoformat(),
            "cloud_cover": request.cloud_cover, "off_nadir": request.off_nadir,
            "recurrence": request.recurrence.value, "occurrences": request.occurrences,
            "delivery_speed": request.delivery_speed.value, "sensor": request.sensor,
            "bandset": request.bandset}},
        "quote": None if form.preview.value is None else {{
            "amount": form.preview.value.amount, "unit": form.preview.value.unit}},
        "order": None if form.order is None else {{
            "id": form.order.id, "amount": form.order.amount, "status": str(form.order.status)}},
        "widget_states": widget_states(),
    }}, default=str))

form.preview.observe(record, "value")
form.observe(record, "order")
form
'''

# The map test: a view at zoom 9 over the Scheldt estuary: the coast and the Belgian-Dutch border in sight.
MAP_CELL = '''\
import json, pathlib
from datetime import date
from pixorder.widgets import OrderForm

form = OrderForm(provider="planet", name="map test", delay=0.3)
form.parameters.start.value = date.fromisoformat("{start}")
form.parameters.end.value = date.fromisoformat("{end}")
form.aoi_map.map.center = (51.3, 3.9)
form.aoi_map.map.zoom = 9
RESULT = pathlib.Path(r"{result}")

def record(change=None):
    """The drawn shapes, the AOI's area, the request and the quote, where the test can read them."""
    request = form.preview.request
    aoi = form.aoi_map.value
    RESULT.write_text(json.dumps({{
        "drawn": form.aoi_map.draw.data,
        "area_km2": None if aoi is None else aoi.area_km2,
        "request": None if request is None else {{
            "start": request.start.isoformat(), "end": request.end.isoformat(),
            "cloud_cover": request.cloud_cover, "off_nadir": request.off_nadir,
            "recurrence": request.recurrence.value, "occurrences": request.occurrences,
            "delivery_speed": request.delivery_speed.value, "sensor": request.sensor,
            "bandset": request.bandset}},
        "quote": None if form.preview.value is None else form.preview.value.amount,
    }}, default=str))

form.preview.observe(record, "value")
form.aoi_map.observe(record, "value")
form
'''

# One cell per widget: every widget must render (JupyterLab and Voila) on a map without tiles.
GALLERY_CELLS = [
    "from datetime import date\n"
    "from pixorder.widgets import (AOIMap, CompareProviders, OrderBrowser, OrderForm, PricingPreview,\n"
    "                              QuotationInbox, RequestParameters, SensorPicker)\n"
    "aoi_map = AOIMap(value={'type': 'Point', 'coordinates': [10.0, 50.0]})\n"
    "aoi_map",
    "picker = SensorPicker(provider='pixxel')\npicker",
    "params = RequestParameters(start=date(2027, 6, 1), end=date(2027, 6, 20))\n"
    "preview = PricingPreview(aoi_map, picker, params)\npreview",
    "cmp = CompareProviders(aoi_map, params, rates={'USD': 1.0, 'AUD': 0.66, 'SQKM': 4.0}, currency='USD')\ncmp",
    "form = OrderForm(provider='planet', aoi={'type': 'Point', 'coordinates': [10.0, 50.0]})\nform",
    "browser = OrderBrowser()\nbrowser",
    "inbox = QuotationInbox()\ninbox",
]
# A Voila dashboard ends by letting its widgets settle, so the first prices are part of the page Voila
# renders: an update that reaches the page while Voila's frontend is still restoring the widget models
# can be dropped (voila-dashboards/voila#768), which left the price missing in about 1 CI run in 4.
SETTLE_CELL = "for widget in (picker, preview, cmp, form, browser, inbox):\n    assert widget.wait(60)"
WIDGET_CLASSES = ["pixorder-aoimap", "pixorder-sensorpicker", "pixorder-pricing", "pixorder-compare",
                  "pixorder-orderform", "pixorder-orderbrowser", "pixorder-quotationinbox"]


def _check_gallery(page: Any, root: Any, name: str) -> None:
    """Every widget is in ``root``, maps included, and the prices arrived from the kernel."""
    for cls in WIDGET_CLASSES:
        root.locator(f".{cls}").first.wait_for()
    assert root.locator(".leaflet-container").count() >= 3  # AOIMap, OrderForm's map, OrderBrowser's map
    # The comparison's chart is a plotly figure drawn by the jupyterlab-plotly mime extension (plotly.js
    # bundled: the network is closed here), and its quotes a sortable ipydatagrid grid.
    chart = root.locator(".pixorder-compare .pixorder-chart .js-plotly-plot .plot-container")
    try:
        root.locator(".pixorder-pricing .pixorder-total").first.wait_for()  # a round trip to the sandbox
    except Exception:
        shown = root.locator(".pixorder-pricing").first.inner_text()
        raise AssertionError(f"no price shown; the preview shows: {shown[:2000]}") from None
    try:
        chart.wait_for()
    except Exception:
        shown = root.locator(".pixorder-compare").first.inner_text()
        raise AssertionError(f"no comparison chart; the widget shows: {shown[:2000]}") from None
    assert root.locator(".pixorder-compare .pixorder-chart g.point").count() == 3  # a bar per provider
    root.locator(".pixorder-compare .pixorder-grid canvas").first.wait_for()
    assert "25.00 km²" in root.locator(".pixorder-aoimap .pixorder-area").first.inner_text()
    root.locator(".pixorder-sensorpicker select").first.wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUTPUT / name), full_page=True)


@pytest.fixture(scope="module")
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(apt-get update && apt-get install -y chromium); `make test` installs it")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed: pip install playwright (never `playwright install`: "
                    "the tests use the system Chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def jupyterlab(workdir: Path) -> Iterator[dict[str, Any]]:
    """JupyterLab on 127.0.0.1 with a free port, a random token and test settings; stopped after."""
    settings = workdir / "settings"
    for path, content in {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
        # Saved widget state is what a shared notebook carries: save it, then check it holds no key.
        "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
    }.items():
        target = settings / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content))
    (workdir / "workspaces").mkdir()
    notebooks = workdir / "notebooks"
    notebooks.mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "workspaces"), "PYTHONUNBUFFERED": "1"}
    log = workdir / "jupyterlab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={notebooks}"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=notebooks,
        )
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", 90, proc, log)
        yield {"url": f"http://127.0.0.1:{port}", "token": token, "dir": notebooks, "log": log}
    finally:
        _stop(proc)


def _panel(page: Any) -> Any:
    """The notebook panel in front (other tabs stay in the DOM, hidden)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first


def _open(page: Any, lab: dict[str, Any], name: str) -> None:
    # A workspace of its own per notebook: JupyterLab would otherwise reopen the other tests' tabs.
    workspace = name.replace(".", "-")
    page.goto(f"{lab['url']}/lab/workspaces/{workspace}/tree/{name}?reset&token={lab['token']}")


def _run_all(page: Any) -> None:
    """Run every cell from the Run menu; retried, since a click that lands while the notebook panel is
    still being activated is silently ignored (seen: the cells stayed at ``[ ]``)."""
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=TIMEOUT_MS)
    panel = _panel(page)
    prompt = panel.locator(".jp-Cell .jp-InputArea-prompt").first
    for _ in range(5):
        panel.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click("li[data-command='runmenu:run-all']")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if prompt.inner_text().strip() not in ("[ ]:", ""):
                return
            page.wait_for_timeout(200)
        page.keyboard.press("Escape")
    pytest.fail("JupyterLab did not start running the notebook")


def _save(page: Any) -> None:
    page.click("li.lm-MenuBar-item:has-text('File')")
    page.click("li[data-command='docmanager:save']")


def test_order_form_in_jupyterlab(browser: Any, jupyterlab: dict[str, Any], workdir: Path) -> None:
    import pixorder
    from pixorder.aoi import AOI
    from pixorder.sandbox.keys import SANDBOX_KEYS

    result = workdir / "result.json"
    name = "order_form.ipynb"
    notebook = jupyterlab["dir"] / name
    cell = ORDER_FORM_CELL.format(start=START, end=END, result=result)
    notebook.write_text(json.dumps(_notebook([cell])))
    OUTPUT.mkdir(parents=True, exist_ok=True)

    page = browser.new_page(viewport={"width": 1400, "height": 1900})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _open(page, jupyterlab, name)
        _run_all(page)
        form = _panel(page).locator(".pixorder-orderform")
        leaflet = form.locator(".leaflet-container")
        leaflet.wait_for()
        form.locator(".leaflet-pm-icon-polygon").wait_for()

        # Draw a polygon with the Geoman tool: four clicks, then the first point again to close it.
        form.locator(".leaflet-pm-icon-polygon").click()
        box = leaflet.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        corners = [(cx - 120, cy - 80), (cx + 130, cy - 90), (cx + 110, cy + 90), (cx - 100, cy + 70)]
        for x, y in corners:
            page.mouse.click(x, y)
            page.wait_for_timeout(150)
        page.mouse.click(*corners[0])

        total = form.locator(".pixorder-total")
        total.wait_for()
        shown_amount = float(total.get_attribute("data-amount"))
        shown_unit = total.get_attribute("data-unit")

        # The test's own sandbox prices the polygon the kernel received: same AOI, same price.
        recorded = json.loads(result.read_text())
        assert recorded["drawn"] and recorded["drawn"][0]["geometry"]["type"] == "Polygon"
        assert len(recorded["drawn"][0]["geometry"]["coordinates"][0]) == 5  # four corners, closed
        aoi = AOI({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in recorded["drawn"]]})
        fields = {k: v for k, v in recorded["request"].items() if v is not None}
        request = pixorder.TaskingRequest(aoi=aoi, **fields)
        from pixorder import sandbox as sandbox_mod

        own = sandbox_mod.start()
        try:
            with pixorder.connect("sandbox", api="planet", base_url=own.url, progress=False) as client:
                expected = client.pricing.estimate(request)
        finally:
            own.stop()
        assert shown_amount == expected.amount and shown_unit == expected.unit
        assert 1 < aoi.area_km2 < 500  # a field, drawn where the notebook put the view

        # Dry run, then place through the confirmation that shows the price.
        form.get_by_role("button", name="Dry run").click()
        form.locator(".pixorder-msg:has-text('Dry run OK')").wait_for()
        form.get_by_role("button", name="Place order…").click()
        confirm_price = form.locator(".pixorder-confirm-price")
        confirm_price.wait_for()
        assert confirm_price.inner_text() == f"{expected.amount:,.2f} {expected.unit}"
        form.get_by_role("button", name="Confirm order").click()
        form.locator(".pixorder-msg:has-text('placed.')").wait_for()
        page.wait_for_timeout(300)  # let the map and table settle for the picture

        screenshot = OUTPUT / "order_form_jupyterlab.png"
        form.screenshot(path=str(screenshot))
        if os.environ.get("PIXORDER_UPDATE_SCREENSHOT"):  # refresh the README's picture on request only:
            README_IMAGE.parent.mkdir(parents=True, exist_ok=True)  # a test run never edits tracked files
            shutil.copyfile(screenshot, README_IMAGE)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            recorded = json.loads(result.read_text())
            if recorded["order"]:
                break
            time.sleep(0.2)
        assert recorded["order"] and recorded["order"]["id"] in form.inner_text()

        # Nothing secret in the live widget state, nor in the notebook as saved (with widget state).
        for state in recorded["widget_states"]:
            for key in SANDBOX_KEYS.values():
                assert key not in state
        before = notebook.stat().st_mtime
        _save(page)
        deadline = time.monotonic() + 30
        saved = ""
        while time.monotonic() < deadline:
            # Read only a finished file: right after the mtime changes the server may still be writing it.
            if notebook.stat().st_mtime != before:
                saved = notebook.read_text()
                try:
                    json.loads(saved)
                    break
                except ValueError:
                    pass
            time.sleep(0.2)
        assert "application/vnd.jupyter.widget-state+json" in saved  # the state was saved, and checked
        for key in SANDBOX_KEYS.values():
            assert key not in saved, "the saved notebook holds an API key"
    except Exception:
        page.screenshot(path=str(OUTPUT / "order_form_failure.png"), full_page=True)
        raise
    finally:
        page.close()


def _read_json(path: Path) -> dict[str, Any]:
    """The record the notebook writes, read once it is complete JSON (it may be mid-write)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _wait_record(path: Path, ok: Any, what: str, timeout: float = 60) -> dict[str, Any]:
    """Poll the notebook's record until ``ok(record)`` holds."""
    deadline = time.monotonic() + timeout
    recorded: dict[str, Any] = {}
    while time.monotonic() < deadline:
        if path.exists():
            recorded = _read_json(path)
            if ok(recorded):
                return recorded
        time.sleep(0.2)
    raise AssertionError(f"{what}: the kernel recorded {json.dumps(recorded)[:1500]}")


def _shown_price(page: Any, form: Any, previous: float | None) -> float:
    """The price in the page once it differs from ``previous`` (a new quote arrived from the kernel)."""
    total = form.locator(".pixorder-total")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if total.count():
            amount = total.first.get_attribute("data-amount")
            if amount is not None and float(amount) != previous:
                return float(amount)
        page.wait_for_timeout(200)
    shown = form.locator(".pixorder-pricing").first.inner_text()
    raise AssertionError(f"no new price (was {previous}); the preview shows: {shown[:1500]}")


_ELEMENTS_AT = """([x, y]) => document.elementsFromPoint(x, y).slice(0, 4).map(e => ({
    tag: e.tagName.toLowerCase(), cls: e.getAttribute('class') || '', dash: e.getAttribute('stroke-dasharray'),
    pane: (e.closest('.leaflet-pane:not(.leaflet-map-pane)') || {className: ''}).className}))"""


def test_map_draw_erase_rectangle_and_drag_in_jupyterlab(browser: Any, jupyterlab: dict[str, Any],
                                                         workdir: Path) -> None:
    import pixorder
    from pixorder import sandbox as sandbox_mod
    from pixorder.aoi import AOI

    result = workdir / "map_result.json"
    name = "aoi_map.ipynb"
    (jupyterlab["dir"] / name).write_text(json.dumps(_notebook([MAP_CELL.format(start=START, end=END,
                                                                                 result=result)])))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    own = sandbox_mod.start()
    client = pixorder.connect("sandbox", api="planet", base_url=own.url, progress=False)

    def expected_price(recorded: dict[str, Any]) -> tuple[float, float]:
        """The test's own sandbox quote and the area of what the kernel received as drawn."""
        aoi = AOI({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in recorded["drawn"]]})
        fields = {k: v for k, v in recorded["request"].items() if v is not None}
        return client.pricing.estimate(pixorder.TaskingRequest(aoi=aoi, **fields)).amount, aoi.area_km2

    page = browser.new_page(viewport={"width": 1400, "height": 1900})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _open(page, jupyterlab, name)
        _run_all(page)
        form = _panel(page).locator(".pixorder-orderform")
        leaflet = form.locator(".leaflet-container")
        leaflet.wait_for()
        form.locator(".leaflet-pm-icon-polygon").wait_for()
        # The offline basemap is drawn (no internet here: every tile fails) under the drawing layer.
        basemap = form.locator(".leaflet-pixorder-basemap-pane path")
        basemap.first.wait_for(state="attached")
        assert basemap.count() >= 177
        assert form.locator(".pixorder-map-help").inner_text().count("click") >= 5
        box = leaflet.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

        # 1. A polygon: four clicks, then the first point again to close it.
        form.locator(".leaflet-pm-icon-polygon").click()
        corners = [(cx - 120, cy - 80), (cx + 130, cy - 90), (cx + 110, cy + 90), (cx - 100, cy + 70)]
        for x, y in corners:
            page.mouse.click(x, y)
            page.wait_for_timeout(150)
        page.mouse.click(*corners[0])
        polygon_price = _shown_price(page, form, None)
        recorded = _wait_record(result, lambda r: r["quote"] == polygon_price, "the polygon's quote")
        assert len(recorded["drawn"]) == 1 and recorded["drawn"][0]["geometry"]["type"] == "Polygon"
        expected, area = expected_price(recorded)
        assert polygon_price == expected and recorded["area_km2"] == pytest.approx(area)
        assert f"{area:,.2f} km²" in form.locator(".pixorder-area").inner_text()

        # The dashed footprint outline covers the shape, but a click there reaches the drawn shape.
        form.locator(".leaflet-container path[stroke-dasharray='6 4']").first.wait_for(state="attached")
        stack = page.evaluate(_ELEMENTS_AT, [cx, cy])
        assert stack[0]["tag"] == "path" and "leaflet-interactive" in stack[0]["cls"], stack
        assert not stack[0]["dash"] and "leaflet-overlay-pane" in stack[0]["pane"], stack
        assert not any(e["dash"] or "pixorder" in e["pane"] for e in stack), stack  # helpers take no clicks

        # 2. The eraser removes the polygon just drawn: no AOI, no price.
        form.locator(".leaflet-pm-icon-delete").click()
        page.mouse.click(cx, cy)
        _wait_record(result, lambda r: r["drawn"] == [] and r["area_km2"] is None, "the erased polygon")
        form.locator(".pixorder-total").wait_for(state="detached")
        form.locator(".leaflet-pm-icon-delete").click()  # eraser off

        # 3. A rectangle with Geoman: two clicks on opposite corners. One shape, nothing merged.
        form.locator(".leaflet-pm-icon-rectangle").click()
        page.mouse.click(cx - 90, cy - 60)
        page.wait_for_timeout(150)
        page.mouse.click(cx + 90, cy + 60)
        rectangle_price = _shown_price(page, form, None)
        recorded = _wait_record(result, lambda r: r["quote"] == rectangle_price, "the rectangle's quote")
        assert len(recorded["drawn"]) == 1 and len(recorded["drawn"][0]["geometry"]["coordinates"][0]) == 5
        expected, rectangle_area = expected_price(recorded)
        assert rectangle_price == expected and rectangle_price != polygon_price
        assert f"{rectangle_area:,.2f} km²" in form.locator(".pixorder-area").inner_text()

        # 4. Edit mode: drag the rectangle's north-east vertex 60 px right and 40 px up.
        form.locator(".leaflet-pm-icon-edit").click()
        vertices = form.locator(".marker-icon:not(.marker-icon-middle)")
        vertices.first.wait_for()
        boxes = [vertices.nth(i).bounding_box() for i in range(vertices.count())]
        ne = max(boxes, key=lambda b: b["x"] - b["y"])
        vx, vy = ne["x"] + ne["width"] / 2, ne["y"] + ne["height"] / 2
        page.mouse.move(vx, vy)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(vx + 6 * step, vy - 4 * step)
            page.wait_for_timeout(30)
        page.mouse.up()
        dragged_price = _shown_price(page, form, rectangle_price)
        recorded = _wait_record(result, lambda r: r["quote"] == dragged_price, "the dragged rectangle's quote")
        expected, dragged_area = expected_price(recorded)
        assert dragged_price == expected and dragged_price > rectangle_price
        assert dragged_area > rectangle_area * 1.2
        assert f"{dragged_area:,.2f} km²" in form.locator(".pixorder-area").inner_text()
        form.locator(".leaflet-pm-icon-edit").click()  # edit mode off, for the picture
        page.wait_for_timeout(500)

        screenshot = OUTPUT / "aoi_map_basemap.png"
        form.locator(".pixorder-aoimap").screenshot(path=str(screenshot))
        if os.environ.get("PIXORDER_UPDATE_SCREENSHOT"):  # the README's picture, on request only
            README_MAP_IMAGE.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(screenshot, README_MAP_IMAGE)
    except Exception:
        page.screenshot(path=str(OUTPUT / "aoi_map_failure.png"), full_page=True)
        raise
    finally:
        page.close()
        client.close()
        own.stop()


def test_every_widget_renders_in_jupyterlab(browser: Any, jupyterlab: dict[str, Any]) -> None:
    name = "widgets.ipynb"
    (jupyterlab["dir"] / name).write_text(json.dumps(_notebook(GALLERY_CELLS)))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1900})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _open(page, jupyterlab, name)
        _run_all(page)
        _check_gallery(page, _panel(page), "widgets_jupyterlab.png")
    except Exception:
        page.screenshot(path=str(OUTPUT / "widgets_failure.png"), full_page=True)
        raise
    finally:
        page.close()


def test_every_widget_renders_in_voila(browser: Any, workdir: Path) -> None:
    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.fail("voila is not installed: pip install voila")
    folder = workdir / "voila"
    folder.mkdir()
    notebook = folder / "widgets_voila.ipynb"
    notebook.write_text(json.dumps(_notebook([*GALLERY_CELLS, SETTLE_CELL])))
    port = _free_port()
    log = workdir / "voila.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(notebook), "--no-browser", "--Voila.ip=127.0.0.1",
             f"--port={port}"],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder,
        )
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 60, proc, log)
        page.goto(f"http://127.0.0.1:{port}/")
        OUTPUT.mkdir(parents=True, exist_ok=True)
        _check_gallery(page, page, "widgets_voila.png")
    except Exception:
        page.screenshot(path=str(OUTPUT / "widgets_voila_failure.png"), full_page=True)
        raise
    finally:
        page.close()
        _stop(proc)


# ----------------------------------------------------------------------------- imaging windows (Assured)
# The notebook talks to a sandbox the test serves, so the test can read back what was ordered there.
WINDOW_FORM_CELL = '''\
import json, pathlib
from datetime import date
import pixorder
from pixorder.widgets import OrderForm

clients = {{p: pixorder.connect("sandbox", api=p, base_url="{url}", progress=False)
           for p in ("pixxel", "planet", "geopera")}}
form = OrderForm(clients, name="assured window test", delay=0.3)
form.parameters.start.value = date.fromisoformat("{start}")
form.parameters.end.value = date.fromisoformat("{end}")
form.aoi_map.map.center = (45.0, 10.0)
form.aoi_map.map.zoom = 11
RESULT = pathlib.Path(r"{result}")

def record(change=None):
    """The drawn shapes, the request (with its imaging window), the windows shown, the quote, the order."""
    request = form.preview.request
    RESULT.write_text(json.dumps({{
        "drawn": form.aoi_map.draw.data,
        "provider": form.sensor_picker.provider,
        "sensor": None if form.sensor_picker.value is None else form.sensor_picker.value.id,
        "parameters": form.parameters.value,
        "imaging_window": None if request is None else request.imaging_window,
        "windows": [{{"id": w.id, "cloud": w.cloud_forecast}} for w in form.windows.windows],
        "chosen": None if form.windows.value is None else form.windows.value.id,
        "quote": None if form.preview.value is None else form.preview.value.amount,
        "order": None if form.order is None else {{"id": form.order.id, "status": str(form.order.status)}},
    }}, default=str))

form.preview.observe(record, "value")
form.sensor_picker.observe(record, "value")
form.windows.observe(record, "windows")
form.windows.observe(record, "value")
form.observe(record, "order")
form
'''


def test_assured_tasking_window_in_jupyterlab(browser: Any, jupyterlab: dict[str, Any], workdir: Path) -> None:
    """Planet and Assured Tasking chosen in the dropdowns, a window picked with a click, dry run, place;
    the sandbox holds the order with that imaging window."""
    from datetime import timedelta

    import pixorder
    from pixorder import sandbox as sandbox_mod
    from pixorder.aoi import AOI
    from pixorder.widgets.windows import window_label

    own = sandbox_mod.start()
    client = pixorder.connect("sandbox", api="planet", base_url=own.url, progress=False)
    today = own.now().date()
    start, end = today + timedelta(days=1), today + timedelta(days=6)  # windows: at most 7 days ahead
    result = workdir / "window_result.json"
    name = "assured_window.ipynb"
    cell = WINDOW_FORM_CELL.format(url=own.url, start=start.isoformat(), end=end.isoformat(), result=result)
    (jupyterlab["dir"] / name).write_text(json.dumps(_notebook([cell])))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1900})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _open(page, jupyterlab, name)
        _run_all(page)
        form = _panel(page).locator(".pixorder-orderform")
        leaflet = form.locator(".leaflet-container")
        leaflet.wait_for()
        form.locator(".leaflet-pm-icon-polygon").wait_for()
        windows = form.locator(".pixorder-windows")
        assert not windows.is_visible()  # Pixxel, the first provider, needs no window

        # Provider, then sensor: a click on each dropdown, then the option. (Headless Chromium draws no
        # popup for a native <select>, so the option is chosen with select_option, as Playwright advises.)
        selects = form.locator(".pixorder-sensorpicker select")
        selects.nth(0).click()
        selects.nth(0).select_option(label="planet")
        _wait_record(result, lambda r: r["provider"] == "planet" and r["sensor"], "Planet's sensors")
        selects.nth(1).click()
        selects.nth(1).select_option(label="Assured Tasking (SkySat)")
        _wait_record(result, lambda r: r["sensor"] == "Assured Tasking", "Assured Tasking chosen")

        # Draw a field with the Geoman polygon tool: four clicks, then the first point again.
        form.locator(".leaflet-pm-icon-polygon").click()
        box = leaflet.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        corners = [(cx - 120, cy - 80), (cx + 130, cy - 90), (cx + 110, cy + 90), (cx - 100, cy + 70)]
        for x, y in corners:
            page.mouse.click(x, y)
            page.wait_for_timeout(150)
        page.mouse.click(*corners[0])

        # The windows found for the drawn field and the dates: the same the test's own search finds.
        windows.wait_for()
        windows.locator(".pixorder-msg:has-text('windows found')").wait_for()
        recorded = _wait_record(result, lambda r: r["windows"] and r["drawn"], "the windows found")
        aoi = AOI({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": f["geometry"]} for f in recorded["drawn"]]})
        fields = {k: v for k, v in recorded["parameters"].items() if v is not None}
        request = pixorder.TaskingRequest(aoi=aoi, sensor=recorded["sensor"], **fields)
        assert request.sensor == "Assured Tasking" and request.start.date() == start
        expected = sorted(client.imaging_windows.search(request), key=lambda w: w.start)
        labels = windows.locator(".pixorder-window-choices .widget-radio-box label")
        assert labels.count() == len(expected) >= 4
        assert [labels.nth(i).inner_text().strip() for i in range(labels.count())] == \
            [window_label(w) for w in expected]
        assert form.locator(".pixorder-total").count() == 0  # no price before a window is picked

        # Pick the clearest window with a click on its line; its price appears.
        chosen = min(expected, key=lambda w: w.cloud_forecast)
        labels.filter(has_text=window_label(chosen)).click()
        recorded = _wait_record(result, lambda r: r["quote"] is not None and r["imaging_window"] == chosen.id,
                                "the price of the window picked")
        total = form.locator(".pixorder-total")
        total.wait_for()
        priced = client.pricing.estimate(request.model_copy(update={"imaging_window": chosen.id}))
        assert float(total.get_attribute("data-amount")) == priced.amount == recorded["quote"]

        # Dry run, then place through the confirmation that names the window.
        form.get_by_role("button", name="Dry run").click()
        form.locator(".pixorder-msg:has-text('Dry run OK')").wait_for()
        form.get_by_role("button", name="Place order…").click()
        form.locator(".pixorder-confirm-price").wait_for()
        assert window_label(chosen) in form.locator(".pixorder-confirm-price").locator("xpath=..").inner_text()
        form.get_by_role("button", name="Confirm order").click()
        form.locator(".pixorder-msg:has-text('placed.')").wait_for()

        # The order as the page shows it, and as the sandbox holds it.
        summary = form.locator(".pixorder-order")
        summary.wait_for()
        rows = dict(line.split("\t", 1) for line in summary.inner_text().strip().splitlines() if "\t" in line)
        order_id, status = rows["order id"].strip(), rows["status"].strip()
        assert rows["imaging window"].strip() == chosen.id
        held = client.orders.get(order_id)
        assert held.raw["imaging_window"] == chosen.id and str(held.status) == status == "RECEIVED"
        assert held.raw["product"] == "Assured Tasking" and held.start == chosen.start
        placed = [r for r in own.received("planet") if r["method"] == "POST" and r["path"].endswith("/orders/")]
        assert len(placed) == 1 and placed[0]["body"]["imaging_window"] == chosen.id
        page.wait_for_timeout(300)
        form.screenshot(path=str(OUTPUT / "order_form_assured_window.png"))
    except Exception:
        page.screenshot(path=str(OUTPUT / "assured_window_failure.png"), full_page=True)
        raise
    finally:
        page.close()
        client.close()
        own.stop()


DESK_IMAGE = REPO / "docs" / "img" / "desk.png"
#: two fields in Flevoland (NL), a few km apart: two features, so two AOIs on the desk
TWO_FIELDS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "north"},
     "geometry": {"type": "Polygon", "coordinates": [[[5.40, 52.52], [5.48, 52.52], [5.48, 52.56], [5.40, 52.56],
                                                      [5.40, 52.52]]]}},
    {"type": "Feature", "properties": {"name": "south"},
     "geometry": {"type": "Polygon", "coordinates": [[[5.52, 52.40], [5.62, 52.40], [5.62, 52.45], [5.52, 52.45],
                                                      [5.52, 52.40]]]}},
]}


def test_pricing_desk_in_voila(browser: Any, workdir: Path) -> None:
    """`pixorder desk` serves the packaged notebook; a person uploads two fields with the file chooser,
    asks for 1 m and NIR, and reads the cheapest qualifying quote per field: the one compare() gives."""
    import pixorder
    from pixorder.widgets.desk import DEFAULT_RATES

    folder = workdir / "desk"
    folder.mkdir()
    fields = folder / "two_fields.geojson"
    fields.write_text(json.dumps(TWO_FIELDS))
    port = _free_port()
    log = workdir / "desk.log"
    env = {k: v for k, v in os.environ.items() if k not in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY")}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pixorder.cli", "desk", f"--port={port}"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=env)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", 60, proc, log)
        assert f"pixorder desk: http://127.0.0.1:{port}/" in log.read_text()
        page.goto(f"http://127.0.0.1:{port}/")
        desk = page.locator(".pixorder-desk")
        desk.wait_for()
        desk.locator(".leaflet-container").wait_for()

        # Upload the file through the browser's file chooser, as a person does.
        with page.expect_file_chooser() as chooser:
            desk.locator(".widget-upload").click()
        chooser.value.set_files(str(fields))
        aois = desk.locator(".pixorder-desk-aois tr")
        page.wait_for_function("() => document.querySelectorAll('.pixorder-desk-aois tr').length === 3")
        assert aois.count() == 3  # a header and one row per field
        assert "north" in aois.nth(1).inner_text() and "south" in aois.nth(2).inner_text()  # the features' names

        # A need: 1 m or finer, with NIR. Typed and ticked with the keyboard and the mouse.
        desk.locator(".pixorder-max-gsd input").click()
        page.keyboard.type("1")
        page.keyboard.press("Enter")
        desk.locator(".pixorder-band-nir input").click()
        status = desk.locator(".pixorder-desk-status")
        status.locator("text=meet the needs (GSD ≤ 1 m, bands NIR)").wait_for()
        cheapest = desk.locator(".pixorder-cheapest")
        cheapest.first.wait_for()
        shown = [{k: cheapest.nth(i).get_attribute(f"data-{k}") for k in
                  ("aoi", "provider", "sensor", "amount", "unit", "amount-currency", "currency")}
                 for i in range(cheapest.count())]

        # The same file and needs, priced by compare() on the test's own sandbox: the same cheapest quotes
        # (compare reads a file of fields as the desk does: one AOI per feature, named by it).
        expected = pixorder.compare(str(fields), providers="pixxel,planet,geopera", sensors="all",
                                    needs={"max_gsd_m": 1, "bands": ["NIR"]}, rates=DEFAULT_RATES, currency="USD")
        best = expected[expected["rank"] == 1]
        assert sorted(set(best["aoi_id"])) == ["north", "south"]
        want = sorted((str(r["aoi_id"]), str(r["provider"]), str(r["sensor"]),
                       float(r["amount"]), str(r["unit"]), float(r["amount_usd"])) for _, r in best.iterrows())
        got = sorted((s["aoi"], s["provider"], s["sensor"], float(s["amount"]), s["unit"], float(s["amount-currency"]))
                     for s in shown)
        assert got == want
        assert all(s["currency"] == "USD" for s in shown)

        # The charts are plotly figures drawn offline by the mime extension; the quotes a sortable grid.
        for chart in ("quotes", "sweep", "windows"):
            desk.locator(f".pixorder-{chart}-chart .js-plotly-plot .plot-container").wait_for()
        desk.locator(".pixorder-grid canvas").first.wait_for()
        assert desk.locator(".pixorder-sweep-chart g.trace.scatter").count() >= 4  # a line per provider and sensor
        # Export: a download link holding the GeoParquet file.
        desk.get_by_role("button", name="Export").click()
        link = desk.locator(".pixorder-download-link")
        link.wait_for()
        assert link.get_attribute("download") == "pixorder-quotes.parquet"
        page.set_viewport_size({"width": 1400, "height": 2400})  # the whole desk in view for the picture
        page.wait_for_timeout(1000)

        screenshot = OUTPUT / "desk.png"
        desk.screenshot(path=str(screenshot))
        if os.environ.get("PIXORDER_UPDATE_SCREENSHOT"):  # the README's picture, on request only
            DESK_IMAGE.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(screenshot, DESK_IMAGE)
    except Exception:
        page.screenshot(path=str(OUTPUT / "desk_failure.png"), full_page=True)
        raise
    finally:
        page.close()
        _stop(proc)
