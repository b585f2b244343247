"""Every notebook runs top to bottom on the sandbox, with no key and no way out, and builds its frames.

Each notebook is executed by nbclient in a ``python3`` kernel of this interpreter (the venv's), with
the provider keys removed and every proxy variable pointing at a closed port (``nbrun.offline_env``).
A probe cell appended to an in-memory copy reports the DataFrames the notebook left behind; the
expectations below name them, with the columns and row counts each must have.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.nbrun import run_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


@dataclass(frozen=True)
class Frame:
    rows: int | None
    columns: set[str] = field(default_factory=set)
    geo: bool = False
    min_rows: int = 0


QUOTE_COLUMNS = {"provider", "aoi_index", "sensor", "area_km2", "billed_area_km2", "base_amount",
                 "uplift_amount", "amount", "unit", "amount_per_km2", "uplifts", "error", "geometry"}
USD = {"rate_to_usd", "amount_usd", "amount_usd_per_km2"}

ORDER_COLUMNS = {"provider", "id", "name", "status", "provider_status", "order_type", "amount", "unit",
                 "area_km2", "start", "end", "created_at", "reference", "dry_run", "geometry"}
TASK_COLUMNS = {"provider", "id", "order_item_id", "type", "status", "delivery_status", "start", "end", "geometry"}
SCENE_COLUMNS = {"id", "datetime", "satellite", "cloud_cover", "off_nadir", "overlap_km2", "geometry"}

EXPECTED: dict[str, dict[str, Frame]] = {
    "01-quickstart.ipynb": {
        "orders": Frame(1, ORDER_COLUMNS, geo=True),
    },
    "02-compare-prices.ipynb": {
        "aoi_table": Frame(4, {"aoi", "kind", "area_km2", "length_km"}),
        "frame": Frame(12, QUOTE_COLUMNS | USD | {"aoi"}, geo=True),
        "per_km2": Frame(4, {"pixxel", "planet", "geopera"}),
        "billing": Frame(12, {"aoi", "provider", "area_km2", "billed_area_km2", "billed_over_drawn"}),
        "fast": Frame(3, QUOTE_COLUMNS | USD, geo=True),
        "widget_frame": Frame(3, QUOTE_COLUMNS | USD, geo=True),
    },
    "03-tasking-lifecycle.ipynb": {
        "studies": Frame(3, {"id", "order_id", "decision", "option_id", "option_description", "amount", "unit",
                             "start", "end", "geometry"}, geo=True),
        "quotations": Frame(1, {"id", "order_id", "status", "amount", "unit", "credits", "expires_at", "geometry"},
                            geo=True),
        "history": Frame(7, {"step", "sandbox_time", "status", "provider_status"}),
        "tasks": Frame(1, TASK_COLUMNS, geo=True),
        "all_orders": Frame(4, ORDER_COLUMNS, geo=True),
    },
    "04-archive-orders.ipynb": {
        "scenes": Frame(None, SCENE_COLUMNS, geo=True, min_rows=2),
        "chosen": Frame(2, SCENE_COLUMNS, geo=True),
        "deliveries": Frame(2, TASK_COLUMNS, geo=True),
        "history": Frame(3, {"after_hours", "status", "provider_status", "amount", "unit"}),
        "archive_orders": Frame(2, ORDER_COLUMNS, geo=True),
    },
    "06-explore-prices.ipynb": {
        "fields": Frame(2, {"id", "geometry"}, geo=True),
        # 1 m and NIR, not hyperspectral: Planet's Flexible and Monitoring Tasking and Geopera's five
        # sub-metre NIR sensors (WorldView-3's NIR1/NIR2 included), for each of the two fields (Assured
        # Tasking left out: it needs a window).
        "ranked": Frame(14, QUOTE_COLUMNS | USD | {"aoi_id", "rank", "resolution_m", "bands", "product_type",
                                                   "window_start", "window_end"}, geo=True),
        "cheapest": Frame(4, {"aoi_id", "rank", "provider", "amount_usd"}, geo=True),
        "sweep": Frame(49, {"cloud_cover", "provider", "sensor", "amount", "amount_usd"}, geo=True),  # 7 points × 7 sensors
        "budget": Frame(36, {"provider", "month", "amount", "cumulative_amount", "amount_usd"}, geo=True),
    },
    "05-real-providers.ipynb": {
        "providers": Frame(3, {"provider", "key_variable", "state"}),
    },
}


def notebook_paths() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_the_notebooks_are_the_ones_listed() -> None:
    assert notebook_paths() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_committed_notebook_is_clean(name: str) -> None:
    """No outputs, no execution counts, the kernelspec JupyterLab needs, an opening and a way on."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec") == KERNELSPEC
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs are committed"
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "opens with a title and what it shows"
    assert last.cell_type == "markdown" and "what to try next" in last.source.lower()


def check_ran_clean(name: str, report: dict) -> None:
    assert report["failure"] is None, report["failure"]
    assert report["errors"] == []
    tracebacks = [s for s in report["stderr"] if "Traceback" in s["text"] or "Error" in s["text"]]
    assert tracebacks == [], tracebacks
    assert report["executable"] == sys.executable, "the kernel must be this venv's Python"


def check_frames(name: str, frames: dict) -> None:
    for var, want in EXPECTED[name].items():
        assert var in frames, f"{name} no longer builds the frame {var!r}: {sorted(frames)}"
        got = frames[var]
        if want.rows is not None:
            assert got["rows"] == want.rows, f"{name}: {var} has {got['rows']} rows, expected {want.rows}"
        assert got["rows"] >= want.min_rows, f"{name}: {var} has {got['rows']} rows, expected ≥ {want.min_rows}"
        missing = want.columns - set(got["columns"])
        assert not missing, f"{name}: {var} lacks columns {sorted(missing)}"
        if want.geo:
            assert got["geo"] and got["crs"] == "EPSG:4326", f"{name}: {var} is not a GeoDataFrame in EPSG:4326"
        assert got["errors"] == 0, f"{name}: {var} has {got['errors']} rows with an error"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_on_the_sandbox(name: str) -> None:
    report = run_notebook(NOTEBOOKS / name)
    check_ran_clean(name, report)
    check_frames(name, report["frames"])
    stdout = "".join(report["stdout"])
    if name.startswith("01-"):
        # Headless nobody draws: the notebook says it falls back to its labelled default AOI.
        assert "Nothing drawn: using the DEFAULT AOI" in stdout
    if name.startswith("05-"):
        for provider, variable in (("pixxel", "PIXXEL_API_KEY"), ("planet", "PL_API_KEY"),
                                   ("geopera", "GEOPERA_API_KEY")):
            assert f"skipped {provider}: {variable} is not set" in stdout
        assert "live API" not in stdout


# Inside the kernel only: keys that look set, and connect(provider) answered by the sandbox's
# emulation of that provider, so the live cells of 05 run their real code without a real host.
LIVE_ON_SANDBOX = """
import os
import pixorder
_connect = pixorder.connect
def _on_sandbox(provider="sandbox", api_key=None, base_url=None, **options):
    if provider in ("pixxel", "planet", "geopera"):
        return _connect("sandbox", api=provider, **options)
    return _connect(provider, api_key, base_url, **options)
pixorder.connect = _on_sandbox
os.environ.update(PIXXEL_API_KEY="not-a-key", PL_API_KEY="not-a-key", GEOPERA_API_KEY="not-a-key")
"""


def test_real_provider_cells_run_when_keys_are_set() -> None:
    """05's live branch, with connect() answered by the sandbox: every provider runs its calls."""
    name = "05-real-providers.ipynb"
    report = run_notebook(NOTEBOOKS / name, preamble=LIVE_ON_SANDBOX)
    check_ran_clean(name, report)
    stdout = "".join(report["stdout"])
    assert "skipped" not in stdout
    for provider in ("pixxel", "planet", "geopera"):
        assert f"{provider}: live API at http://127.0.0.1:" in stdout
    assert stdout.count("price: ") + stdout.count("estimate: ") == 3
    assert report["frames"]["providers"]["rows"] == 3
    assert report["frames"]["sensors"]["rows"] >= 1  # Geopera's sensors, read to pick one


def test_the_kernel_cannot_reach_a_real_host(tmp_path: Path) -> None:
    """The guard itself: in the kernel a notebook runs in, a real provider host is unreachable."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC})
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os, httpx\n"
        "assert not any(os.environ.get(v) for v in ('PIXXEL_API_KEY', 'PL_API_KEY', 'GEOPERA_API_KEY'))\n"
        "try:\n"
        "    httpx.get('https://api.planet.com/tasking/v2/orders/', timeout=5)\n"
        "    print('REACHED')\n"
        "except httpx.HTTPError as exc:\n"
        "    print('BLOCKED', type(exc).__name__)\n"))
    path = tmp_path / "guard.ipynb"
    nbformat.write(nb, path)
    report = run_notebook(path)
    assert report["failure"] is None, report["failure"]
    assert "".join(report["stdout"]).startswith("BLOCKED")
