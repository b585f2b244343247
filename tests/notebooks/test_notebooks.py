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
MAX_SECONDS = 60


@dataclass(frozen=True)
class Frame:
    rows: int | None
    columns: set[str] = field(default_factory=set)
    geo: bool = False
    min_rows: int = 0


QUOTE_COLUMNS = {"provider", "aoi_index", "sensor", "area_km2", "billed_area_km2", "base_amount",
                 "uplift_amount", "amount", "unit", "amount_per_km2", "uplifts", "error", "geometry"}
USD = {"rate_to_usd", "amount_usd", "amount_usd_per_km2"}

EXPECTED: dict[str, dict[str, Frame]] = {
    "02-compare-prices.ipynb": {
        "aoi_table": Frame(4, {"aoi", "kind", "area_km2", "length_km"}),
        "frame": Frame(12, QUOTE_COLUMNS | USD | {"aoi"}, geo=True),
        "per_km2": Frame(4, {"pixxel", "planet", "geopera"}),
        "billing": Frame(12, {"aoi", "provider", "area_km2", "billed_area_km2", "billed_over_drawn"}),
        "fast": Frame(3, QUOTE_COLUMNS | USD, geo=True),
        "widget_frame": Frame(3, QUOTE_COLUMNS | USD, geo=True),
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


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_on_the_sandbox(name: str) -> None:
    report = run_notebook(NOTEBOOKS / name)
    assert report["failure"] is None, report["failure"]
    assert report["errors"] == []
    tracebacks = [s for s in report["stderr"] if "Traceback" in s["text"] or "Error" in s["text"]]
    assert tracebacks == [], tracebacks
    assert report["executable"] == sys.executable, "the kernel must be this venv's Python"
    assert report["seconds"] < MAX_SECONDS, f"{name} took {report['seconds']} s"

    frames = report["frames"]
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
