"""Price frames kept on disk with their dtypes and where their prices came from.

``write(frame, path)`` / ``PriceFrame.to_file(path)`` and ``pixorder.read_prices(path)``:

* **GeoParquet** (``.parquet``): geopandas' GeoParquet, with a ``pixorder`` key in the file's
  metadata;
* **GeoPackage** (``.gpkg``): one layer (``layer=``, default ``prices``) with the ``pixorder`` key in
  the layer's metadata (GDAL metadata, readable by QGIS);
* **CSV** (``.csv``): geometry as WKT in a ``geometry`` column, so the file stays plain CSV for a
  spreadsheet, and the ``pixorder`` metadata in a sidecar ``<name>.csv.pixorder.json``. CSV cannot
  tell an empty text from a missing one: a column that held "" and no missing value reads back "".

The ``pixorder`` metadata is ``{"provenance": frame.attrs["pixorder"], "dtypes": {...},
"categories": {...}}``: reading restores the dtypes (UTC datetimes, categories, nullable
integers, strings) and ``attrs``, so the frame read back equals the frame written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pixorder import errors as E

KEY = "pixorder"
FORMATS = (".parquet", ".geoparquet", ".gpkg", ".csv")


def _meta(frame: Any) -> dict[str, Any]:
    dtypes = {str(c): str(t) for c, t in frame.dtypes.items() if c != frame.geometry.name}
    categories = {str(c): [str(v) for v in frame[c].cat.categories] for c, t in frame.dtypes.items()
                  if str(t) == "category"}
    attrs = {k: v for k, v in frame.attrs.items()}
    # CSV writes NA and "" alike: remember which one an empty cell of each text column meant.
    blank = {str(c): "" for c, t in frame.dtypes.items()
             if str(t) in ("string", "str", "object") and c != frame.geometry.name
             and frame[c].isna().sum() == 0 and (frame[c].astype(str) == "").any()}
    return {"provenance": attrs.get("pixorder") or {}, "attrs": _jsonable(attrs), "dtypes": dtypes,
            "categories": categories, "columns": [str(c) for c in frame.columns], "csv_blank": blank,
            "geometry": frame.geometry.name}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise E.ValidationError("path", f"must end in {', '.join(FORMATS)} (the formats that keep dtypes and "
                                        "provenance; for GeoJSON or a Shapefile without them: "
                                        "geopandas.GeoDataFrame(frame).to_file(path))", str(path))
    return suffix


def write(frame: Any, path: Any, *, layer: str = "prices") -> Path:
    """Write a price (or order) frame with its dtypes and provenance.

    Args:
        frame: a GeoDataFrame (a ``PriceFrame``, or an order listing's frame).
        path: the file (str or ``pathlib.Path``): ``.parquet``/``.geoparquet``, ``.gpkg`` or
            ``.csv`` (plus the sidecar ``<name>.csv.pixorder.json``). An existing file is replaced.
        layer: the GeoPackage layer's name.

    Returns:
        The path written, as a ``pathlib.Path``.

    Raises:
        pixorder.ValidationError: an unsupported file ending, or a frame without geometry.

    >>> import pathlib, tempfile, pixorder
    >>> frame = pixorder.compare("POINT (5.45 52.5)", providers="planet", start="2030-03-01", end="2030-03-21")
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = write(frame, pathlib.Path(folder.name) / "prices.csv")
    >>> sorted(p.name for p in path.parent.iterdir())
    ['prices.csv', 'prices.csv.pixorder.json']
    >>> write(frame, "prices.xlsx")
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: path: must end in .parquet, .geoparquet, .gpkg, .csv (the formats that keep dtypes and provenance; for GeoJSON or a Shapefile without them: geopandas.GeoDataFrame(frame).to_file(path)) (got 'prices.xlsx')
    >>> folder.cleanup()
    """
    import pandas as pd

    path = Path(path)
    suffix = _suffix(path)
    if not hasattr(frame, "geometry"):
        raise E.ValidationError("frame", "must be a GeoDataFrame (compare, sweep, budget or an order listing)",
                                type(frame).__name__)
    meta = json.dumps(_meta(frame))
    plain = frame.copy()
    for name, dtype in plain.dtypes.items():
        if str(dtype) == "category":
            plain[name] = plain[name].astype("string")
    if suffix in (".parquet", ".geoparquet"):
        import pyarrow.parquet as pq

        plain.to_parquet(path)
        table = pq.read_table(path)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), KEY.encode(): meta.encode()})
        pq.write_table(table, path)
    elif suffix == ".gpkg":
        import pyogrio

        for name, dtype in plain.dtypes.items():
            if str(dtype) in ("string", "object") and name != plain.geometry.name:
                plain[name] = plain[name].astype(object).where(plain[name].notna(), None)
        pyogrio.write_dataframe(plain, path, layer=layer, layer_metadata={KEY: meta})
    else:
        table = pd.DataFrame(plain.drop(columns=plain.geometry.name))
        table["geometry"] = plain.geometry.to_wkt()
        table.to_csv(path, index=False)
        Path(str(path) + ".pixorder.json").write_text(meta)
    return path


def read(path: Any, *, layer: str | None = None) -> tuple[Any, dict[str, Any]]:
    """A frame written by :func:`write`, with its dtypes, and its ``attrs`` (incl. ``"pixorder"``, the
    provenance). :func:`pixorder.read_prices` makes the ``PriceFrame`` of them.

    Args:
        path: a file :func:`write` wrote (str or ``pathlib.Path``); a CSV's sidecar must lie beside it.
        layer: the GeoPackage layer (default: its only one).

    Returns:
        tuple: a GeoDataFrame in EPSG:4326 and the attrs to give it.

    Raises:
        pixorder.ValidationError: an unsupported file ending, a file pixorder did not write, or a
            ``layer`` the GeoPackage does not have.

    >>> import pathlib, tempfile, pixorder
    >>> frame = pixorder.compare("POINT (5.45 52.5)", providers="planet", start="2030-03-01", end="2030-03-21")
    >>> folder = tempfile.TemporaryDirectory()
    >>> back, attrs = read(write(frame, pathlib.Path(folder.name) / "prices.gpkg"))
    >>> back.dtypes.equals(frame.dtypes), attrs["pixorder"] == frame.attrs["pixorder"]
    (True, True)
    >>> folder.cleanup()
    """
    import geopandas as gpd
    import pandas as pd

    path = Path(path)
    suffix = _suffix(path)
    if suffix in (".parquet", ".geoparquet"):
        import pyarrow.parquet as pq

        frame = gpd.read_parquet(path)
        raw = (pq.read_schema(path).metadata or {}).get(KEY.encode())
    elif suffix == ".gpkg":
        import pyogrio

        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        if layer is not None and layer not in layers:
            raise E.ValidationError("layer", f"must be one of the file's layers: {', '.join(layers)}", layer)
        frame = pyogrio.read_dataframe(path, layer=layer)
        raw = pyogrio.read_info(path, layer=layer).get("layer_metadata", {}) or {}
        raw = raw.get(KEY)
    else:
        sidecar = Path(str(path) + ".pixorder.json")
        table = pd.read_csv(path, keep_default_na=True)
        if "geometry" not in table.columns:  # not a CSV PriceFrame.to_file wrote
            raise E.ValidationError("path", "holds no pixorder prices (no geometry column): read a plain CSV "
                                            "with pandas", str(path))
        geometry = gpd.GeoSeries.from_wkt(table.pop("geometry"), crs=4326)
        frame = gpd.GeoDataFrame(table, geometry=geometry, crs=4326)
        raw = sidecar.read_text() if sidecar.exists() else None
        for name, value in (json.loads(raw).get("csv_blank", {}) if raw else {}).items():
            frame[name] = frame[name].astype(object).where(frame[name].notna(), value)
    if raw is None:
        where = (f"its sidecar {Path(str(path) + '.pixorder.json').name} (a CSV's dtypes and provenance) is not "
                 "beside it" if suffix == ".csv" else "holds no pixorder metadata")
        raise E.ValidationError("path", f"{where}: write it with PriceFrame.to_file() or "
                                        "pixorder.explore.provenance.write(), or read a plain file with geopandas",
                                str(path))
    meta = json.loads(raw)
    frame = _restore(frame, meta)
    return frame, {**(meta.get("attrs") or {}), "pixorder": meta.get("provenance") or {}}


def _restore(frame: Any, meta: dict[str, Any]) -> Any:
    import pandas as pd

    for name, dtype in meta.get("dtypes", {}).items():
        if name not in frame.columns:
            continue
        column = frame[name]
        if dtype.startswith("datetime64"):
            frame[name] = pd.to_datetime(column, utc=True, format="mixed").astype(dtype)
        elif dtype == "category":
            frame[name] = pd.Categorical(column.astype(object).where(column.notna(), None),
                                         categories=meta.get("categories", {}).get(name))
        elif dtype in ("string", "str"):
            frame[name] = column.astype(object).where(column.notna(), None).astype(dtype)
        elif dtype == "object":
            frame[name] = column.astype(object).where(column.notna(), None)
        else:
            frame[name] = column.astype(dtype)
    if meta.get("geometry") and frame.geometry.name != meta["geometry"]:
        frame = frame.rename_geometry(meta["geometry"])
    order = [c for c in meta.get("columns", []) if c in frame.columns]
    return frame[[*order, *[c for c in frame.columns if c not in order]]]
