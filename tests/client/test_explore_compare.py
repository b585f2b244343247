"""compare() that explores: a default window, providers as a string, every sensor, needs and ranking."""

from datetime import datetime, timedelta, timezone

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import pixorder
from pixorder import errors as E
from tests.client.conftest import END, FIELD, START, request

RATES = {"USD": 1.0, "AUD": 0.66, "SQKM": 4.0}


def test_compare_with_only_an_aoi_uses_a_stated_default_window(sandbox):
    frame = pixorder.compare(FIELD)
    assert sorted(frame["provider"].astype(str)) == ["geopera", "pixxel", "planet"]
    assert frame["error"].isna().all(), list(frame["error"])
    assert (frame["amount"] > 0).all()
    info = frame.attrs["pixorder"]
    assert "30 days from each provider's minimum lead time" in info["default_window"]
    assert info["sources"] == {"pixxel": "sandbox", "planet": "sandbox", "geopera": "sandbox"}
    now = datetime.now(timezone.utc)
    assert (frame["window_start"] >= now + timedelta(hours=24)).all()
    assert ((frame["window_end"] - frame["window_start"]) == timedelta(days=30)).all()


def test_providers_as_a_comma_separated_string():
    frame = pixorder.compare(FIELD, providers="planet, geopera")
    assert sorted(frame["provider"].astype(str)) == ["geopera", "planet"]
    assert len(pixorder.compare(FIELD, providers="planet")) == 1
    with pytest.raises(E.ValidationError, match="providers"):
        pixorder.compare(FIELD, providers="planet,nasa")


def test_every_sensor_of_every_provider(sandbox):
    counts = {p: len(pixorder.connect("sandbox", api=p).sensors()) for p in ("pixxel", "planet", "geopera")}
    frame = pixorder.compare(FIELD, sensors="all")
    assert frame.groupby("provider", observed=True).size().to_dict() == counts
    assert frame["sensor"].is_unique
    pneo = frame[frame["sensor"] == "pneo-30cm"].iloc[0]
    assert pneo["resolution_m"] == 0.3 and "NIR" in pneo["bands"] and pneo["product_type"] == "optical"
    vnir = frame[frame["sensor_name"] == "VNIR"].iloc[0]
    assert vnir["resolution_m"] == 5.0 and vnir["n_bands"] == 150 and vnir["product_type"] == "hyperspectral"
    assert "SWIR" not in vnir["bands"] and "NIR" in vnir["bands"]
    ok = frame[frame["error"].isna()]
    assert len(ok) >= len(frame) - 1 and (ok["amount"] > 0).all()  # Assured Tasking needs an imaging window


def test_needs_keep_qualifying_sensors_cheapest_first(sandbox):
    frame = pixorder.compare(FIELD, needs={"max_gsd_m": 1.0, "bands": ["NIR"]}, rates=RATES, currency="USD")
    assert len(frame) > 0 and (frame["resolution_m"] <= 1.0).all()
    assert frame["bands"].str.contains("NIR").all()
    assert "pixxel" not in set(frame["provider"].astype(str))  # 5 m hyperspectral does not qualify
    priced = frame[frame["rank"].notna()]
    assert list(priced["rank"]) == sorted(priced["rank"])
    assert priced["amount_usd"].is_monotonic_increasing
    assert priced["rank"].iloc[0] == 1
    hyper = pixorder.compare(FIELD, needs={"hyperspectral": True, "bands": ["SWIR"]})
    assert set(hyper["provider"].astype(str)) == {"pixxel"}
    assert set(hyper["sensor_name"]) == {"SWIR", "VSWIR"}
    assert hyper.attrs["pixorder"]["needs"] == "bands SWIR, hyperspectral"
    with pytest.raises(E.ValidationError, match="bands"):
        pixorder.compare(FIELD, needs={"bands": ["thermal"]})


def test_frame_rows_in_any_crs_keep_their_ids():
    fields = gpd.GeoDataFrame({"name": ["north", "south"]}, index=["f1", "f2"],
                              geometry=[shapely.geometry.shape(FIELD),
                                        shapely.affinity.translate(shapely.geometry.shape(FIELD), 0, -1)],
                              crs=4326)
    in_metres = fields.to_crs(3857)
    frame = pixorder.compare(in_metres, providers="geopera")
    assert list(frame["aoi_id"]) == ["f1", "f2"]
    assert frame["area_km2"].tolist() == pytest.approx([pixorder.AOI(FIELD).area_km2,
                                                         pixorder.AOI(fields.geometry.iloc[1]).area_km2], rel=1e-6)
    series = pixorder.compare(in_metres.geometry, providers="planet")
    assert list(series["aoi_id"]) == ["f1", "f2"] and series["error"].isna().all()


def test_needs_no_sensor_meets_gives_an_empty_frame_that_says_so():
    frame = pixorder.compare(FIELD, needs={"max_gsd_m": 0.05})
    assert len(frame) == 0 and frame.attrs["pixorder"]["needs"] == "GSD ≤ 0.05 m"


def test_a_multi_part_aoi_ranks_by_its_total_with_its_parts_beside_it():
    two = {"type": "MultiPolygon", "coordinates": [FIELD["coordinates"],
                                                    [[[11.0, 50.0], [11.06, 50.0], [11.06, 50.04], [11.0, 50.04],
                                                      [11.0, 50.0]]]]}
    frame = pixorder.compare(two, providers="planet,geopera", sensors="all", rates=RATES, currency="USD")
    planet = frame[(frame["provider"] == "planet") & (frame["sensor"] == "Flexible Tasking")]
    assert planet["part"].tolist()[:2] == [0, 1] and pd.isna(planet["part"].iloc[2])  # parts, then the total
    assert planet["rank"].nunique() == 1
    totals = frame[frame["part"].isna() & frame["rank"].notna()]
    assert totals["amount_usd"].is_monotonic_increasing and totals["rank"].iloc[0] == 1
    assert list(planet.index) == list(range(planet.index[0], planet.index[0] + 3))  # kept together


def test_a_sensor_id_no_provider_offers_is_refused():
    with pytest.raises(E.ValidationError, match="sensors") as info:
        pixorder.compare(FIELD, sensors="al")
    assert "pneo-30cm" in str(info.value) and "Flexible Tasking" in str(info.value)
    one = pixorder.compare(FIELD, sensors=["pneo-30cm", "Flexible Tasking"])
    assert sorted(one["sensor"]) == ["Flexible Tasking", "pneo-30cm"]


def test_an_empty_sensor_list_is_refused_before_any_call(monkeypatch):
    """``sensors=[]`` priced nothing and returned an empty frame without a word; ``providers=[]`` is refused."""
    import pixorder.client.compare as compare_module

    def no_clients(*args, **kwargs):
        raise AssertionError("a client was made for a request that should have been refused")

    monkeypatch.setattr(compare_module, "clients_for", no_clients)
    with pytest.raises(E.ValidationError, match="sensors") as info:
        pixorder.compare(FIELD, sensors=[])
    assert info.value.field == "sensors" and "at least one" in info.value.rule


def test_a_comparison_leaves_nothing_for_the_cycle_collector(sandbox):
    """Its AOIs, requests and quotes are freed as soon as compare() returns, not at the next full
    collection: on 10,000 AOIs that was a 0.1–0.5 s collection the next time anything allocated, and
    every request held until then (a bulk call's closure that called itself was a reference cycle)."""
    import gc

    fields = [{"type": "Point", "coordinates": [10 + i / 100, 50]} for i in range(120)]
    pixorder.compare(fields[:2], providers="planet,geopera")  # imports and catalogues done
    kinds = ("TaskingRequest", "Quote", "AOI", "Job")
    gc.collect()
    before = {id(o) for o in gc.get_objects() if type(o).__name__ in kinds}  # other tests' AOIs
    gc.disable()
    try:
        frame = pixorder.compare(fields, providers="planet,geopera")
        alive = [o for o in gc.get_objects() if type(o).__name__ in kinds and id(o) not in before]
    finally:
        gc.enable()
    assert len(frame) == 240 and frame["error"].isna().all()
    assert alive == []


def test_each_provider_framed_on_its_own_gives_the_frame_of_every_job(sandbox, monkeypatch):
    """price_plans (each provider priced and framed slice by slice as its quotes come in) equals
    jobs_frame of every job at once: same rows in the same order, same columns and dtypes, even when
    only one provider prices a catalogue sensor (its capability columns are None for the others)."""
    import asyncio

    from pixorder.aoi import as_aois
    from pixorder.client import compare as C

    aois = as_aois([FIELD, {"type": "Point", "coordinates": [11, 50]}, "POINT (12 51)"])
    ids = ["a", "b", "c"]
    window = {"start": "2030-03-01", "end": "2030-03-21"}

    async def both():
        async with C.clients_for(["planet", "geopera", "pixxel"]) as clients:
            chosen = [(await C.sensors_for(c, ["pneo-30cm"] if c.provider == "geopera" else None))[0]
                      for c in clients]
            plans = [C.Plan(c, len(aois), len(s), lambda start, stop, c=c, s=s: C.jobs_for(
                c, aois[start:stop], ids[start:stop], s, window, offset=start), C.job_columns(s))
                     for c, s in zip(clients, chosen)]
            piped = await C.price_plans(plans)
            jobs = [job for c, s in zip(clients, chosen) for job in C.jobs_for(c, aois, ids, s, window)]
            whole = C.jobs_frame(jobs, await C.price_jobs(jobs))
            return piped, whole

    # Planet's limits made to hold it (its turn), so that its AOIs go in slices: here 2 + 1 AOIs.
    built = []
    monkeypatch.setattr(C, "least_seconds", lambda client, jobs: 1.0 if client.provider == "planet" else 0.0)
    monkeypatch.setattr(C.Plan, "slice_size", lambda self: built.append(self.client.provider) or 2)
    piped, whole = asyncio.run(both())
    assert built == ["planet"]
    assert list(piped["provider"].astype(str)) == ["planet"] * 3 + ["geopera"] * 3 + ["pixxel"] * 3
    assert piped[piped["provider"] == "geopera"]["resolution_m"].tolist() == [0.3] * 3
    assert piped[piped["provider"] == "planet"]["sensor_name"].isna().all()
    assert piped.dtypes.to_dict() == whole.dtypes.to_dict()
    pd.testing.assert_frame_equal(piped, whole)


def test_a_window_that_has_ended_is_refused_by_the_providers_clock_before_any_price(sandbox, connect):
    """Planet's pricing priced a 2020 window as if it were ahead while Pixxel and Geopera refused it:
    one frame said three things. Now the window's end is checked against each provider's time (the
    sandbox's own clock, which a user may move on) before anything is priced."""
    planet, geopera = connect("planet"), connect("geopera")
    with pytest.raises(E.ValidationError) as info:
        pixorder.compare(FIELD, {"start": "2020-03-01", "end": "2020-03-21"}, providers=[planet, geopera])
    assert info.value.field == "end" and "must be in the future" in info.value.rule
    assert info.value.value == "2020-03-21T00:00:00Z"
    assert not [r for r in sandbox.received() if r["method"] == "POST"]  # nothing was priced

    soon = sandbox.now() + timedelta(days=10)
    window = {"start": soon.isoformat(), "end": (soon + timedelta(days=5)).isoformat()}
    assert pixorder.compare(FIELD, window, providers=[planet])["error"].isna().all()
    assert [r["path"] for r in sandbox.received() if r["method"] == "POST"] == ["/tasking/v2/pricing/"]
    sandbox.advance(days=20)  # the sandbox's clock, not the machine's, says the window is over
    with pytest.raises(E.ValidationError, match="end: must be in the future: planet's time is now"):
        pixorder.compare(FIELD, window, providers=[planet])


def test_a_currency_without_rates_is_refused_before_any_call(monkeypatch):
    """``compare(..., sensors="all", currency="USD")`` without rates ended in ``KeyError: 'amount_usd'``
    after every price had been asked; without ``sensors`` it silently kept each provider's unit."""
    import pixorder.client.compare as compare_module
    import pixorder.explore.sweep as sweep_module  # imported before the patch: it binds clients_for

    def no_clients(*args, **kwargs):
        raise AssertionError("a client was made for a request that should have been refused")

    monkeypatch.setattr(compare_module, "clients_for", no_clients)
    monkeypatch.setattr(sweep_module, "clients_for", no_clients)
    for call in (lambda: pixorder.compare(FIELD, sensors="all", currency="USD"),
                 lambda: pixorder.compare(FIELD, currency="EUR"),
                 lambda: pixorder.sweep(FIELD, vary={"cloud_cover": [10, 20]}, currency="USD")):
        with pytest.raises(E.ValidationError) as info:
            call()
        assert info.value.field == "rates" and "is required with currency=" in info.value.rule


def test_a_provider_held_back_by_its_rate_limit_keeps_no_other_provider_waiting(sandbox, connect):
    """compare starts the most rate-limited provider first and the next once its first call is out: a
    provider whose window was used up just before must not hold the others until its window opens."""
    planet = connect("planet", rate_limits={"default": (1, 1.5)})  # one call per 1.5 s
    geopera = connect("geopera")
    planet.pricing.estimate(request())  # the window's one call, used
    before = len(sandbox.received())
    frame = pixorder.compare(FIELD, {"start": START, "end": END}, providers=[planet, geopera])
    assert frame["error"].isna().all() and sorted(frame["provider"].astype(str)) == ["geopera", "planet"]
    priced = [r["provider"] for r in sandbox.received()[before:] if r["path"].endswith(("/pricing/", "estimate"))]
    assert priced == ["geopera", "planet"], sandbox.received()[before:]  # Geopera priced while Planet waited


def test_an_end_without_a_start_and_a_sensor_for_every_provider_are_not_dropped():
    """``compare(aoi, end=…)`` priced a 30-day default window that ignored the end; ``sensor="pneo-30cm"``
    (or ``sensor="all"``, a slip for ``sensors=``) priced each provider's default sensor without a word."""
    frame = pixorder.compare(FIELD, end="2030-03-21", providers="planet,geopera")
    assert (frame["window_end"] == pd.Timestamp("2030-03-21", tz="UTC")).all()
    assert (frame["window_start"] > pd.Timestamp.now(tz="UTC")).all()
    assert "to the end given" in frame.attrs["pixorder"]["default_window"]
    with pytest.raises(E.ValidationError, match="end: must be after the window's start"):
        pixorder.compare(FIELD, end=datetime.now(timezone.utc) + timedelta(hours=2), providers="planet")
    for sensor in ("pneo-30cm", "all"):
        with pytest.raises(E.ValidationError, match=r"sensor: is chosen per provider here: pass sensors="):
            pixorder.compare(FIELD, sensor=sensor)
    with pytest.raises(E.ValidationError, match="sensor"):
        pixorder.compare(FIELD, pixorder.TaskingRequest(aoi=FIELD, start=START, end=END, sensor="pneo-30cm"))


def test_provider_names_in_any_case_once_each():
    assert sorted(pixorder.compare(FIELD, providers="Planet, GEOPERA")["provider"].astype(str)) == ["geopera", "planet"]
    with pytest.raises(E.ValidationError, match="providers: must name each provider once"):
        pixorder.compare(FIELD, providers="planet,planet")


def test_needs_that_leave_a_provider_out_keep_the_column_dtypes():
    """Pixxel's 5 m sensor fails max_gsd_m=1: its empty frame turned aoi_index into floats."""
    frame = pixorder.compare(FIELD, needs={"max_gsd_m": 1})
    assert "pixxel" not in set(frame["provider"].astype(str)) and len(frame) > 0
    assert str(frame["aoi_index"].dtype) == "int64" and str(frame["n_bands"].dtype) == "Int64"


def test_band_classes_read_numbered_and_deep_blue_bands():
    """WorldView-3's NIR1/NIR2 were not read as NIR (needs={"bands": ["NIR"]} left it out), Pléiades
    Neo's deep blue (DB, 400-450 nm) was read as BLUE rather than COASTAL."""
    frame = pixorder.compare(FIELD, sensors="all", needs={"max_gsd_m": 1, "bands": ["NIR"]}, providers="geopera")
    assert "wv3-31cm" in set(frame["sensor"])
    pneo = frame[frame["sensor"] == "pneo-30cm"].iloc[0]
    assert "COASTAL" in pneo["bands"].split(",")


def test_a_sensor_per_provider_with_needs_and_rates_in_any_case():
    """``sensors={"geopera": "wv3-31cm"}`` with needs gave an empty frame (the provider names were read
    as sensor ids); rates keyed "usd", "sqkm" converted nothing; a unit without a rate is said."""
    import warnings

    frame = pixorder.compare(FIELD, sensors={"geopera": "wv3-31cm"}, needs={"max_gsd_m": 0.5}, providers="geopera")
    assert frame["sensor"].tolist() == ["wv3-31cm"] and frame["rank"].tolist() == [1]
    with pytest.raises(E.ValidationError, match="sensors.maxar: must be keyed by provider"):
        pixorder.compare(FIELD, sensors={"maxar": "wv3"})
    lower = pixorder.compare(FIELD, rates={"usd": 1, "aud": 0.66, "sqkm": 4}, currency="usd", providers="planet,geopera")
    assert lower.set_index(lower["provider"].astype(str))["amount_usd"].to_dict() == {"planet": 100.0, "geopera": 462.0}
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        pixorder.compare(FIELD, rates={"USD": 1, "AUD": 0.66}, currency="USD", providers="planet,geopera")
    assert any(w.category is E.PixorderWarning and "no rate for SQKM" in str(w.message) for w in seen)
    with pytest.raises(E.ValidationError, match="rates: must be a dict"):
        pixorder.compare(FIELD, rates=[1, 0.66, 4], currency="USD")


def test_a_file_of_fields_is_read_as_its_fields_on_every_path():
    """``compare("fields.geojson")`` priced the file as one multi-part AOI (one Pixxel minimum for two
    fields) while the same file read with geopandas, or uploaded to the desk, gave one AOI per field."""
    from pathlib import Path

    from pixorder.widgets.desk import aois_from_upload

    path = Path(__file__).parents[1] / "data" / "aoi" / "two_fields.geojson"
    window = {"start": START, "end": END}
    from_path = pixorder.compare(str(path), window, providers="pixxel,planet")
    from_frame = pixorder.compare(gpd.read_file(path), window, providers="pixxel,planet")
    assert from_path["aoi_id"].tolist() == ["west", "west", "east", "east"]  # each feature's name
    assert from_path["amount"].tolist() == from_frame["amount"].tolist()
    assert from_path["amount"].tolist() == [1240.0, pytest.approx(123.091), 1240.0, pytest.approx(123.091)]
    desk = aois_from_upload("two_fields.geojson", path.read_bytes())
    assert [(a.name, a.area_km2) for a in desk] == [(a, from_path["area_km2"].iloc[i * 2])
                                                     for i, a in enumerate(["west", "east"])]
    budget = pixorder.budget(path, "monthly", months=1, start=START, providers="pixxel")
    assert budget["amount"].tolist() == [2480.0]  # two fields' minimums, not one


def test_an_aoi_larger_than_any_order_is_priced_with_a_warning():
    """86,101 km² (the Netherlands and more, a slip of the mouse) was priced at 2.4 million AUD without a word."""
    import warnings

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = pixorder.compare("POLYGON ((3.3 50.7, 7.2 50.7, 7.2 53.6, 3.3 53.6, 3.3 50.7))", providers="geopera",
                                 start=START, end=END)
    assert frame["error"].isna().all() and frame["area_km2"].iloc[0] > 80_000
    said = [str(w.message) for w in seen if w.category is E.PixorderWarning]
    assert len(said) == 1 and "1 AOI(s) over 5,000 km², the largest 86,1" in said[0]


def test_sensor_ids_say_what_they_leave_out_and_what_was_meant():
    """``sensors="al"`` listed thirty ids without "did you mean"; ``sensors=["pneo-30cm"]`` with Planet in
    the providers left Planet out without a word."""
    import warnings

    with pytest.raises(E.ValidationError, match="sensors: did you mean 'all'\\?"):
        pixorder.compare(FIELD, sensors="al")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = pixorder.compare(FIELD, sensors=["pneo-30cm"], providers="planet,geopera")
    assert frame["provider"].astype(str).tolist() == ["geopera"]
    assert any(w.category is E.PixorderWarning and "planet offer(s) none of the sensors asked (pneo-30cm)"
               in str(w.message) for w in seen)


def test_printing_a_quote_shows_its_one_line():
    client = pixorder.connect("sandbox", api="planet")
    quote = client.pricing.estimate(pixorder.TaskingRequest(aoi=FIELD, start=START, end=END))
    assert str(quote) == repr(quote) and str(quote).startswith("<Quote planet Flexible Tasking amount=25.00 SQKM")


def test_a_start_inside_the_lead_time_is_warned_of():
    """Planet and Geopera priced a window starting in 5 hours without a remark; no order could be placed."""
    import warnings

    soon = datetime.now(timezone.utc) + timedelta(hours=5)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = pixorder.compare(FIELD, start=soon, end=soon + timedelta(days=20), providers="planet,geopera")
    assert frame["error"].isna().all()
    said = sorted(str(w.message).split("within ")[1].split("'s")[0] for w in seen if w.category is E.PixorderWarning)
    assert said == ["geopera", "planet"]


def test_a_start_in_the_past_is_warned_of_as_past():
    """A start years ago (end ahead) was warned of as "within planet's minimum lead time of 24 h"."""
    import warnings

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        pixorder.compare(FIELD, start="2020-01-01", end=datetime.now(timezone.utc) + timedelta(days=20),
                         providers="planet")
    said = [str(w.message) for w in seen if w.category is E.PixorderWarning]
    assert len(said) == 1 and said[0].startswith("start 2020-01-01T00:00:00Z is in the past (planet's time is now ")
