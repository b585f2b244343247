"""Models → GeoDataFrames: one fixed schema per entity (EPSG:4326, UTC datetimes, categorical statuses)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pixorder import models as m
from pixorder.providers import table

if TYPE_CHECKING:  # geopandas is imported only when a frame is built, to keep `import pixorder` fast
    import geopandas

__all__ = [
    "SCHEMAS",
    "Schema",
    "build_frame",
    "deliveries_frame",
    "empty_frame",
    "feasibility_frame",
    "imaging_windows_frame",
    "order_items_frame",
    "order_results_frame",
    "orders_frame",
    "part_rows",
    "quotations_frame",
    "quotes_frame",
    "sensors_frame",
    "tasks_frame",
    "to_geodataframe",
    "whole_quotes",
]

CRS = "EPSG:4326"
PROVIDERS = (*table.NAMES, "sandbox")


@dataclass(frozen=True)
class Schema:
    """Column name → kind, in order. Kinds: str, float, int, bool, dt, cat=<Enum name>, provider.

    Kinds become dtypes: ``string``, ``float64``, ``Int64``, ``boolean``, ``datetime64[ns, UTC]``,
    a categorical of the enum's values (unknown words kept as extra categories), and a categorical of
    the provider names. ``names`` lists the columns, ``geometry`` last (EPSG:4326).

    >>> SCHEMAS["tasks"].columns[:3]
    (('provider', 'provider'), ('id', 'str'), ('order_item_id', 'str'))
    >>> SCHEMAS["tasks"].names[-3:]
    ['created_at', 'updated_at', 'geometry']
    """

    entity: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns] + ["geometry"]


def _s(entity: str, spec: str) -> Schema:
    cols = tuple(tuple(part.split(":", 1)) for part in spec.split())
    return Schema(entity, cols)  # type: ignore[arg-type]


SCHEMAS: dict[str, Schema] = {
    "orders": _s(
        "orders",
        "provider:provider id:str name:str status:cat=OrderStatus provider_status:str payment_status:str "
        "order_type:cat=ItemType amount:float unit:str area_km2:float billed_area_km2:float start:dt end:dt created_at:dt "
        "updated_at:dt reference:str n_items:int dry_run:bool",
    ),
    "order_items": _s(
        "order_items",
        "provider:provider id:str order_id:str name:str type:cat=ItemType status:cat=OrderStatus "
        "payment_status:str area_km2:float billed_area_km2:float base_amount:float amount:float unit:str tokens_used:float "
        "cloud_cover:float off_nadir:float delivery_speed:cat=DeliverySpeed feasibility:cat=FeasibilityStatus "
        "image_type:str recurrence:cat=Recurrence occurrences:int start:dt end:dt created_at:dt updated_at:dt "
        "n_tasks:int",
    ),
    "tasks": _s(
        "tasks",
        "provider:provider id:str order_item_id:str type:cat=ItemType status:cat=TaskStatus delivery_status:str "
        "start:dt end:dt number_of_strips:int tokens_used:float created_at:dt updated_at:dt",
    ),
    "quotes": _s(
        "quotes",
        "provider:provider sensor:str request_index:int part:int area_km2:float billed_area_km2:float "
        "base_amount:float uplift_amount:float amount:float unit:str amount_per_km2:float uplifts:str "
        "tokens:float credits:float feasibility:cat=FeasibilityStatus error:str",
    ),
    "quotations": _s(
        "quotations",
        "provider:provider id:str order_id:str status:cat=QuotationStatus amount:float unit:str credits:float "
        "created_at:dt expires_at:dt",
    ),
    "feasibility": _s(
        "feasibility",
        "provider:provider id:str order_id:str decision:cat=QuotationStatus option_id:str "
        "option_description:str amount:float unit:str start:dt end:dt",
    ),
    # orders.create_many(): one row per request, in request order; a row that placed nothing (or
    # cannot tell: error_type "AmbiguousSpend") has no id and says why in `error`.
    "order_results": _s(
        "order_results",
        "request_index:int provider:provider id:str name:str status:cat=OrderStatus provider_status:str "
        "order_type:cat=ItemType amount:float unit:str area_km2:float start:dt end:dt created_at:dt "
        "reference:str error_type:str error:str",
    ),
    "deliveries": _s(
        "deliveries",
        "provider:provider id:str order_id:str item_id:str status:str url:str capture_id:str acquired_at:dt "
        "published_at:dt expires_at:dt cloud_cover:float covered_percent:float",
    ),
    # cloud_forecast in percent (mean prediction); off-nadir angles in degrees
    "imaging_windows": _s(
        "imaging_windows",
        "provider:provider id:str start:dt end:dt cloud_forecast:float off_nadir_min:float off_nadir_max:float "
        "satellite_type:str product:str pl_number:str",
    ),
    "sensors": _s(
        "sensors",
        "provider:provider id:str name:str resolution_m:float bands:str image_type:str min_area_km2:float "
        "price_per_km2:float unit:str description:str",
    ),
}


def _dtype(kind: str, values: Sequence[Any] | None = None) -> Any:
    import pandas as pd

    if kind == "str":
        return "string"
    if kind == "float":
        return "float64"
    if kind == "int":
        return "Int64"
    if kind == "bool":
        return "boolean"
    if kind == "dt":
        return "datetime64[ns, UTC]"
    if kind == "provider":
        return pd.CategoricalDtype(_categories(PROVIDERS, values))
    if kind.startswith("cat="):
        enum = getattr(m, kind[4:])
        return pd.CategoricalDtype(_categories([e.value for e in enum], values))
    raise ValueError(f"unknown column kind {kind!r}")


def _categories(known: Iterable[str], values: Sequence[Any] | None) -> list[str]:
    # Known values first in a stable order; values the provider sent that we do not know are kept.
    cats = list(known)
    seen = set(cats)
    for v in values or ():
        if v is not None and v == v and str(v) not in seen:
            seen.add(str(v))
            cats.append(str(v))
    return cats


def _column(kind: str, values: Any) -> Any:
    import pandas as pd

    if kind == "dt":
        if getattr(values, "dtype", None) is not None and values.dtype.kind == "M":  # already parsed (UTC)
            return pd.Series(values).dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
        # cache=False: listing pages hold distinct timestamps, and pandas' uniqueness check costs more
        parsed = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601", cache=False)
        return parsed if parsed.dtype == "datetime64[ns, UTC]" else parsed.astype("datetime64[ns, UTC]")
    if kind == "provider" or kind.startswith("cat="):
        return _categorical(kind, values)
    if kind == "float":
        if getattr(values, "dtype", None) is not None and values.dtype.kind == "f":
            return pd.Series(values, dtype="float64")
        # Vectorised; anything that is not a number (None, "", a stray string) becomes NaN.
        return pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").astype("float64")
    if kind == "str" and str(getattr(values, "dtype", "")) == "string":  # compacted already (PageColumns)
        return pd.Series(values, dtype="string")
    return pd.Series(list(values), dtype=_dtype(kind)) if len(values) else pd.Series([], dtype=_dtype(kind))


def typed_column(kind: str, values: Any) -> Any:
    """``values`` as a column of a schema kind, with the dtype every pixorder frame gives that kind: for
    frames built outside ``build_frame`` (compare's window, a budget's months) to match the others.

    Args:
        kind: ``"str"`` (``string``), ``"float"``, ``"int"`` (``Int64``), ``"bool"`` (``boolean``),
            ``"dt"`` (``datetime64[ns, UTC]``; ISO 8601 text or datetimes), ``"provider"`` (the
            providers' categorical).
        values: one per row.

    Returns:
        pandas.Series with that dtype.

    >>> from datetime import datetime, timezone
    >>> str(typed_column("dt", [datetime(2030, 3, 1, tzinfo=timezone.utc), None]).dtype)
    'datetime64[ns, UTC]'
    >>> typed_column("provider", ["planet"]).cat.categories.tolist()
    ['pixxel', 'planet', 'geopera', 'sandbox']
    """
    return _column(kind, values)


def _canonical(kind: str, values: Sequence[Any]) -> list[str | None]:
    """Statuses in pixorder's vocabulary: raw provider words read through the enum, once per value."""
    enum = getattr(m, kind[4:]) if kind.startswith("cat=") else None
    names: dict[Any, str | None] = {None: None}

    def word(v: Any) -> str | None:
        if v not in names:
            names[v] = str(enum(v).value) if enum is not None and isinstance(v, str) else str(getattr(v, "value", v))
        return names[v]

    return [word(v) for v in values]


def _categorical(kind: str, values: Sequence[Any]) -> Any:
    import pandas as pd

    plain = _canonical(kind, values)
    return pd.Series(plain, dtype="object").astype(_dtype(kind, plain))


def _simple_polygons(values: Sequence[Any]) -> Any:
    """Single-ring GeoJSON Polygons built in one vectorised call (the common case of big listings)."""
    import numpy as np
    import shapely

    rings = []
    for v in values:
        if not (isinstance(v, Mapping) and v.get("type") == "Polygon"):
            return None
        coords = v.get("coordinates")
        if not isinstance(coords, (list, tuple)) or len(coords) != 1:
            return None
        rings.append(coords[0])
    counts = np.fromiter((len(r) for r in rings), dtype=np.int64, count=len(rings))
    try:
        flat = np.array([xy for ring in rings for xy in ring], dtype="float64")
    except ValueError:
        return None
    if flat.ndim != 2 or flat.shape[1] != 2 or (counts < 4).any():
        return None
    ring_offsets = np.concatenate([[0], np.cumsum(counts)])
    poly_offsets = np.arange(len(rings) + 1, dtype=np.int64)
    return shapely.from_ragged_array(shapely.GeometryType.POLYGON, flat, (ring_offsets, poly_offsets))


def geometries(values: Sequence[Any]) -> Any:
    """Shapely geometries from GeoJSON dicts or strings (vectorised), shapely objects or None.

    Args:
        values: one per row: a GeoJSON geometry dict or GeoJSON text (lon/lat), a shapely geometry,
            or None.

    Returns:
        A sequence of the same length: shapely geometries, None where there was none or the GeoJSON
        could not be read (never an error). A list without any dict or text comes back as given.

    >>> [g.wkt if g is not None else None for g in geometries([{"type": "Point", "coordinates": [4.35, 50.85]}, None])]
    ['POINT (4.35 50.85)', None]
    """
    import json

    import numpy as np
    import shapely

    values = list(values)
    if not values or not any(isinstance(v, (Mapping, str)) for v in values):
        return values
    fast = _simple_polygons(values)
    if fast is not None:
        return fast
    texts = np.array([json.dumps(v) if isinstance(v, Mapping) else v if isinstance(v, str) else None
                      for v in values], dtype=object)
    out = shapely.from_geojson(texts, on_invalid="ignore")
    others = [i for i, v in enumerate(values) if not isinstance(v, (Mapping, str, type(None)))]
    for i in others:
        out[i] = values[i]
    return out


def build_frame(
    entity: str, columns: Mapping[str, Sequence[Any]], geometry: Sequence[Any] | None = None
) -> geopandas.GeoDataFrame:
    """A frame of ``entity``'s schema from column lists; missing columns are filled with nulls.

    Args:
        entity: a key of ``SCHEMAS`` (``"orders"``, ``"quotes"``, ``"tasks"``, …).
        columns: column name → one value per row; names outside the schema are ignored. Statuses may
            be the provider's words (read through the enum), datetimes ISO 8601 text or datetimes.
        geometry: one per row: shapely geometries, GeoJSON dicts or text (lon/lat); None for no geometry.

    Returns:
        GeoDataFrame: the schema's columns in order with its dtypes, then ``geometry``; EPSG:4326.

    Raises:
        ValueError: a column whose length differs from the others.

    >>> frame = build_frame("tasks", {"id": ["t-1", "t-2"], "status": ["COMPLETED", "SUBMITTED"],
    ...                               "start": ["2030-03-01T00:00:00Z", None]})
    >>> frame["status"].tolist(), str(frame["start"].dtype), str(frame.crs)
    (['FULFILLED', 'REQUESTED'], 'datetime64[ns, UTC]', 'EPSG:4326')
    >>> build_frame("tasks", {"id": ["t-1"], "status": []})
    Traceback (most recent call last):
    ...
    ValueError: column 'status' has 0 values, expected 1
    """
    import geopandas as gpd
    import pandas as pd

    schema = SCHEMAS[entity]
    n = len(next(iter(columns.values()))) if columns else (len(geometry) if geometry is not None else 0)
    data = {}
    for name, kind in schema.columns:
        values = columns.get(name)
        if values is None:
            values = [None] * n
        elif len(values) != n:
            raise ValueError(f"column {name!r} has {len(values)} values, expected {n}")
        data[name] = _column(kind, values)
    geoms = geometries(geometry) if geometry is not None else [None] * n
    frame = pd.DataFrame(data, index=pd.RangeIndex(n))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=CRS), crs=CRS)


@dataclass
class PageColumns:
    """One listing page as column lists and shapely geometries, waiting to be joined into one frame.

    What the fast path of ``Listing.to_geodataframe()`` keeps per page: ``of`` compacts a page,
    ``join`` concatenates the pages, ``build_frame`` makes the frame once.

    >>> first = PageColumns.of("tasks", {"id": ["t-1", "t-2"], "status": ["COMPLETED", "SUBMITTED"]}, [None, None])
    >>> second = PageColumns.of("tasks", {"id": ["t-3"], "status": ["FAILED"]}, [None])
    >>> len(first), first.columns["status"]
    (2, ['FULFILLED', 'REQUESTED'])
    >>> columns, geometry = PageColumns.join([first, second])
    >>> build_frame("tasks", columns, geometry)["id"].tolist()
    ['t-1', 't-2', 't-3']
    """

    columns: dict[str, list[Any]]
    geometry: Any

    @classmethod
    def of(cls, entity: str, columns: dict[str, list[Any]], geometry: Sequence[Any]) -> PageColumns:
        """Compact a page at once: datetimes and numbers become numpy arrays, texts pandas string arrays
        and statuses the enum's own strings, so the pages kept until the join weigh about what their
        rows of the frame will (Python str objects cost several times their arrow-backed form).

        Args:
            entity: a key of ``SCHEMAS``; its columns say how each list is compacted.
            columns: column name → the page's values (names outside the schema are dropped).
            geometry: one per row, as ``geometries`` takes them.

        Returns:
            PageColumns: the compacted page.
        """
        import pandas as pd

        compact: dict[str, Any] = {}
        for name, kind in SCHEMAS[entity].columns:
            values = columns.get(name)
            if values is None:
                continue
            if kind == "dt":
                compact[name] = _column(kind, values).dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
            elif kind == "float":
                compact[name] = _column(kind, values).to_numpy(dtype="float64")
            elif kind == "provider" or kind.startswith("cat="):
                compact[name] = _canonical(kind, values)
            elif kind == "str":
                compact[name] = pd.array(values, dtype="string")
            else:
                compact[name] = values
        return cls(compact, geometries(geometry))

    def __len__(self) -> int:
        return len(self.geometry)

    @staticmethod
    def join(pages: Sequence[PageColumns], limit: int | None = None) -> tuple[dict[str, list[Any]], Any]:
        """The pages concatenated in order, cut to the first ``limit`` rows (None: all).

        Args:
            pages: pages of one entity, as ``of`` made them (the first one's columns are taken).
            limit: at most this many rows.

        Returns:
            tuple: ``(columns, geometry)`` for ``build_frame``.
        """
        import numpy as np
        import pandas as pd

        names = pages[0].columns.keys() if pages else ()
        columns: dict[str, Any] = {}
        for n in names:
            parts = [p.columns[n] for p in pages]
            if isinstance(parts[0], np.ndarray):
                columns[n] = np.concatenate(parts)[:limit]
            elif isinstance(parts[0], pd.api.extensions.ExtensionArray):
                columns[n] = type(parts[0])._concat_same_type(parts)[:limit]
            else:
                columns[n] = [v for part in parts for v in part][:limit]
        arrays = [np.asarray(p.geometry, dtype=object) for p in pages]
        geometry = np.concatenate(arrays)[:limit] if arrays else np.array([], dtype=object)
        return columns, geometry


def empty_frame(entity: str) -> geopandas.GeoDataFrame:
    """An empty frame with the entity's columns and dtypes.

    Args:
        entity: a key of ``SCHEMAS``.

    Returns:
        GeoDataFrame: no rows; the schema's columns, dtypes and EPSG:4326, so empty and full results concat.

    >>> frame = empty_frame("quotes")
    >>> len(frame), frame.columns[:4].tolist(), str(frame["amount"].dtype)
    (0, ['provider', 'sensor', 'request_index', 'part'], 'float64')
    """
    return build_frame(entity, {name: [] for name, _ in SCHEMAS[entity].columns}, [])


def _records(models: Iterable[Any], fields: Sequence[str]) -> dict[str, list[Any]]:
    """Column lists of ``fields`` from ``models`` (None where a model has no such field)."""
    import operator

    models = list(models)
    kinds = {type(model) for model in models}
    if len(kinds) != 1:
        return {f: [getattr(model, f, None) for model in models] for f in fields}
    kind = kinds.pop()
    known = set(getattr(kind, "model_fields", ())) | set(dir(kind))
    present = [f for f in fields if f in known]
    # One C-level attrgetter per row instead of a getattr per row and field: 30,000 quotes × 18 fields.
    if len(present) == 1:
        columns = [[getattr(model, present[0]) for model in models]]
    elif present:
        getter = operator.attrgetter(*present)
        columns = [list(column) for column in zip(*(getter(model) for model in models))]
    else:
        columns = []
    found = dict(zip(present, columns))
    return {f: found[f] if f in found else [None] * len(models) for f in fields}


def orders_frame(orders: Iterable[m.Order]) -> geopandas.GeoDataFrame:
    """Orders as the ``orders`` frame: one row per order, ``n_items`` counting its items.

    Args:
        orders: ``Order`` models.

    Returns:
        GeoDataFrame: ``provider``, ``id``, ``name``, ``status`` (pixorder's vocabulary),
        ``provider_status``, ``payment_status``, ``order_type``, ``amount`` (in ``unit``), ``area_km2``,
        ``billed_area_km2`` (km²), ``start``/``end``/``created_at``/``updated_at`` (UTC), ``reference``,
        ``n_items``, ``dry_run``, ``geometry`` (EPSG:4326).

    >>> frame = orders_frame([m.Order(provider="planet", id="o-1", status="COMPLETED", amount=25, unit="SQKM",
    ...                               geometry={"type": "Point", "coordinates": [4.35, 50.85]})])
    >>> frame[["id", "status", "amount", "n_items"]].to_dict("records")
    [{'id': 'o-1', 'status': 'FULFILLED', 'amount': 25.0, 'n_items': 0}]
    >>> frame.geometry[0].wkt, str(frame.crs)
    ('POINT (4.35 50.85)', 'EPSG:4326')
    """
    orders = list(orders)
    names = [n for n, _ in SCHEMAS["orders"].columns if n != "n_items"]
    cols = _records(orders, names)
    cols["n_items"] = [len(o.items) for o in orders]
    return build_frame("orders", cols, [o.geometry for o in orders])


def order_items_frame(items: Iterable[m.OrderItem]) -> geopandas.GeoDataFrame:
    """Order items as the ``order_items`` frame: one row per item, ``n_tasks`` counting its tasks.

    Args:
        items: ``OrderItem`` models.

    Returns:
        GeoDataFrame: the item's fields (amounts in ``unit``, areas in km², ``cloud_cover`` percent,
        ``off_nadir`` degrees, datetimes UTC), ``n_tasks`` and ``geometry`` (EPSG:4326).

    >>> item = m.OrderItem(provider="pixxel", id="i-1", status="ACTIVE", amount=1000, unit="USD",
    ...                    tasks=[{"provider": "pixxel", "id": "t-1"}])
    >>> order_items_frame([item])[["id", "status", "amount", "n_tasks"]].to_dict("records")
    [{'id': 'i-1', 'status': 'ACTIVE', 'amount': 1000.0, 'n_tasks': 1}]
    """
    items = list(items)
    names = [n for n, _ in SCHEMAS["order_items"].columns if n != "n_tasks"]
    cols = _records(items, names)
    cols["n_tasks"] = [len(i.tasks) for i in items]
    return build_frame("order_items", cols, [i.geometry for i in items])


def tasks_frame(tasks: Iterable[m.Task]) -> geopandas.GeoDataFrame:
    """Tasks as the ``tasks`` frame (tasks carry no geometry: the column is empty).

    Args:
        tasks: ``Task`` models.

    Returns:
        GeoDataFrame: ``provider``, ``id``, ``order_item_id``, ``type``, ``status``, ``delivery_status``,
        ``start``/``end`` (UTC), ``number_of_strips``, ``tokens_used``, ``created_at``/``updated_at``.

    >>> tasks_frame([m.Task(provider="pixxel", id="t-1", status="SUBMITTED")])["status"].tolist()
    ['REQUESTED']
    """
    tasks = list(tasks)
    return build_frame("tasks", _records(tasks, [n for n, _ in SCHEMAS["tasks"].columns]), None if tasks else [])


def quotes_frame(quotes: Iterable[m.Quote], geometry: Sequence[Any] | None = None) -> geopandas.GeoDataFrame:
    """Quotes as the ``quotes`` frame; a multi-part quote (Planet) gives its part rows, then its total.

    Args:
        quotes: ``Quote`` models.
        geometry: the rows' shapes (shapely or GeoJSON, parts then total) when the caller holds them
            already (``compare`` gives its AOIs' own); by default each quote's ``geometry``.

    Returns:
        GeoDataFrame: ``provider``, ``sensor``, ``request_index``, ``part``, ``area_km2`` (drawn) and
        ``billed_area_km2`` (km²), ``base_amount``, ``uplift_amount``, ``amount``, ``unit``,
        ``amount_per_km2`` (per billed km²), ``uplifts`` (``"name +50%"``, comma-joined), ``tokens``,
        ``credits``, ``feasibility``, ``error``, ``geometry`` (EPSG:4326).

    >>> quote = m.Quote(provider="planet", amount=25.0, unit="SQKM", billed_area_km2=25.0,
    ...                 uplifts=[{"name": "rush", "percentage": 50, "amount": 8.0}])
    >>> quotes_frame([quote])[["amount", "amount_per_km2", "uplift_amount", "uplifts"]].to_dict("records")
    [{'amount': 25.0, 'amount_per_km2': 1.0, 'uplift_amount': 8.0, 'uplifts': 'rush +50%'}]
    """
    # A multi-part AOI priced part by part (Planet) shows one row per part (``part`` 0..n-1), then its total.
    quotes = [row for q in quotes for row in (*q.parts, q)]
    names = [n for n, _ in SCHEMAS["quotes"].columns if n not in ("uplifts", "uplift_amount", "amount_per_km2")]
    cols = _records(quotes, names)
    cols["amount_per_km2"] = [q.amount_per_km2 for q in quotes]
    cols["uplift_amount"] = [
        sum(u.amount or 0.0 for u in q.uplifts) if q.uplifts else (0.0 if q.amount is not None else None)
        for q in quotes
    ]
    cols["uplifts"] = [
        ", ".join(f"{u.name} {u.percentage:+g}%" if u.percentage is not None else u.name for u in q.uplifts)
        for q in quotes
    ]
    return build_frame("quotes", cols, [q.geometry for q in quotes] if geometry is None else geometry)


def concat_frames(frames: Sequence[geopandas.GeoDataFrame]) -> geopandas.GeoDataFrame:
    """Frames with the same columns one after the other (a new 0…n-1 index), each column's dtype
    kept: categoricals whose categories differ get the union of them (pandas would make them object).

    Args:
        frames: one or more GeoDataFrames with the same columns (``jobs_frame`` given the same keys).

    Returns:
        GeoDataFrame: their rows in order; the first frame's CRS. Frames without rows are left out
        (their dtypes would change the others': integers to floats).

    Raises:
        ValueError: no frames, or frames whose columns differ.

    >>> import geopandas, shapely
    >>> a = geopandas.GeoDataFrame({"unit": ["USD"]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
    >>> b = geopandas.GeoDataFrame({"unit": ["AUD"]}, geometry=[shapely.Point(1, 1)], crs="EPSG:4326")
    >>> both = concat_frames([a.astype({"unit": "category"}), b.astype({"unit": "category"})])
    >>> both["unit"].tolist(), str(both["unit"].dtype), str(both.crs)
    (['USD', 'AUD'], 'category', 'EPSG:4326')
    """
    import pandas as pd
    from pandas.api.types import union_categoricals

    if not frames:
        raise ValueError("no frames to join")
    columns = list(frames[0].columns)
    if any(list(f.columns) != columns for f in frames[1:]):
        raise ValueError("frames to join must have the same columns")
    # A frame without rows (a provider whose sensors all failed the needs) adds nothing but its
    # dtypes, which would turn the others' integers to floats.
    frames = [f for f in frames if len(f)] or list(frames[:1])
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    joined = pd.concat(frames, ignore_index=True)
    for name in columns:
        if isinstance(frames[0][name].dtype, pd.CategoricalDtype) and not isinstance(joined[name].dtype,
                                                                                       pd.CategoricalDtype):
            joined[name] = pd.Categorical(union_categoricals([f[name] for f in frames]))
    return joined


def part_rows(frame: Any) -> Any:
    """A boolean Series: True for the rows of :func:`quotes_frame` that are one part of a multi-part quote
    (a Planet AOI priced part by part), False for whole quotes (the parts' total follows its parts).

    >>> import pandas as pd
    >>> list(part_rows(pd.DataFrame({"part": [0, 1, None]}))), list(part_rows(pd.DataFrame({"amount": [1.0]})))
    ([True, True, False], [False])
    """
    import pandas as pd

    if "part" in frame.columns:
        return frame["part"].notna()
    return pd.Series(False, index=frame.index)


def whole_quotes(frame: Any) -> Any:
    """The rows of ``frame`` that are whole quotes: a multi-part AOI keeps its total, not each part.

    >>> import pandas as pd
    >>> whole_quotes(pd.DataFrame({"part": [0, 1, None], "amount": [25.0, 30.0, 55.0]}))["amount"].tolist()
    [55.0]
    """
    return frame[~part_rows(frame)]


def quotations_frame(quotations: Iterable[m.Quotation]) -> geopandas.GeoDataFrame:
    """Quotations as the ``quotations`` frame.

    Args:
        quotations: ``Quotation`` models.

    Returns:
        GeoDataFrame: ``provider``, ``id``, ``order_id``, ``status``, ``amount`` (in ``unit``), ``credits``,
        ``created_at``/``expires_at`` (UTC), ``geometry`` (EPSG:4326).

    >>> quotation = m.Quotation(provider="geopera", id="q-1", status="PENDING", amount=700, unit="AUD")
    >>> quotations_frame([quotation])[["id", "status", "amount"]].to_dict("records")
    [{'id': 'q-1', 'status': 'NOT_DECIDED', 'amount': 700.0}]
    """
    quotations = list(quotations)
    cols = _records(quotations, [n for n, _ in SCHEMAS["quotations"].columns])
    return build_frame("quotations", cols, [q.geometry for q in quotations])


def feasibility_frame(studies: Iterable[m.FeasibilityStudy]) -> geopandas.GeoDataFrame:
    """Feasibility studies as the ``feasibility`` frame: one row per option (one row for a study without).

    Args:
        studies: ``FeasibilityStudy`` models.

    Returns:
        GeoDataFrame: ``provider``, ``id`` (the study), ``order_id``, ``decision``, ``option_id``,
        ``option_description``, ``amount`` (in ``unit``), ``start``/``end`` (UTC), ``geometry``.

    >>> study = m.FeasibilityStudy(provider="geopera", id="s-1", options=[
    ...     {"id": "a", "amount": 840, "unit": "AUD"}, {"id": "b", "amount": 990, "unit": "AUD"}])
    >>> feasibility_frame([study])[["id", "option_id", "amount"]].values.tolist()
    [['s-1', 'a', 840.0], ['s-1', 'b', 990.0]]
    """
    cols: dict[str, list[Any]] = {n: [] for n, _ in SCHEMAS["feasibility"].columns}
    geoms = []
    for study in studies:
        options: list[m.FeasibilityOption | None] = list(study.options) or [None]
        for option in options:
            cols["provider"].append(study.provider)
            cols["id"].append(study.id)
            cols["order_id"].append(study.order_id)
            cols["decision"].append(study.decision)
            cols["option_id"].append(option.id if option else None)
            cols["option_description"].append(option.description if option else None)
            cols["amount"].append(option.amount if option else None)
            cols["unit"].append(option.unit if option else None)
            cols["start"].append(option.start if option else None)
            cols["end"].append(option.end if option else None)
            geoms.append(study.geometry)
    return build_frame("feasibility", cols, geoms)


def sensors_frame(sensors: Iterable[m.Sensor]) -> geopandas.GeoDataFrame:
    """Sensors as the ``sensors`` frame (no geometry); ``bands`` comma-joined.

    Args:
        sensors: ``Sensor`` models.

    Returns:
        GeoDataFrame: ``provider``, ``id``, ``name``, ``resolution_m`` (GSD, m), ``bands``, ``image_type``,
        ``min_area_km2`` (km²), ``price_per_km2`` (in ``unit``), ``unit``, ``description``.

    >>> sensor = m.Sensor(provider="geopera", id="pneo-30cm", resolution_m=0.3, bands=["PAN", "R", "G", "B"])
    >>> sensors_frame([sensor])[["id", "resolution_m", "bands"]].to_dict("records")
    [{'id': 'pneo-30cm', 'resolution_m': 0.3, 'bands': 'PAN, R, G, B'}]
    """
    sensors = list(sensors)
    names = [n for n, _ in SCHEMAS["sensors"].columns if n != "bands"]
    cols = _records(sensors, names)
    cols["bands"] = [", ".join(s.bands) for s in sensors]
    return build_frame("sensors", cols, None if sensors else [])


def order_results_frame(orders: Iterable[m.Order]) -> geopandas.GeoDataFrame:
    """``orders.create_many()``'s rows: the order, or (``id`` null) the error that placed nothing.

    Args:
        orders: the rows of ``orders.create_many()`` (``Order`` models, in request order).

    Returns:
        GeoDataFrame: ``request_index``, ``provider``, ``id``, ``name``, ``status``, ``provider_status``,
        ``order_type``, ``amount`` (in ``unit``), ``area_km2``, ``start``/``end``/``created_at`` (UTC),
        ``reference``, ``error_type``, ``error``, ``geometry`` (EPSG:4326).

    >>> rows = [m.Order(provider="planet", id="o-1", status="RECEIVED", reference="pxo-1", request_index=0),
    ...         m.Order(provider="planet", id=None, error="planet HTTP 400: bad AOI", error_type="ApiError",
    ...                 request_index=1)]
    >>> frame = order_results_frame(rows)
    >>> frame["id"].tolist(), frame["error_type"].tolist()
    (['o-1', <NA>], [<NA>, 'ApiError'])
    """
    orders = list(orders)
    cols = _records(orders, [n for n, _ in SCHEMAS["order_results"].columns])
    return build_frame("order_results", cols, [o.geometry for o in orders])


def deliveries_frame(deliveries: Iterable[m.Delivery]) -> geopandas.GeoDataFrame:
    """Deliveries as the ``deliveries`` frame.

    Args:
        deliveries: ``Delivery`` models.

    Returns:
        GeoDataFrame: ``provider``, ``id``, ``order_id``, ``item_id``, ``status``, ``url``, ``capture_id``,
        ``acquired_at``/``published_at``/``expires_at`` (UTC), ``cloud_cover`` and ``covered_percent``
        (percent), ``geometry`` (EPSG:4326).

    >>> delivery = m.Delivery(provider="pixxel", id="c-1", acquired_at="2030-03-02T10:15:00Z", cloud_cover=3)
    >>> deliveries_frame([delivery])[["id", "acquired_at", "cloud_cover"]].to_dict("records")
    [{'id': 'c-1', 'acquired_at': Timestamp('2030-03-02 10:15:00+0000', tz='UTC'), 'cloud_cover': 3.0}]
    """
    deliveries = list(deliveries)
    cols = _records(deliveries, [n for n, _ in SCHEMAS["deliveries"].columns])
    return build_frame("deliveries", cols, [d.geometry for d in deliveries])


def imaging_windows_frame(windows: Iterable[m.ImagingWindow]) -> geopandas.GeoDataFrame:
    """Imaging windows as the ``imaging_windows`` frame.

    Args:
        windows: ``ImagingWindow`` models.

    Returns:
        GeoDataFrame: ``provider``, ``id``, ``start``/``end`` (UTC), ``cloud_forecast`` (percent),
        ``off_nadir_min``/``off_nadir_max`` (degrees), ``satellite_type``, ``product``, ``pl_number``,
        ``geometry`` (the point or line searched, EPSG:4326).

    >>> window = m.ImagingWindow(provider="planet", id="w-1", cloud_forecast=12.5, off_nadir_max=22)
    >>> imaging_windows_frame([window])[["id", "cloud_forecast", "off_nadir_max"]].to_dict("records")
    [{'id': 'w-1', 'cloud_forecast': 12.5, 'off_nadir_max': 22.0}]
    """
    windows = list(windows)
    cols = _records(windows, [n for n, _ in SCHEMAS["imaging_windows"].columns])
    return build_frame("imaging_windows", cols, [w.geometry for w in windows])


# Entities whose rows share a model with another entity: the entity name picks the schema.
_BY_ENTITY = {"order_results": order_results_frame}

_BY_TYPE = {
    m.Order: orders_frame,
    m.OrderItem: order_items_frame,
    m.Task: tasks_frame,
    m.Quote: quotes_frame,
    m.Quotation: quotations_frame,
    m.FeasibilityStudy: feasibility_frame,
    m.Sensor: sensors_frame,
    m.Delivery: deliveries_frame,
    m.ImagingWindow: imaging_windows_frame,
}


def to_geodataframe(results: Iterable[Any], entity: str | None = None) -> geopandas.GeoDataFrame:
    """Any list of pixorder results as its entity's frame; ``entity`` names the schema of an empty list.

    Args:
        results: models of one kind (``Order``, ``Quote``, ``Task``, …); the first one's type picks the schema.
        entity: a key of ``SCHEMAS``; needed for an empty list, and for ``"order_results"`` (rows of
            ``orders.create_many()``, which are ``Order`` models too).

    Returns:
        GeoDataFrame: the entity's columns and dtypes, EPSG:4326.

    Raises:
        ValueError: an empty list without ``entity``.
        TypeError: models of a kind without a schema.

    >>> to_geodataframe([m.Quote(provider="planet", amount=25.0, unit="SQKM")])[["provider", "amount"]].values.tolist()
    [['planet', 25.0]]
    >>> to_geodataframe([], entity="orders").shape
    (0, 19)
    >>> to_geodataframe([])
    Traceback (most recent call last):
    ...
    ValueError: an empty list needs entity= to choose its schema
    """
    results = list(results)
    if not results:
        if entity is None:
            raise ValueError("an empty list needs entity= to choose its schema")
        return empty_frame(entity)
    builder = _BY_ENTITY.get(entity or "") or _BY_TYPE.get(type(results[0]))  # type: ignore[call-overload]
    if builder is None:
        raise TypeError(f"no frame schema for {type(results[0]).__name__}")
    return builder(results)


def _html_table(build: Any) -> Any:
    def html(model: Any) -> Any:
        frame = build([model])
        if getattr(model, "error", None) and "error" in frame.columns:
            frame["error"] = m.shortened(model.error)  # on one line, however long the provider's message
        return frame._repr_html_()

    return html


def _order_table(orders: list[m.Order]) -> geopandas.GeoDataFrame:
    # An error row (create_many's, placed nothing) shows as create_many's rows do: error_type, error, reference.
    return order_results_frame(orders) if orders[0].error else orders_frame(orders)


# Models show as a one-row table in a notebook; frames builds it, models only holds the hook (a model
# module that imported frames would make a cycle: frames is built from models).
for _cls, _build in ((m.Quote, quotes_frame), (m.Order, _order_table), (m.Quotation, quotations_frame),
                     (m.ImagingWindow, imaging_windows_frame)):
    m.register_html_repr(_cls, _html_table(_build))
