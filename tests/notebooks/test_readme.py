"""The README keeps its promises: the two commands first, working links, and a support table that
says NotSupported exactly where the provider adapters raise it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import pixorder
from pixorder import models as m
from pixorder.client.core import make_adapter

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROVIDERS = ("pixxel", "planet", "geopera")


def test_the_two_commands_come_first() -> None:
    sections = re.findall(r"^## (.+)$", README, flags=re.M)
    assert sections[0] == "Two commands"
    block = README.split("## Two commands", 1)[1].split("##", 1)[0]
    assert "make demo" in block and "make test" in block


def test_quickstart_links_and_files_exist() -> None:
    assert "https://mybinder.org/v2/gh/OWNER/pixorder/main?urlpath=lab/tree/notebooks/01-quickstart.ipynb" in README
    for path in re.findall(r"`((?:notebooks|docs|binder|benchmarks|pixorder|tests)/[^`\s]+)`", README):
        if path.endswith(".md") and path.startswith("benchmarks/"):
            continue  # written by `make bench`
        assert (ROOT / path).exists(), f"README names {path}, which does not exist"
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        if image.startswith("https://"):
            continue  # the Binder badge
        assert (ROOT / image).is_file(), f"README shows {image}, which does not exist"
    listed = set(re.findall(r"`(\d\d-[a-z-]+\.ipynb)`", README))
    assert listed == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}


def _requests() -> tuple[m.TaskingRequest, m.ArchiveRequest]:
    now = datetime.now(timezone.utc)
    aoi = pixorder.AOI.from_bounds(0.0, 0.0, 0.1, 0.1)
    return (m.TaskingRequest(aoi=aoi, start=now + timedelta(days=5), end=now + timedelta(days=20), sensor="x"),
            m.ArchiveRequest(aoi=aoi, item_ids=["scene"]))


TASKING, ARCHIVE = _requests()
EDITS = {"pixxel": {"name": "n"}, "planet": {"name": "n"}, "geopera": {"tags": ["t"]}}
# README row → the adapter calls behind it (all sans-IO: nothing is sent).
ROWS = {
    "`pricing.estimate(ArchiveRequest)`": [lambda a, p: a.price([ARCHIVE])],
    "`orders.edit(id, ...)`": [lambda a, p: a.edit_order("id", EDITS[p])],
    "`orders.cancel(id)`": [lambda a, p: a.cancel_order("id")],
    "`order_items.list()`": [lambda a, p: a.list_order_items({}, 0, 10)],
    "`tasks.list()`": [lambda a, p: a.list_tasks({}, 0, 10)],
    "`feasibility.check()`": [lambda a, p: a.check_feasibility(TASKING)],
    "`feasibility.list / decide`": [lambda a, p: a.list_feasibility({}, 0, 10),
                                    lambda a, p: a.decide_feasibility("study", "option")],
    "`quotations.list / decide`": [lambda a, p: a.list_quotations({}, 0, 10),
                                   lambda a, p: a.decide_quotation("quotation", True)],
}


def _table_row(label: str) -> list[str]:
    for line in README.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"README's support table has no row {label}")


@pytest.mark.parametrize("label", sorted(ROWS))
def test_support_table_matches_the_adapters(label: str) -> None:
    cells = _table_row(label)
    assert len(cells) == len(PROVIDERS)
    for provider, cell in zip(PROVIDERS, cells):
        adapter = make_adapter(provider)
        raised = []
        for call in ROWS[label]:
            try:
                call(adapter, provider)
            except pixorder.NotSupported:
                raised.append(True)
            else:
                raised.append(False)
        says = cell.startswith("NotSupported")
        assert all(raised) == says and (any(raised) == says), \
            f"{label} for {provider}: README says {cell!r}, the adapter raises NotSupported: {raised}"


def _ten_lines() -> str:
    section = README.split("## Ten lines", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


def test_ten_lines_run_and_print_what_their_comments_say(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict = {}
    exec(compile(_ten_lines(), "README.md (Ten lines)", "exec"), namespace)  # noqa: S102 - our own README
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "25.0"
    assert any("billed as 100 km²" in line for line in printed[1:])
    assert len(namespace["aoi"].to_gdf()) == 1


def test_ten_lines_point_is_on_land() -> None:
    import json

    import shapely.geometry

    lon, lat = (float(v) for v in re.search(r'"coordinates": \[([-\d.]+), ([-\d.]+)\]', _ten_lines()).groups())
    countries = json.loads((ROOT / "pixorder/widgets/data/countries_110m.geojson").read_text())
    point = shapely.geometry.Point(lon, lat)
    where = [f["properties"]["name"] for f in countries["features"] if shapely.geometry.shape(f["geometry"]).contains(point)]
    assert where == ["Netherlands"], f"the README's point ({lon}, {lat}) lies in {where or 'the sea'}"


def test_exploring_prices_block_runs(tmp_path, monkeypatch) -> None:
    """The README's exploring block runs as written (on the sandbox) and its last line says so."""
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    block = README.split("## Exploring prices", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    lines = block.strip().splitlines()
    namespace: dict = {}
    exec(compile("\n".join(lines[:-1]), "README.md (Exploring prices)", "exec"), namespace)  # noqa: S102
    assert eval(lines[-1].split("#")[0], namespace) == {"planet": "sandbox", "geopera": "sandbox"}  # noqa: S307
    assert (tmp_path / "quotes.parquet").exists()
