"""The ``pixorder`` command: ``pixorder sandbox serve`` and ``pixorder quote AOI_FILE``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pixorder.errors import PixorderError

QUOTE_COLUMNS = ["aoi_index", "provider", "sensor", "area_km2", "billed_area_km2", "amount", "unit",
                 "amount_per_km2", "uplifts", "feasibility", "error"]


def _parse_rates(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    rates = {}
    for part in text.split(","):
        unit, _, value = part.partition("=")
        rates[unit.strip()] = float(value)
    return rates


def quote(args: argparse.Namespace) -> int:
    import pixorder
    from pixorder.aoi import as_aoi

    options = {k: v for k, v in (("crs", args.crs), ("layer", args.layer)) if v is not None}
    aoi = as_aoi(args.aoi_file, **options)
    request = {"start": args.start, "end": args.end, "cloud_cover": args.cloud_cover}
    if args.off_nadir is not None:
        request["off_nadir"] = args.off_nadir
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]
    frame = pixorder.compare(aoi, request, providers=providers, rates=_parse_rates(args.rates),
                             currency=args.currency)
    if args.format == "geojson":
        print(frame.to_json(drop_id=True))
    elif args.format == "csv":
        print(frame.drop(columns="geometry").to_csv(index=False), end="")
    else:
        shown = [c for c in QUOTE_COLUMNS if c in frame.columns] + [
            c for c in frame.columns if c.startswith(("amount_", "rate_to_")) and c != "amount_per_km2"]
        print(frame[shown].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pixorder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sandbox = sub.add_parser("sandbox", help="the embedded sandbox server")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_sub.add_parser("serve", help="serve the sandbox in the foreground")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", default=None, help="SQLite file to keep state in (default: in memory)")
    serve.add_argument("--host", default="127.0.0.1")

    q = sub.add_parser("quote", help="compare prices for an AOI file across providers")
    q.add_argument("aoi_file", help="GeoJSON, GeoPackage, zipped Shapefile, KML or KMZ (or GeoJSON/WKT text)")
    q.add_argument("--crs", default=None, help="CRS of a file that has none, e.g. EPSG:32632 (a Shapefile without .prj)")
    q.add_argument("--layer", default=None, help="the layer to use in a GeoPackage (default: its polygon layers)")
    q.add_argument("--providers", default="pixxel,planet,geopera")
    q.add_argument("--start", required=True, help="start of the acquisition window, e.g. 2027-01-10")
    q.add_argument("--end", required=True)
    q.add_argument("--cloud-cover", type=float, default=20.0)
    q.add_argument("--off-nadir", type=float, default=None)
    q.add_argument("--rates", default=None, help="unit=rate pairs into --currency, e.g. USD=1,AUD=0.66,SQKM=4")
    q.add_argument("--currency", default=None)
    q.add_argument("--format", choices=["table", "csv", "geojson"], default="table")

    args = parser.parse_args(argv)
    try:
        if args.command == "sandbox":
            from pixorder.sandbox.__main__ import main as serve_main

            extra = ["--port", str(args.port), "--host", args.host] + (["--db", args.db] if args.db else [])
            return serve_main(["serve", *extra]) or 0
        return quote(args)
    except PixorderError as exc:
        print(f"pixorder: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
