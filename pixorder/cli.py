"""The ``pixorder`` command: ``pixorder sandbox serve``, ``pixorder quote AOI_FILE`` and ``pixorder desk``.

Exit codes: 0 success; 1 ``quote`` ran but every quote failed; 2 a bad option or file (one line on
stderr naming the option and the rule, no traceback) or an error answer from a provider.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pixorder.errors import PixorderError, ValidationError
from pixorder.providers import table

#: the quote table's columns when present (``rank``, ``sensor_name`` and ``resolution_m`` with ``--sensors``/needs; ``part``
#: when an AOI has parts: a part priced alone, beside its total)
QUOTE_COLUMNS = ["aoi_index", "aoi", "rank", "provider", "sensor", "sensor_name", "resolution_m", "part", "area_km2",
                 "billed_area_km2",
                 "amount", "unit", "amount_per_km2", "uplifts", "feasibility", "error"]


#: request fields → the option that sets them, so an error names what the user typed
OPTIONS = {"crs": "--crs", "start": "--start", "end": "--end", "cloud_cover": "--cloud-cover", "off_nadir": "--off-nadir",
           "providers": "--providers", "currency": "--currency", "rates": "--rates", "aoi": "AOI_FILE",
           "geometry": "AOI_FILE", "path": "AOI_FILE", "sensors": "--sensors", "needs": "--max-gsd/--bands",
           "max_gsd_m": "--max-gsd", "bands": "--bands"}


def _option(field: str) -> str:
    head = field.split(".")[0]
    return OPTIONS.get(head, field)


def quote(args: argparse.Namespace) -> int:
    """``pixorder quote``: price one AOI file at each provider and print the quotes side by side.

    Each provider is priced through its live API when its key is set in the environment
    (``PIXXEL_API_KEY``, ``PL_API_KEY``, ``GEOPERA_API_KEY``), else through the sandbox; the output
    says which (``source``). A provider that refuses gives its row an ``error``, not a failure.

    Args:
        args: the parsed options: ``aoi_file`` (a GeoJSON, GeoPackage, zipped Shapefile, KML or KMZ
            path, or GeoJSON/WKT text), ``crs`` and ``layer`` (for the file), ``providers``
            (comma-separated names), ``start``/``end`` (dates or ISO 8601, UTC; None: compare's default
            window, from each provider's minimum lead time, 30 days, said on a ``window:`` line), ``cloud_cover``
            (percent), ``off_nadir`` (degrees, or None), ``sensors`` (``"all"`` or comma-separated ids),
            the needs ``max_gsd`` (m) and ``bands`` (comma-separated classes), ``rates``
            (``"USD=1,AUD=0.66,SQKM=4"``) with ``currency``, ``format`` (``table``, ``csv`` or
            ``geojson``), as ``main`` parses them (the first three may be absent: None).

    Returns:
        int: 0 when at least one quote was priced, 1 when every quote failed (the first error on stderr).

    Raises:
        ValidationError: ``rates`` without ``currency`` or the reverse, an unknown provider, an AOI or
            request field that is refused (``main`` prints it naming the option and returns 2).

    >>> import argparse
    >>> args = argparse.Namespace(aoi_file="POINT (4.35 50.85)", crs=None, layer=None, providers="planet",
    ...                           start="2030-03-01", end="2030-03-21", cloud_cover=20.0, off_nadir=None,
    ...                           rates="USD=1,SQKM=4", currency=None, format="table")
    >>> quote(args)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: --currency: is required with --rates: the currency the rates convert into
    """
    import pixorder
    from pixorder.aoi import as_aois
    from pixorder.client.compare import parse_rates

    rates = parse_rates(args.rates, field="--rates")
    if rates is not None and not args.currency:
        raise ValidationError("--currency", "is required with --rates: the currency the rates convert into")
    if args.currency and rates is None:
        raise ValidationError("--rates", f"is required with --currency: the value of one unit of each provider "
                                         f"in {args.currency}, e.g. USD=1,AUD=0.66,SQKM=4")
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]
    unknown = [p for p in providers if p not in table.PROVIDERS]
    if unknown or not providers:
        raise ValidationError("--providers", f"must be a comma-separated list of {', '.join(table.NAMES)}",
                              args.providers)
    options = {k: v for k, v in (("crs", args.crs), ("layer", args.layer)) if v is not None}
    aois = as_aois(args.aoi_file, **options)  # a file of fields: one AOI per feature, as compare() reads it
    # Without --start/--end, compare's default window (from each provider's minimum lead time, 30 days).
    request = {k: v for k, v in (("start", args.start), ("end", args.end)) if v is not None}
    request["cloud_cover"] = args.cloud_cover
    if args.off_nadir is not None:
        request["off_nadir"] = args.off_nadir
    sensors = getattr(args, "sensors", None)
    if sensors and sensors != "all":
        sensors = [s.strip() for s in sensors.split(",") if s.strip()]
    needs = {k: v for k, v in (("max_gsd_m", getattr(args, "max_gsd", None)),
                               ("bands", [b.strip() for b in (getattr(args, "bands", None) or "").split(",")
                                          if b.strip()] or None)) if v is not None} or None
    frame = pixorder.compare(aois, request, providers=providers, rates=rates, currency=args.currency,
                             sensors=sensors or None, needs=needs)
    if frame.empty:  # no sensor met the needs (compare warned which)
        print("pixorder quote: no sensor of " + ", ".join(providers) + " meets the needs given "
              "(--max-gsd/--bands): nothing to price", file=sys.stderr)
        return 1
    if len(aois) > 1:  # each row's AOI by its feature's name
        frame.insert(1, "aoi", [aois[i].name for i in frame["aoi_index"]])
    sources = frame.attrs["pixorder"]["sources"]  # what compare() used: live when a key is set, else sandbox
    frame.insert(2, "source", frame["provider"].astype(str).map(sources))
    if args.format == "geojson":
        for name in frame.columns[frame.dtypes.astype(str).str.startswith("datetime64")]:
            frame[name] = frame[name].map(lambda t: t.isoformat() if t is not None and t == t else None)
        print(frame.to_json(drop_id=True))
    elif args.format == "csv":
        print(frame.drop(columns="geometry").to_csv(index=False), end="")
    else:
        where = ", ".join(f"{p} from the {'live API' if s == 'live' else 'sandbox'}" for p, s in sources.items())
        print(f"prices: {where}")
        default_window = frame.attrs["pixorder"].get("default_window")
        if default_window:
            print(f"window: {default_window} (--start/--end to set one)")
        if "within each unit" in frame.attrs.get("ranked_by", ""):
            print("rank: cheapest first within each unit (give --rates and --currency to rank across units)")
        shown = [c for c in QUOTE_COLUMNS if c in frame.columns and (c != "part" or frame[c].notna().any())] + [
            c for c in frame.columns if c.startswith(("amount_", "rate_to_")) and c != "amount_per_km2"]
        print(frame[shown].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    failed = frame["error"].notna()
    if failed.all():
        print(f"pixorder: every quote failed ({frame['error'].iloc[0]})", file=sys.stderr)
        return 1
    return 0


def desk(args: argparse.Namespace) -> int:
    """Serve the pricing desk (the packaged ``pixorder/desk/desk.ipynb``) with Voila on ``args.host``.

    Runs until interrupted (the process becomes Voila's, so the example is not run in the tests);
    returns Voila's exit code.

    >>> main(["desk", "--port", "8866"])   # doctest: +SKIP"""
    import os
    import socket

    from pixorder.desk import notebook_path

    port = args.port
    if port == 0:
        with socket.socket() as sock:
            sock.bind((args.host, 0))
            port = sock.getsockname()[1]
    print(f"pixorder desk: http://{args.host}:{port}/  (Ctrl+C to stop; prices from the sandbox unless a "
          "provider's key is set)", flush=True)
    command = [sys.executable, "-m", "voila", str(notebook_path()), "--no-browser", f"--Voila.ip={args.host}",
               f"--port={port}", "--Voila.port_retries=0"]
    # Voila takes this process's place: stopping it (Ctrl+C, a signal to its id) stops the server.
    os.execv(sys.executable, command)
    return 0  # not reached


def main(argv: Sequence[str] | None = None) -> int:
    """The ``pixorder`` command: ``sandbox serve``, ``quote AOI_FILE`` and ``desk``.

    A bad option or file, or a provider's error answer, prints one line on stderr naming the option
    (``--providers``, ``--crs``, ``AOI_FILE``, …) and the rule, without a traceback.

    Args:
        argv: the arguments after ``pixorder`` (default: ``sys.argv[1:]``).

    Returns:
        int: the exit code: 0 success; 1 ``quote`` ran but every quote failed; 2 a bad option or file,
        or an error answer from a provider. (argparse itself exits with 2 on an unknown option.)

    Prices come from the sandbox here (no provider key set; with one, from that provider's API):

    >>> main(["quote", "POINT (4.35 50.85)", "--start", "2030-03-01", "--end", "2030-03-21",
    ...       "--providers", "planet,geopera"])
    prices: planet from the sandbox, geopera from the sandbox
     aoi_index provider           sensor  area_km2  billed_area_km2  amount unit  amount_per_km2          uplifts feasibility error
             0   planet Flexible Tasking     25.00            25.00   25.00 SQKM            1.00 imaging_mode +0%         NaN  <NA>
             0  geopera        pneo-30cm     25.00            25.00  700.00  AUD           28.00                      SUCCESS  <NA>
    0
    >>> import contextlib, sys
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["quote", "POINT (4.35 50.85)", "--start", "2030-03-01", "--end", "2030-03-21",
    ...           "--providers", "planet,maxar"])
    pixorder quote: error: --providers: must be a comma-separated list of pixxel, planet, geopera (got 'planet,maxar')
    2
    """
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
    q.add_argument("--providers", default=",".join(table.NAMES),
                   help=f"comma-separated providers to price at (default: {','.join(table.NAMES)})")
    q.add_argument("--start", default=None, help="start of the acquisition window, e.g. 2027-01-10 (UTC; default: "
                                                 "each provider's minimum lead time from now)")
    q.add_argument("--end", default=None, help="end of the acquisition window, e.g. 2027-01-30 (UTC; default: 30 "
                                               "days after the start)")
    q.add_argument("--cloud-cover", type=float, default=20.0, help="maximum cloud cover, percent (default 20)")
    q.add_argument("--off-nadir", type=float, default=None, help="maximum off-nadir angle, degrees")
    q.add_argument("--sensors", default=None,
                   help="'all' (every sensor of every provider) or comma-separated sensor ids (default: each "
                        "provider's default)")
    q.add_argument("--max-gsd", type=float, default=None,
                   help="a need: ground sample distance of at most this many metres (ranks the sensors that qualify)")
    q.add_argument("--bands", default=None, help="a need: comma-separated band classes, e.g. NIR,SWIR")
    q.add_argument("--rates", default=None, help="unit=rate pairs into --currency, e.g. USD=1,AUD=0.66,SQKM=4")
    q.add_argument("--currency", default=None, help="the currency --rates convert into, e.g. USD")
    q.add_argument("--format", choices=["table", "csv", "geojson"], default="table")

    d = sub.add_parser("desk", help="serve the pricing desk (Voila) on 127.0.0.1 and print its URL")
    d.add_argument("--port", type=int, default=8866, help="port to serve on (0: a free one)")
    d.add_argument("--host", default="127.0.0.1")

    args = parser.parse_args(argv)
    import warnings

    def one_line(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        print(f"pixorder {args.command}: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = one_line  # a warning is one line of the command's, not Python source
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "sandbox":
            from pixorder.sandbox.__main__ import main as serve_main

            extra = ["--port", str(args.port), "--host", args.host] + (["--db", args.db] if args.db else [])
            return serve_main(["serve", *extra]) or 0
        if args.command == "desk":
            return desk(args)
        return quote(args)
    except ValidationError as exc:
        where = _option(exc.field)
        text = str(exc)
        if where != exc.field and text.startswith(exc.field):
            text = where + text[len(exc.field):]
        text = text.replace("give the CRS with crs='EPSG:…' (e.g. AOI(path, crs='EPSG:32632'), or the upload's CRS "
                            "field)", "give the CRS with --crs (e.g. --crs EPSG:32632)")
        print(f"pixorder {args.command}: error: {text}", file=sys.stderr)
        return 2
    except PixorderError as exc:
        print(f"pixorder {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be read
        print(f"pixorder {args.command}: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
