"""The quickstart's OrderForm follows the AOI the user draws on the notebook's first map (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from tests.notebooks.nbrun import run_notebook

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "01-quickstart.ipynb"

# What a user does after running the notebook: draws a new shape on the first map (the browser syncs
# the draw control's data, as in tests/widgets), then looks at the form.
DRAW_AGAIN = """
from pixorder.widgets import AOIMap
new_field = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
    [4.30, 50.80], [4.36, 50.80], [4.36, 50.84], [4.30, 50.84], [4.30, 50.80]]]}}
aoi_map.draw.set_state({"data": [new_field]})
form.wait(30)
print("FIRST MAP", round(aoi_map.value.area_km2, 2))
print("FORM MAP", round(form.aoi_map.value.area_km2, 2), form.aoi_map.value == aoi_map.value)
print("FORM PRICE FOR", round(form.preview.value.area_km2, 2))
"""


def test_the_form_follows_the_shape_drawn_on_the_first_map(tmp_path: Path) -> None:
    nb = nbformat.read(QUICKSTART, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(DRAW_AGAIN))
    copy = tmp_path / QUICKSTART.name
    nbformat.write(nb, copy)
    report = run_notebook(copy)
    assert report["failure"] is None, report["failure"]
    stdout = "".join(report["stdout"])
    drawn = float(re.search(r"^FIRST MAP ([\d.]+)$", stdout, re.M).group(1))
    form_area, same = re.search(r"^FORM MAP ([\d.]+) (True|False)$", stdout, re.M).groups()
    assert 18 < drawn < 20  # the new 0.06° × 0.04° field at Brussels (18.8 km²), not the 113 km² default AOI
    assert (float(form_area), same) == (drawn, "True")  # the form shows the shape just drawn (was the old AOI)
    assert float(re.search(r"^FORM PRICE FOR ([\d.]+)$", stdout, re.M).group(1)) == drawn  # and prices it
