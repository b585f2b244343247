"""compare() across the three providers, the CLI built on it, and the async flavour of every facade."""

import asyncio
import json
import math

import pytest

import pixorder
from pixorder import cli
from pixorder import errors as E
from pixorder.client.core import AsyncClient
from tests.client.conftest import END, FIELD, POINT, START, request

pytest.importorskip("pixorder.sandbox.geopera_orders")
PARAMS = {"start": START, "end": END, "cloud_cover": 20}


def clients(sandbox):
    return [pixorder.connect("sandbox", api=p, base_url=sandbox.url, progress=False)
            for p in ("pixxel", "planet", "geopera")]


def test_compare_300_aois_three_providers_few_calls(sandbox):
    made = clients(sandbox)
    for c in made:
        c.sensors()
    aois = [{"type": "Point", "coordinates": [-60 + i * 0.3, -10.0]} for i in range(300)]
    before = {c.provider: c.transport.stats.requests for c in made}
    frame = pixorder.compare(aois, PARAMS, providers=made)
    calls = {c.provider: c.transport.stats.requests - before[c.provider] for c in made}
    assert len(frame) == 900
    assert frame.groupby("provider", observed=True).size().to_dict() == {"pixxel": 300, "planet": 300,
                                                                         "geopera": 300}
    for c in made:
        assert calls[c.provider] <= math.ceil(300 / c.aio.adapter.bulk_limit), calls
    assert frame["error"].isna().all()
    assert (frame["amount"] > 0).all() and frame.crs.to_epsg() == 4326
    for c in made:
        c.close()


def test_compare_rows_say_units_and_convert_only_with_rates(sandbox):
    made = clients(sandbox)
    frame = pixorder.compare([FIELD, POINT], PARAMS, providers=made)
    assert set(frame["unit"]) == {"USD", "SQKM", "AUD"}
    assert not any(c.startswith("amount_usd") for c in frame.columns)
    rates = {"USD": 1.0, "AUD": 0.65}  # no rate for SQKM: those stay NaN rather than guessed
    converted = pixorder.compare([FIELD, POINT], PARAMS, providers=made, rates=rates, currency="USD")
    aud = converted[converted["unit"] == "AUD"]
    assert (aud["amount_usd"] == aud["amount"] * 0.65).all()
    assert converted.loc[converted["unit"] == "SQKM", "amount_usd"].isna().all()
    pixxel = converted[converted["provider"] == "pixxel"].iloc[0]
    assert pixxel["billed_area_km2"] == 100 and pixxel["amount_usd_per_km2"] == pytest.approx(
        pixxel["amount"] / pixxel["billed_area_km2"])  # per billed km²: 10 USD for a 19 km² field billed as 100
    with pytest.raises(E.ValidationError, match="currency"):
        pixorder.compare([FIELD], PARAMS, providers=made, rates=rates)
    for c in made:
        c.close()


def test_cli_quote_prints_a_table_csv_and_geojson(tmp_path, capsys, monkeypatch):
    path = tmp_path / "field.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": FIELD}))
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["quote", str(path), "--start", "2027-03-01", "--end", "2027-03-21"]) == 0
    table = capsys.readouterr().out
    assert "pixxel" in table and "planet" in table and "geopera" in table and "SQKM" in table
    assert cli.main(["quote", str(path), "--start", "2027-03-01", "--end", "2027-03-21", "--format", "csv",
                     "--providers", "planet"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("provider,aoi_index,source") and len(lines) == 2 and ",25.0," in lines[1]
    assert lines[1].split(",")[2] == "sandbox"
    assert cli.main(["quote", str(path), "--start", "2027-03-01", "--end", "2027-03-21", "--format", "geojson",
                     "--providers", "pixxel"]) == 0
    assert json.loads(capsys.readouterr().out)["features"][0]["properties"]["billed_area_km2"] == 100
    assert cli.main(["quote", str(path), "--start", "2027-03-21", "--end", "2027-03-01"]) == 2
    assert "--end: must be after start" in capsys.readouterr().err


def _cli_error(capsys, *args):
    """Run the CLI with bad input: exit code 2, one line on stderr, no traceback."""
    code = cli.main(["quote", *args])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_cli_bad_options_and_files_give_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "field.geojson"
    path.write_text(json.dumps(FIELD))
    dates = ["--start", "2027-03-01", "--end", "2027-03-21"]
    assert _cli_error(capsys, str(path), *dates, "--rates", "USD").startswith("pixorder quote: error: --rates: ")
    assert "--rates: " in _cli_error(capsys, str(path), *dates, "--rates", "USD=abc", "--currency", "USD")
    assert "--currency: is required" in _cli_error(capsys, str(path), *dates, "--rates", "USD=1")
    assert "--rates: is required with --currency" in _cli_error(capsys, str(path), *dates, "--currency", "USD")
    assert "--providers: " in _cli_error(capsys, str(path), *dates, "--providers", "planet,nasa")
    assert "--start: " in _cli_error(capsys, str(path), "--start", "garbage", "--end", "2027-03-21")
    assert "--cloud-cover: must be between 0 and 100 (a percentage)" in _cli_error(capsys, str(path), *dates,
                                                                     "--cloud-cover", "150")
    assert "AOI_FILE: " in _cli_error(capsys, str(tmp_path / "missing.geojson"), *dates)
    (tmp_path / "notes.txt").write_text("not a shape")
    assert "AOI_FILE: " in _cli_error(capsys, str(tmp_path / "notes.txt"), *dates)
    with pytest.raises(SystemExit) as info:  # argparse's own refusals keep argparse's exit code 2
        cli.main(["quote", str(path), *dates, "--cloud-cover", "lots"])
    assert info.value.code == 2 and "--cloud-cover" in capsys.readouterr().err


def test_cli_quote_exits_1_when_every_quote_failed(tmp_path, capsys, monkeypatch):
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "field.geojson"
    path.write_text(json.dumps(FIELD))
    # A two-year window: both providers refuse it (Pixxel takes 90 days at most, Geopera 180).
    code = cli.main(["quote", str(path), "--start", "2027-03-01", "--end", "2029-03-21",
                     "--providers", "pixxel,geopera"])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "every quote failed" in captured.err
    assert captured.out.startswith("prices: pixxel from the sandbox, geopera from the sandbox")


@pytest.mark.parametrize("api", ["pixxel", "planet", "geopera"])
def test_every_facade_method_async(sandbox, api):
    """Each facade method either works over HTTP or raises NotSupported naming what to do instead."""

    async def main():
        outcomes = {}
        async with AsyncClient("sandbox", api=api, base_url=sandbox.url, progress=False) as client:
            aoi = POINT if api == "planet" else FIELD
            req = request(aoi, name=f"async facade {api}")

            async def attempt(label, coro_or_listing):
                try:
                    result = coro_or_listing
                    if hasattr(result, "collect"):
                        result = await result.collect()
                    elif asyncio.iscoroutine(result):
                        result = await result
                    outcomes[label] = result
                except E.NotSupported as exc:
                    outcomes[label] = exc

            def call(label, fn, *args, **kwargs):
                try:
                    return attempt(label, fn(*args, **kwargs))
                except E.NotSupported as exc:  # raised before any coroutine: listings check eagerly
                    outcomes[label] = exc
                    return asyncio.sleep(0)

            await call("sensors", client.sensors)
            await call("pricing.estimate", client.pricing.estimate, req)
            await call("orders.create(dry_run)", client.orders.create, req, dry_run=True)
            await call("orders.create", client.orders.create, req)
            order = outcomes["orders.create"]
            if api == "planet":
                sandbox.advance(hours=2)  # RECEIVED → PENDING, where Planet allows edits
            await call("orders.get", client.orders.get, order.id)
            await call("orders.list", client.orders.list, limit=5)
            await call("orders.edit", client.orders.edit, order.id,
                       **({"tags": ["x"]} if api == "geopera" else {"name": "edited"}))
            await call("orders.cancel", client.orders.cancel, order.id)
            await call("orders.reconcile", client.orders.reconcile, order.reference)
            await call("order_items.list", client.order_items.list, limit=5)
            await call("tasks.list", client.tasks.list, limit=5)
            await call("quotations.list", client.quotations.list, limit=5)
            await call("feasibility.check", client.feasibility.check, req)
            await call("feasibility.list", client.feasibility.list, limit=5)
        return outcomes

    outcomes = asyncio.run(main())
    assert outcomes["orders.get"].id == outcomes["orders.create"].id
    assert outcomes["orders.reconcile"].id == outcomes["orders.create"].id
    assert outcomes["orders.create(dry_run)"].dry_run
    supported = {k for k, v in outcomes.items() if not isinstance(v, Exception)}
    unsupported = {k: str(v) for k, v in outcomes.items() if isinstance(v, E.NotSupported)}
    expected_unsupported = {
        "pixxel": {"orders.edit", "orders.cancel", "quotations.list", "feasibility.check", "feasibility.list"},
        "planet": {"order_items.list", "tasks.list", "quotations.list", "feasibility.check", "feasibility.list"},
        "geopera": {"order_items.list", "tasks.list"},
    }[api]
    assert set(unsupported) <= expected_unsupported | {"orders.edit"}, unsupported
    assert all(api in text for text in unsupported.values())
    assert {"sensors", "pricing.estimate", "orders.create", "orders.get", "orders.list"} <= supported


def test_cli_quote_prices_every_sensor_that_meets_a_need(capsys, monkeypatch):
    """``quote`` had no --sensors or needs: the CLI could not ask what compare(sensors="all", needs=…) answers."""
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    code = cli.main(["quote", "POINT (5.4 52.5)", "--start", "2027-01-10", "--end", "2027-01-30",
                     "--providers", "planet,geopera", "--sensors", "all", "--max-gsd", "0.31", "--bands", "NIR",
                     "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    import io

    import pandas as pd

    rows = pd.read_csv(io.StringIO(out))
    assert set(rows["sensor"]) == {"pneo-30cm", "wv3-31cm"} and (rows["resolution_m"] <= 0.31).all()
    assert rows["rank"].tolist() == [1, 2]


def test_cli_quote_without_dates_uses_compares_default_window_and_says_so(capsys, monkeypatch):
    """``quote`` required --start and --end where compare() has a default window: now it takes the
    same default (each provider's minimum lead time from now, 30 days) and a line says so."""
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["quote", "POINT (5.4 52.5)", "--providers", "planet,geopera"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == ("window: 30 days from each provider's minimum lead time, standard delivery (planet, geopera) "
                      "(--start/--end to set one)")
    assert "25.00 SQKM" in "\n".join(out) and "700.00  AUD" in "\n".join(out)
    assert cli.main(["quote", "POINT (5.4 52.5)", "--providers", "planet", "--format", "csv"]) == 0
    import io

    import pandas as pd

    row = pd.read_csv(io.StringIO(capsys.readouterr().out)).iloc[0]
    start, end = pd.Timestamp(row["window_start"]), pd.Timestamp(row["window_end"])
    assert (end - start).days == 30 and start > pd.Timestamp.now(tz="UTC")


def test_cli_quote_says_when_no_sensor_meets_the_needs_and_warns_in_one_line(capsys, monkeypatch):
    """--max-gsd 0.1 (no sensor that fine) printed an empty table and an IndexError traceback; a
    warning printed a line of Python source. Now one line each, and exit 1."""
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["quote", "POINT (5.4 52.5)", "--max-gsd", "0.1", "--providers", "planet,geopera"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.splitlines() == [
        "pixorder quote: warning: no sensor of planet, geopera meets the needs (GSD ≤ 0.1 m): no rows",
        "pixorder quote: no sensor of planet, geopera meets the needs given (--max-gsd/--bands): nothing to price"]
    assert cli.main(["quote", "POINT (5.4 52.5)", "--cloud-cover", "0.2", "--providers", "planet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "pixorder quote: warning: cloud_cover=0.2 is 0.2 %, not 20 %: cloud_cover is a percentage (0–100)"]


@pytest.mark.parametrize("given, field", [({"providers": 3}, "providers"), ({"sensors": 5}, "sensors"),
                                          ({"providers": {"planet": 1}}, "providers")])
def test_compare_refuses_providers_or_sensors_of_no_kind_it_takes(sandbox, given, field):
    with pytest.raises(E.ValidationError) as info:  # was: TypeError: 'int' object is not iterable
        pixorder.compare(FIELD, start="2027-03-01", end="2027-03-21", **given)
    assert info.value.field == field


def test_compare_takes_providers_as_any_iterable_of_clients(sandbox, connect):
    clients = {p: connect(p) for p in ("planet", "geopera")}
    frame = pixorder.compare(FIELD, start="2027-03-01", end="2027-03-21", providers=clients.values())
    assert frame["provider"].astype(str).tolist() == ["planet", "geopera"]


def test_ranks_within_each_unit_come_unit_by_unit_and_the_cli_says_so(capsys, monkeypatch):
    """Without rates, rank restarts per unit, but the rows were sorted by rank across units: rank 1 in
    USD, rank 1 in SQKM, rank 2 in USD… read as one cheapest-first list. Now unit by unit."""
    frame = pixorder.compare(FIELD, start=START, end=END, sensors="all", providers="pixxel,planet")
    priced = frame[frame["rank"].notna()]
    assert priced["unit"].tolist() == sorted(priced["unit"])  # SQKM rows, then USD rows
    for _, rows in priced.groupby("unit"):
        assert rows["rank"].tolist() == sorted(rows["rank"]) and rows["rank"].iloc[0] == 1
    for name in ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["quote", "POINT (5.4 52.5)", "--start", "2027-03-01", "--end", "2027-03-21", "--sensors", "all",
                     "--providers", "pixxel,planet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "rank: cheapest first within each unit (give --rates and --currency to rank across units)"
    assert "sensor_name" in out[2] and "VNIR" in "\n".join(out)
