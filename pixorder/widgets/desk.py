"""PricingDesk: several AOIs in (uploaded or drawn), needs, providers and rates set; ranked quotes, a sweep,
imaging windows and an export out. The Voila app behind ``pixorder desk`` / ``make desk``.

Every price comes from :func:`pixorder.compare` (``sensors="all"`` filtered by the needs, ranked
cheapest first per AOI), the sweep from :func:`pixorder.sweep`, the windows from
``client.imaging_windows.search``; the widget only gathers inputs and shows answers. It prices only:
it never places an order.
"""

from __future__ import annotations

import base64
import html
import tempfile
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import ipywidgets as W
import traitlets
from shapely.geometry import mapping

from pixorder.aoi import AOI
from pixorder.client.compare import check_rates, parse_rates
from pixorder.errors import ValidationError
from pixorder.frames import whole_quotes
from pixorder.providers import table
from pixorder.widgets import render
from pixorder.widgets.aoi_map import AOIMap, UploadError, aoi_from_features, aoi_from_upload, aoi_view
from pixorder.widgets.clients import resolve_clients
from pixorder.widgets.compare import comparison_table, quote_grid
from pixorder.widgets.scheduling import LatestWins, Scheduler, run_client_call
from pixorder.widgets.windows import needs_imaging_window

__all__ = ["BAND_CHOICES", "DEFAULT_RATES", "DeskMap", "EXPORTS", "PricingDesk", "SWEEPS", "aois_from_upload",
           "desk_clients"]

PROVIDERS = table.NAMES
#: the band classes offered as checkboxes (``Needs.bands``), most asked for first
BAND_CHOICES = ("NIR", "RED_EDGE", "SWIR", "RED", "GREEN", "BLUE", "PAN", "COASTAL", "YELLOW")
#: what the sweep chart can vary: label → (request field, values)
SWEEPS: dict[str, tuple[str, list[float]]] = {
    "cloud cover (%)": ("cloud_cover", [5, 10, 15, 20, 30, 40, 60]),
    "off-nadir (°)": ("off_nadir", [10, 15, 20, 25, 30, 35, 40]),
}
#: the rates the desk opens with: the value of one unit in USD. They are examples, not the providers'
#: own: a Planet quota km² is worth what your contract says (edit the field).
DEFAULT_RATES = {"USD": 1.0, "AUD": 0.66, "SQKM": 4.0}
#: export formats: label → file ending (``PriceFrame.to_file`` picks the format from it)
EXPORTS = {"GeoParquet": ".parquet", "GeoPackage": ".gpkg", "CSV": ".csv"}
#: how far ahead imaging windows are searched (Planet allows at most 7 days)
WINDOW_HORIZON = timedelta(days=7)

_SPINNER = ("<style>@keyframes pixorder-spin{to{transform:rotate(360deg)}}</style>"
            "<span class='pixorder-spinner' style='display:inline-block;width:12px;height:12px;margin-right:6px;"
            "border:2px solid #c8d6c9;border-top-color:#1b5e20;border-radius:50%;vertical-align:-2px;"
            "animation:pixorder-spin .8s linear infinite'></span>")
_SECTION = "<div style='font-weight:600;font-size:14px;margin:10px 0 4px 0;color:#1b3a4b'>{}</div>"


# ------------------------------------------------------------------------------------------ plain logic


def aois_from_upload(name: str, content: bytes, *, crs: Any = None) -> list[AOI]:
    """One AOI per feature of an uploaded file (GeoJSON, zipped Shapefile, GeoPackage, KML, KMZ).

    The file is first read as one AOI the way the map reads it (same checks and messages), then
    feature by feature as ``compare`` reads a file (``pixorder.aoi.file_aois``), so two fields in one
    file are two AOIs, each named by the feature's name or ``<file stem> <n>``.

    Raises:
        UploadError: the file is not a usable AOI (the message names the file and why).

    >>> [(a.name, round(a.area_km2)) for a in aois_from_upload("two.geojson", b'{"type": "FeatureCollection", '
    ...     b'"features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [5, 52]}},'
    ...     b'{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [6, 52]}}]}')]
    [('two 1', 25), ('two 2', 25)]
    """
    from pixorder.aoi import file_aois

    aoi_from_upload(name, content, crs=crs)  # the map's own checks: a bad file is refused the same way
    with tempfile.TemporaryDirectory(prefix="pixorder-desk-") as folder:
        path = Path(folder) / Path(name).name  # the upload's own name: its stem names the features
        path.write_bytes(bytes(content))
        try:
            return file_aois(path, crs=crs or None)
        except ValidationError as exc:
            raise UploadError(f"{name}: {exc}") from None


def desk_clients(providers: Sequence[str] = PROVIDERS) -> dict[str, Any]:
    """``{provider: Client}``: the live API when its key is set in the environment, else the sandbox.

    The same rule as ``pixorder.compare`` with provider names. The desk only prices (estimates are
    never spends), so picking a live API from the environment cannot cost money.

    >>> clients = desk_clients(["planet"])     # no PL_API_KEY set: the sandbox
    >>> clients["planet"].is_sandbox
    True
    """
    import pixorder
    from pixorder.client.core import connection_for

    return {p: pixorder.connect(**connection_for(p), progress=False) for p in providers}


def _feature(aoi: AOI) -> dict[str, Any]:
    import json

    return json.loads(json.dumps({"type": "Feature", "properties": {"name": aoi.name or ""},
                                  "geometry": mapping(aoi.geometry)}))


class DeskMap(AOIMap):
    """An :class:`AOIMap` where each drawn shape, and each feature of an uploaded file, is its own AOI.

    ``aois`` is the list of AOIs (observe it); ``value`` stays the AOIMap's one merged AOI.

    >>> desk_map = DeskMap()
    >>> desk_map.aois
    []
    """

    aois: traitlets.List[AOI] = traitlets.List(help="one AOI per drawn shape or uploaded feature")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.upload.description = "Upload AOIs"
        self.upload.tooltip = "GeoJSON, zipped Shapefile, GeoPackage, KML or KMZ: each feature is one AOI"
        # The map's own summary checks the merged AOI; the desk lists and prices each AOI on its own.
        self.summary.layout.display = "none"
        self.draw.observe(self._split, "data")

    def load_upload(self, name: str, content: bytes, crs: Any = None) -> bool:
        """Use every feature of an uploaded file as one AOI; on failure show why and keep the AOIs.

        >>> import json
        >>> two = {"type": "FeatureCollection", "features": [
        ...     {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [5.4, 52.5]}},
        ...     {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [5.6, 52.5]}}]}
        >>> desk_map = DeskMap()
        >>> desk_map.load_upload("fields.geojson", json.dumps(two).encode()), len(desk_map.aois)
        (True, 2)
        """
        crs = self.crs.value if crs is None else crs
        try:
            aois = aois_from_upload(name, content, crs=crs or None)
        except UploadError as exc:
            self._refused(exc, None)
            return False
        self._accepted()
        self.draw.data = [_feature(a) for a in aois]  # the map shows them; _split makes the AOIs
        if self.value is not None:  # fit the view on the file's features
            center, zoom = aoi_view(self.value)
            self.map.center, self.map.zoom = center, zoom
        area = sum(a.area_km2 for a in aois)
        self.status.value = render.message(
            f"Loaded {name}: {render.plural(len(aois), 'AOI')}, {render.fmt_area(area)} in all.", "info")
        return True

    def _split(self, change: dict[str, Any]) -> None:
        aois = []
        for i, feature in enumerate(change["new"] or []):
            if not isinstance(feature, Mapping) or not feature.get("geometry"):
                continue
            try:
                aoi = aoi_from_features([feature])
            except Exception:  # noqa: BLE001 - the map itself shows why a shape is refused
                continue
            if aoi is None:
                continue
            label = (feature.get("properties") or {}).get("name") or f"AOI {i + 1}"
            aois.append(AOI(aoi.geometry, name=str(label)))
        if [(a.name, a.geometry.wkb) for a in aois] != [(a.name, a.geometry.wkb) for a in self.aois]:
            self.aois = aois


# ---------------------------------------------------------------------------------------- the widget
class PricingDesk(W.VBox):
    """A pricing desk: AOIs, needs, providers and rates in; ranked quotes, a sweep, windows, export out.

    * **AOIs**: draw on the map (each shape is one AOI) or upload a file (each feature is one AOI).
    * **Needs**: max GSD in metres, required band classes, hyperspectral yes/no/either; **providers**;
      **currency** and **rates** (the value of one unit in the currency; blank prices in each
      provider's own unit).
    * **Quotes**: every qualifying sensor of every provider per AOI, ranked cheapest first
      (``value``, a ``PriceFrame``), the cheapest per AOI in words, a sortable grid (``grid``) and a
      chart (``quotes_chart``).
    * **Sweep**: the price against cloud cover or off-nadir (``sweep_param``) for one AOI, one line
      per provider and sensor (``sweep_frame``, ``sweep_chart``).
    * **Imaging windows**: for sensors that need one (Planet Assured Tasking), on a timeline
      (``windows_frame``, ``windows_chart``).
    * **Export**: GeoParquet, GeoPackage or CSV with provenance, as a download link (``download``).

    Args:
        clients: ``{provider: Client}`` (or a list); default :func:`desk_clients`: the live API of
            each provider whose key is set, else the embedded sandbox (the rule of ``compare``).
        providers: the providers ticked at the start.
        currency, rates: the currency and rates at the start (``rates=None`` with ``currency=None``
            prices in each provider's unit).
        aois: AOIs to start with (anything ``pixorder.AOI`` accepts, or a list).
        delay: seconds edits settle before pricing; scheduler: the debounce clock (tests).

    Raises:
        pixorder.ValidationError: rates without a currency, or a currency other than USD without rates.

    >>> from pixorder.widgets import PricingDesk
    >>> desk = PricingDesk()                                          # doctest: +SKIP
    >>> desk.map.load_upload("fields.geojson", open("fields.geojson", "rb").read())   # doctest: +SKIP
    >>> desk.max_gsd.value = "1"; desk.bands["NIR"].value = True      # doctest: +SKIP
    >>> desk.wait(); desk.cheapest()                                  # doctest: +SKIP
    """

    value = traitlets.Any(None, allow_none=True, help="the ranked quotes (PriceFrame), or None")
    sweep_frame = traitlets.Any(None, allow_none=True, help="the sweep (PriceFrame), or None")
    windows_frame = traitlets.Any(None, allow_none=True, help="the imaging windows found, or None")

    def __init__(self, *, clients: Any = None, providers: Sequence[str] = PROVIDERS, currency: str | None = "USD",
                 rates: Mapping[str, float] | None = None, aois: Any = None, delay: float = 0.5,
                 scheduler: Scheduler | None = None, **kwargs: Any):
        if rates is None and currency == "USD":
            rates = DEFAULT_RATES
        check_rates(rates, currency)
        self.clients = resolve_clients(clients) if clients is not None else desk_clients()
        self.map = DeskMap()
        self.map.map.layout.height = "460px"

        # ---- needs, providers, money
        field = {"description_width": "initial"}
        self.max_gsd = W.Text(value="", placeholder="any", description="max GSD (m)", continuous_update=False,
                              style=field, layout=W.Layout(width="190px"))
        self.max_gsd.add_class("pixorder-max-gsd")
        self.bands = {b: W.Checkbox(value=False, description=b.replace("_", " "), indent=False,
                                    layout=W.Layout(width="auto", margin="0 10px 0 0")) for b in BAND_CHOICES}
        for name, box in self.bands.items():
            box.add_class(f"pixorder-band-{name.lower()}")
        self.hyperspectral = W.ToggleButtons(options=[("either", None), ("yes", True), ("no", False)], value=None,
                                             description="hyperspectral", style={**field, "button_width": "60px"})
        self.providers = {p: W.Checkbox(value=p in providers and p in self.clients, description=p, indent=False,
                                        disabled=p not in self.clients, layout=W.Layout(width="auto",
                                                                                         margin="0 10px 0 0"))
                          for p in PROVIDERS}
        self.currency = W.Dropdown(options=[("USD", "USD"), ("EUR", "EUR"), ("AUD", "AUD"), ("GBP", "GBP"),
                                            ("each provider's unit", "")], value=currency or "",
                                   description="currency", style=field, layout=W.Layout(width="250px"))
        self.rates = W.Text(value=", ".join(f"{k}={v:g}" for k, v in (rates or {}).items()),
                            description="rates", continuous_update=False, style=field,
                            placeholder="USD=1, AUD=0.66, SQKM=4", layout=W.Layout(width="330px"),
                            tooltip="the value of one unit in the currency (yours, not the providers')")
        self.price_button = W.Button(description="Price now", icon="refresh", button_style="primary")
        self.status = W.HTML()
        self.status.add_class("pixorder-desk-status")
        self.sources = W.HTML(self._sources_html())

        # ---- results
        self.aoi_list = W.HTML(render.message("Draw shapes or upload a file: each shape or feature is one AOI.",
                                              "info"))
        self.summary = W.HTML()
        self.summary.add_class("pixorder-desk-summary")
        self.grid = quote_grid(comparison_table(_empty(), "USD"))
        self.grid.layout.height = "300px"
        self.grid.layout.display = "none"
        self.quotes_chart = W.Output(layout=W.Layout(width="100%"))
        self.quotes_chart.add_class("pixorder-chart")
        self.quotes_chart.add_class("pixorder-quotes-chart")
        self.sweep_param = W.Dropdown(options=list(SWEEPS), value=list(SWEEPS)[0], description="sweep",
                                      style=field, layout=W.Layout(width="220px"))
        self.sweep_aoi = W.Dropdown(options=[], description="AOI", style=field, layout=W.Layout(width="220px"))
        self.sweep_chart = W.Output(layout=W.Layout(width="100%"))
        self.sweep_chart.add_class("pixorder-chart")
        self.sweep_chart.add_class("pixorder-sweep-chart")
        self.sweep_status = W.HTML()
        self.windows_chart = W.Output(layout=W.Layout(width="100%"))
        self.windows_chart.add_class("pixorder-chart")
        self.windows_chart.add_class("pixorder-windows-chart")
        self.windows_status = W.HTML()
        self.windows_status.add_class("pixorder-windows-status")
        self.export_format = W.Dropdown(options=list(EXPORTS), value="GeoParquet", description="format",
                                        style=field, layout=W.Layout(width="200px"))
        self.export_what = W.Dropdown(options=[("ranked quotes", "quotes"), ("sweep", "sweep")], value="quotes",
                                      description="export", style=field, layout=W.Layout(width="200px"))
        self.export_button = W.Button(description="Export", icon="download")
        self.download = W.HTML()
        self.download.add_class("pixorder-download")
        self.figures: dict[str, Any] = {}

        self._quotes: LatestWins[tuple[Any, ...], Any] = LatestWins(
            self._start_quotes, self._on_quotes, self._on_quotes_error, delay=delay, scheduler=scheduler,
            on_busy=self._busy)
        self._extras: LatestWins[tuple[Any, ...], Any] = LatestWins(
            self._start_extras, self._on_extras, self._on_extras_error, delay=0.0, scheduler=scheduler,
            on_busy=lambda busy: self._extras_busy(busy))

        super().__init__(children=self._layout(), **kwargs)
        self.add_class("pixorder-desk")
        self.map.observe(lambda _: self._on_aois(), "aois")
        for widget in (self.max_gsd, self.hyperspectral, self.currency, self.rates, *self.bands.values(),
                       *self.providers.values()):
            widget.observe(lambda _: self.refresh(), "value")
        self.sweep_param.observe(lambda _: self._refresh_extras(), "value")
        self.sweep_aoi.observe(lambda _: self._refresh_extras(), "value")
        self.price_button.on_click(lambda _: self.refresh(now=True))
        self.export_button.on_click(lambda _: self.export())
        if aois is not None:
            from pixorder.aoi import as_aois

            self.map.draw.data = [_feature(AOI(a.geometry, name=a.name or f"AOI {i + 1}"))
                                  for i, a in enumerate(as_aois(aois))]

    # ------------------------------------------------------------------------------------- layout
    def _layout(self) -> list[W.Widget]:
        title = W.HTML("<div style='font-size:20px;font-weight:700;color:#1b3a4b'>pixorder pricing desk</div>")
        needs = W.VBox([
            W.HTML(_SECTION.format("What the imagery must offer")),
            self.max_gsd,
            W.HTML("<div style='font-size:12px;color:#555;margin:4px 0 0 0'>bands every sensor must have</div>"),
            W.HBox(list(self.bands.values()), layout=W.Layout(flex_flow="row wrap")),
            self.hyperspectral,
            W.HTML(_SECTION.format("Providers and money")),
            W.HBox(list(self.providers.values())),
            self.currency, self.rates,
            W.HBox([self.price_button, self.status], layout=W.Layout(align_items="center", margin="8px 0 0 0")),
            self.sources,
        ], layout=W.Layout(flex="0 0 360px", padding="0 0 0 12px"))
        top = W.HBox([W.VBox([self.map], layout=W.Layout(flex="1 1 700px")), needs],
                     layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))
        quotes = W.VBox([W.HTML(_SECTION.format("AOIs and the cheapest quote that meets the needs")),
                         W.HBox([self.aoi_list, self.summary], layout=W.Layout(flex_flow="row wrap")),
                         W.HTML(_SECTION.format("Every qualifying quote, ranked per AOI "
                                                "(sort or filter from a column header)")),
                         self.grid])
        half = W.Layout(flex="1 1 560px", min_width="420px", padding="0 8px 0 0")
        charts = W.HBox([
            W.VBox([W.HTML(_SECTION.format("Quotes per billed km²")), self.quotes_chart], layout=half),
            W.VBox([W.HTML(_SECTION.format("How the price moves")),
                    W.HBox([self.sweep_param, self.sweep_aoi]), self.sweep_status, self.sweep_chart], layout=half),
        ], layout=W.Layout(flex_flow="row wrap"))
        lower = W.HBox([
            W.VBox([W.HTML(_SECTION.format("Imaging windows of sensors that need one")), self.windows_status,
                    self.windows_chart], layout=half),
            W.VBox([W.HTML(_SECTION.format("Export with provenance")),
                    W.HBox([self.export_what, self.export_format, self.export_button]), self.download],
                   layout=half),
        ], layout=W.Layout(flex_flow="row wrap"))
        return [title, top, quotes, charts, lower]

    def _sources_html(self) -> str:
        from pixorder.client.core import source_of

        where = ", ".join(f"{p}: {'live API' if source_of(c.aio) == 'live' else 'sandbox'}"
                          for p, c in self.clients.items())
        return (f"<div class='pixorder-desk-sources' style='font-size:12px;color:#555;margin-top:6px'>Prices from "
                f"{html.escape(where)}. Estimates only: nothing is ordered.</div>")

    # -------------------------------------------------------------------------------------- inputs
    @property
    def aois(self) -> list[AOI]:
        """The AOIs priced: one per drawn shape or uploaded feature."""
        return list(self.map.aois)

    def needs(self) -> dict[str, Any]:
        """The needs as set (``{"max_gsd_m", "bands", "hyperspectral"}``, unset ones left out).

        Raises:
            pixorder.ValidationError: a max GSD that is not a positive number.
        """
        out: dict[str, Any] = {}
        text = self.max_gsd.value.strip().lower().removesuffix("m").strip()
        if text and text != "any":
            try:
                gsd = float(text.replace(",", "."))
            except ValueError:
                gsd = -1.0
            if not gsd > 0:
                raise ValidationError("max GSD", "must be a positive number of metres, e.g. 1 or 0.5",
                                      self.max_gsd.value)
            out["max_gsd_m"] = gsd
        bands = [b for b, box in self.bands.items() if box.value]
        if bands:
            out["bands"] = bands
        if self.hyperspectral.value is not None:
            out["hyperspectral"] = self.hyperspectral.value
        return out

    def _money(self) -> tuple[dict[str, float] | None, str | None]:
        currency = self.currency.value or None
        rates = parse_rates(self.rates.value) if currency else None
        if currency and rates is None:
            raise ValidationError("rates", f"give the value of each unit in {currency}, e.g. USD=1, AUD=0.66, "
                                           "SQKM=4; or choose \"each provider's unit\"")
        return rates, currency

    def _inputs(self) -> tuple[Any, ...]:
        rates, currency = self._money()
        providers = tuple(p for p, box in self.providers.items() if box.value)
        if not providers:
            raise ValidationError("providers", "tick at least one provider")
        needs = self.needs()
        return (tuple(self.aois), tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                               for k, v in needs.items())),
                providers, currency, tuple(sorted((rates or {}).items())))

    # ------------------------------------------------------------------------------------- pricing
    def refresh(self, now: bool = False) -> None:
        """Price the current inputs (after the debounce delay, or at once with ``now=True``)."""
        if not self.aois:
            self._quotes.cancel()
            self._extras.cancel()
            self._clear()
            return
        try:
            params = self._inputs()
        except ValidationError as exc:
            self._quotes.cancel()
            self.status.value = render.message(str(exc), "error")
            return
        self._quotes.submit(params)
        if now:
            self._quotes.flush()

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the quotes, the sweep and the windows in progress are shown; True when settled."""
        ok = self._quotes.wait(timeout, type(self).__name__)
        # The quotes' answer starts the sweep: wait for the quotes again in case it started more.
        return ok and self._extras.wait(timeout, type(self).__name__) and self._quotes.wait(timeout)

    def cheapest(self) -> Any:
        """The cheapest qualifying quote per AOI (rows of ``value`` ranked 1), or None before pricing."""
        if self.value is None:
            return None
        frame = whole_quotes(self.value)
        return frame[frame["rank"] == 1].reset_index(drop=True)

    def _busy(self, busy: bool) -> None:
        if busy:
            n = len(self.aois)
            providers = [p for p, box in self.providers.items() if box.value]
            self.status.value = (f"<div class='pixorder-msg pixorder-busy' style='color:#555'>{_SPINNER}Pricing "
                                 f"{render.plural(n, 'AOI')} at {', '.join(providers)}…</div>")

    def _extras_busy(self, busy: bool) -> None:
        if busy:
            self.sweep_status.value = f"<div class='pixorder-msg pixorder-busy' style='color:#555'>{_SPINNER}" \
                                      "Sweeping and searching imaging windows…</div>"

    def _start_quotes(self, params: tuple[Any, ...]) -> Any:
        from pixorder.client.compare import acompare

        aois, needs, providers, currency, rates = params
        clients = [self.clients[p] for p in providers]

        async def price() -> Any:
            import asyncio

            from pixorder.explore.needs import as_needs, choose

            need = as_needs(_needs_dict(needs))
            found = await asyncio.gather(*(c.aio.sensors() for c in clients))
            if not any(choose(s, "all", need) for s in found):
                return None  # nothing qualifies: nothing to price
            return await acompare(list(aois), None, providers=clients, sensors="all", needs=_needs_dict(needs),
                                  rates=dict(rates) or None, currency=currency)

        return run_client_call(None, lambda _: price())

    def _on_quotes(self, params: tuple[Any, ...], frame: Any) -> None:
        aois = params[0]
        if frame is None:
            self._clear()
            self.status.value = render.message(
                f"No sensor at {', '.join(params[2])} meets the needs ({_needs_text(params[1])}).", "warning")
            self.summary.value = render.message("No qualifying quote: relax the needs.", "warning")
            return
        frame["aoi"] = frame["aoi_index"].map({i: a.name or f"AOI {i + 1}" for i, a in enumerate(aois)})
        self.value = frame
        currency = params[3]
        self.grid.data = comparison_table(frame, currency)
        self.grid.renderers = _renderers(self.grid.data)
        self.grid.layout.display = None
        self.summary.value = cheapest_html(frame, aois, currency)
        self.status.value = render.message(
            f"{render.plural(int(frame['error'].isna().sum()), 'quote')} meet the needs "
            f"({_needs_text(params[1])}).", "info")
        self._show("quotes", self.quotes_chart, _quotes_figure(frame) if frame["error"].isna().any() else None)
        self._refresh_extras()

    def _on_quotes_error(self, params: Any, error: BaseException) -> None:
        self._clear()
        self.status.value = render.message(f"Pricing failed: {render.error_message(error)}", "error")

    # ------------------------------------------------------------------------ sweep and windows
    def _refresh_extras(self) -> None:
        if self.value is None or not self.aois:
            return
        try:
            aois, needs, providers, currency, rates = self._inputs()
        except ValidationError:
            return
        index = self.sweep_aoi.index if self.sweep_aoi.index is not None else 0
        self._extras.submit((aois[min(index, len(aois) - 1)], aois, self.sweep_param.value, needs, providers,
                             currency, rates))
        self._extras.flush()

    def _start_extras(self, params: tuple[Any, ...]) -> Any:
        return run_client_call(None, lambda _: self._extras_call(params))

    async def _extras_call(self, params: tuple[Any, ...]) -> dict[str, Any]:
        import asyncio

        from pixorder.explore.needs import Needs, choose
        from pixorder.explore.sweep import asweep

        aoi, aois, label, needs, providers, currency, rates = params
        need = Needs(**(_needs_dict(needs) or {})) if needs else None
        clients = {p: self.clients[p] for p in providers}
        sensors = dict(zip(clients, await asyncio.gather(*(c.aio.sensors() for c in clients.values()))))
        chosen = {p: choose(s, "all", need) for p, s in sensors.items()}
        ids = sorted({s.id for group in chosen.values() for s in group})
        field, values = SWEEPS[label]
        sweep = asweep(aoi, {field: values}, None, providers=list(clients.values()), sensors=ids,
                       rates=dict(rates) or None, currency=currency) if ids else None
        windows = self._windows(aois, clients, chosen)
        results = await asyncio.gather(sweep if sweep is not None else _none(), windows)
        return {"sweep": results[0], "windows": results[1], "label": label}

    async def _windows(self, aois: Sequence[AOI], clients: Mapping[str, Any],
                       chosen: Mapping[str, Sequence[Any]]) -> Any:
        """The imaging windows of every chosen sensor that needs one, per AOI (None when none needs one)."""
        import asyncio

        import pandas as pd

        from pixorder import models as m
        from pixorder.client.compare import earliest_start, provider_now

        searches = []
        for provider, sensors in chosen.items():
            client = clients[provider]
            start = await earliest_start(client.aio)
            end = await provider_now(client.aio) + WINDOW_HORIZON - timedelta(minutes=5)
            for sensor in sensors:
                for aoi in aois:
                    request = m.TaskingRequest(aoi=aoi, sensor=sensor.id, start=start, end=end)
                    if needs_imaging_window(client, request):
                        searches.append((client, sensor, aoi, request))
        if not searches:
            return None

        async def one(client: Any, sensor: Any, aoi: AOI, request: Any) -> Any:
            found = await client.aio.imaging_windows.search(request)
            frame = found.to_geodataframe()
            for position, (column, value) in enumerate((("provider", client.provider), ("aoi", aoi.name or "AOI"),
                                                        ("sensor", sensor.id))):
                if column in frame.columns:
                    frame[column] = value
                else:
                    frame.insert(position, column, value)
            return frame

        frames = await asyncio.gather(*(one(*s) for s in searches))
        return pd.concat(frames, ignore_index=True)

    def _on_extras(self, params: tuple[Any, ...], result: dict[str, Any]) -> None:
        sweep, windows = result["sweep"], result["windows"]
        self.sweep_frame = sweep
        if sweep is None or not sweep["error"].isna().any():
            self.sweep_status.value = render.message("No qualifying sensor to sweep.", "warning")
            self._show("sweep", self.sweep_chart, None)
        else:
            self.sweep_status.value = ""
            self._show("sweep", self.sweep_chart, _sweep_figure(sweep, params[0].name or "AOI"))
        self.windows_frame = windows
        if windows is None:
            self.windows_status.value = render.message(
                "No sensor needing a window among the qualifying sensors (Planet Assured Tasking needs one).",
                "info")
            self._show("windows", self.windows_chart, None)
        elif not len(windows):
            self.windows_status.value = render.message("No imaging window in the next 7 days.", "warning")
            self._show("windows", self.windows_chart, None)
        else:
            from pixorder.explore.plots import plot_windows

            self.windows_status.value = render.message(
                f"{render.plural(len(windows), 'window')} for Planet Assured Tasking in the next 7 days; order one "
                "with its id (client.imaging_windows.search).", "info")
            self._show("windows", self.windows_chart, plot_windows(windows, height=260))

    def _on_extras_error(self, params: Any, error: BaseException) -> None:
        self.sweep_status.value = render.message(f"Sweep failed: {render.error_message(error)}", "error")

    def _show(self, name: str, output: W.Output, figure: Any) -> None:
        if figure is None:
            self.figures.pop(name, None)
        else:
            self.figures[name] = figure
        render.show_figure(output, figure)

    # ----------------------------------------------------------------------------------------- AOIs
    def _on_aois(self) -> None:
        aois = self.aois
        names = [a.name or f"AOI {i + 1}" for i, a in enumerate(aois)]
        current = self.sweep_aoi.value
        self.sweep_aoi.options = names
        if names and current not in names:
            self.sweep_aoi.value = names[0]
        if aois:
            rows = [[i + 1, n, a.kind, render.fmt_area(a.area_km2)] for i, (n, a) in enumerate(zip(names, aois))]
            self.aoi_list.value = render.table(rows, ["#", "AOI", "kind", "area drawn"], cls="pixorder-desk-aois")
        else:
            self.aoi_list.value = render.message("Draw shapes or upload a file: each shape or feature is one AOI.",
                                                 "info")
        self.refresh()

    def _clear(self) -> None:
        self.value = None
        self.sweep_frame = None
        self.windows_frame = None
        self.grid.layout.display = "none"
        self.grid.data = comparison_table(_empty(), None)
        self.summary.value = ""
        self.status.value = ""
        self.sweep_status.value = ""
        self.windows_status.value = ""
        for name, output in (("quotes", self.quotes_chart), ("sweep", self.sweep_chart),
                             ("windows", self.windows_chart)):
            self._show(name, output, None)

    # ---------------------------------------------------------------------------------------- export
    def export(self, fmt: str | None = None, what: str | None = None) -> tuple[str, bytes] | None:
        """Write the ranked quotes (or the sweep) as GeoParquet, GeoPackage or CSV with provenance, and
        offer it as a download link (``download``). Returns ``(file name, bytes)``, or None with nothing
        to export. A CSV's provenance is its sidecar ``<name>.csv.pixorder.json``, offered beside it.

        Raises:
            pixorder.ValidationError: an unknown format.
        """
        fmt = fmt or self.export_format.value
        what = what or self.export_what.value
        if fmt not in EXPORTS:
            raise ValidationError("format", f"must be one of {', '.join(EXPORTS)}", fmt)
        frame = self.value if what == "quotes" else self.sweep_frame
        if frame is None:
            self.download.value = render.message(f"Nothing to export yet: no {what} priced.", "warning")
            return None
        name = f"pixorder-{what}{EXPORTS[fmt]}"
        with tempfile.TemporaryDirectory(prefix="pixorder-export-") as folder:
            path = Path(folder) / name
            frame.to_file(path)
            content = path.read_bytes()
            sidecar = Path(str(path) + ".pixorder.json")
            extra = sidecar.read_bytes() if sidecar.exists() else None
        links = [_link(name, content, f"Download {name} ({len(content) / 1024:,.1f} KB)")]
        if extra is not None:
            links.append(_link(name + ".pixorder.json", extra, "and its provenance (keep it beside the CSV)"))
        self.download.value = render.message(render.Markup(f"{render.plural(len(frame), 'row')}: " + " ".join(links)),
                                             "info")
        return name, content


# ------------------------------------------------------------------------------------------ helpers
async def _none() -> None:
    return None


def _needs_dict(needs: Any) -> dict[str, Any] | None:
    if not needs:
        return None
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dict(needs).items()}


def _needs_text(needs: Any) -> str:
    from pixorder.explore.needs import Needs

    return Needs(**(_needs_dict(needs) or {})).describe()


def _empty() -> Any:
    from pixorder.widgets.compare import _empty_frame

    return _empty_frame()


def _renderers(table: Any) -> dict[str, Any]:
    from pixorder.widgets.compare import grid_renderers

    return grid_renderers(table)


def _link(name: str, content: bytes, text: str) -> str:
    data = base64.b64encode(content).decode("ascii")
    return (f"<a class='pixorder-download-link' download='{html.escape(name)}' "
            f"href='data:application/octet-stream;base64,{data}' style='color:#0b5cad'>{html.escape(text)}</a>")


def cheapest_html(frame: Any, aois: Sequence[AOI], currency: str | None) -> str:
    """One line per AOI naming its cheapest qualifying quote (provider, sensor, GSD, amount; ties side by
    side), each quote a ``.pixorder-cheapest`` span whose ``data-*`` attributes hold its values.

    >>> import pixorder
    >>> aoi = pixorder.AOI("POINT (5.45 52.5)")
    >>> frame = pixorder.compare(aoi, providers="planet,geopera", needs={"max_gsd_m": 1},
    ...                          rates={"SQKM": 4, "AUD": 0.66}, currency="USD")
    >>> "pixorder-cheapest" in cheapest_html(frame, [aoi], "USD")
    True
    """
    frame = whole_quotes(frame)
    lines = []
    for i, aoi in enumerate(aois):
        name = aoi.name or f"AOI {i + 1}"
        rows = frame[(frame["aoi_index"] == i) & (frame["rank"] == 1)]
        head = f"<b>{html.escape(name)}</b> <span style='color:#555'>({render.fmt_area(aoi.area_km2)})</span>"
        if not len(rows):
            lines.append(f"<div class='pixorder-cheapest-none'>{head}: no qualifying quote</div>")
            continue
        offers = []
        for _, row in rows.iterrows():
            sensor = row.get("sensor_name") or row["sensor"]
            native = render.fmt_amount(row["amount"], row["unit"])
            column = f"amount_{currency.lower()}" if currency else None
            if column and column in frame.columns and not render.is_missing(row[column]):
                shown = f"<b>{render.fmt_amount(row[column], currency)}</b> ({native})"
                converted = f" data-amount-currency='{float(row[column])!r}' data-currency='{currency}'"
            else:
                shown, converted = f"<b>{native}</b>", ""
            gsd = "" if render.is_missing(row.get("resolution_m")) else f", {float(row['resolution_m']):g} m"
            offers.append(
                f"<span class='pixorder-cheapest' data-aoi='{html.escape(name)}' data-provider='{row['provider']}' "
                f"data-sensor='{html.escape(str(row['sensor']))}' data-amount='{float(row['amount'])!r}' "
                f"data-unit='{html.escape(str(row['unit']))}'{converted}>{html.escape(str(row['provider']))} · "
                f"{html.escape(str(sensor))}{gsd}: {shown}</span>")
        tie = " <span style='color:#555'>(a tie)</span>" if len(offers) > 1 else ""
        lines.append(f"<div class='pixorder-cheapest-aoi'>{head}: cheapest{tie} " + " · or ".join(offers) + "</div>")
    return ("<div style='font-size:13px;line-height:1.8;padding-left:16px;max-width:900px'>" + "".join(lines)
            + "</div>")


def _quotes_figure(frame: Any) -> Any:
    from pixorder.explore.plots import plot_compare

    figure = plot_compare(frame, per_km2=True, height=380)
    figure.update_layout(margin={"t": 50, "b": 10, "l": 60, "r": 10})
    return figure


def _sweep_figure(frame: Any, aoi_name: str) -> Any:
    from pixorder.explore.plots import plot_sweep

    figure = plot_sweep(frame, height=380)
    figure.update_layout(title=f"{figure.layout.title.text} ({aoi_name})", margin={"t": 50, "b": 10, "l": 60, "r": 10},
                         legend={"font": {"size": 10}})
    return figure
