"""Frames: fixed columns and dtypes per entity, empty frames included."""

import pandas as pd
import pytest

from pixorder import frames
from pixorder import models as m


@pytest.mark.parametrize("entity", sorted(frames.SCHEMAS))
def test_empty_frame_has_the_schema(entity):
    frame = frames.empty_frame(entity)
    assert len(frame) == 0
    assert list(frame.columns) == frames.SCHEMAS[entity].names
    assert frame.crs.to_epsg() == 4326
    for name, kind in frames.SCHEMAS[entity].columns:
        if kind == "dt":
            assert str(frame[name].dtype) == "datetime64[ns, UTC]", name
        if kind.startswith("cat") or kind == "provider":
            assert isinstance(frame[name].dtype, pd.CategoricalDtype), name


def test_empty_and_full_frames_share_dtypes():
    order = m.Order(provider="planet", id="a", status="PENDING", created_at="2024-01-01T00:00:00Z",
                    amount=25.0, geometry={"type": "Point", "coordinates": [1, 2]})
    full = frames.orders_frame([order])
    empty = frames.to_geodataframe([], entity="orders")
    for col in full.columns:
        if col == "geometry":
            continue
        if isinstance(empty[col].dtype, pd.CategoricalDtype):
            assert isinstance(full[col].dtype, pd.CategoricalDtype)
        else:
            assert full[col].dtype == empty[col].dtype, col


def test_unknown_status_kept_as_a_category():
    orders = [m.Order(provider="planet", id=str(i), status=s) for i, s in enumerate(["PENDING", "FINALIZING"])]
    frame = frames.to_geodataframe(orders)
    assert list(frame["status"].astype(str)) == ["PENDING", "FINALIZING"]
    assert "FINALIZING" in frame["status"].cat.categories


def test_quotes_frame_money_columns():
    q = m.Quote(provider="pixxel", amount=1200.0, base_amount=1000.0, area_km2=100.0, unit="USD",
                uplifts=[m.Uplift(name="expedited", percentage=20, amount=200.0)])
    frame = frames.quotes_frame([q])
    row = frame.iloc[0]
    assert row["amount_per_km2"] == 12.0 and row["uplift_amount"] == 200.0
    assert row["uplifts"] == "expedited +20%"
    assert frame["amount"].dtype == "float64" and frame["unit"].dtype == "string"


def test_to_geodataframe_needs_entity_for_empty():
    with pytest.raises(ValueError):
        frames.to_geodataframe([])
