"""ImagingWindowPicker: the imaging windows found for a request, for sensors that need one (Planet Assured Tasking).

Whether a request needs a window is the provider adapter's own rule (:func:`needs_imaging_window` asks
``Adapter.validate``), so the widget names no product. The search runs in the background through
:class:`~pixorder.widgets.scheduling.LatestWins` (debounced, one search in flight, the latest wins) and
its answer is shown on the kernel's thread; the user picks one window with a click.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ipywidgets as W
import traitlets

from pixorder.errors import ValidationError
from pixorder.models import ImagingWindow, TaskingRequest
from pixorder.widgets import render
from pixorder.widgets.scheduling import LatestWins, Scheduler, async_client, run_client_call

__all__ = ["ImagingWindowPicker", "needs_imaging_window", "window_label"]

#: the request field an adapter names when it refuses a request for want of a window
WINDOW_FIELD = "imaging_window"
EMPTY = "No imaging window in these dates: widen the dates."


def needs_imaging_window(client: Any, request: TaskingRequest | None) -> bool:
    """Whether ``client``'s provider refuses ``request`` until an ``imaging_window`` is set.

    Asks the provider adapter (``Adapter.validate``, the check that runs before any call): Planet
    refuses Assured Tasking without a window; other sensors and providers need none. No network.

    >>> import pixorder
    >>> client = pixorder.connect("sandbox", api="planet")
    >>> request = pixorder.TaskingRequest(aoi="POINT (5.45 52.5)", start="2027-03-01", end="2027-03-08",
    ...                                   sensor="Assured Tasking")
    >>> needs_imaging_window(client, request), needs_imaging_window(client, None)
    (True, False)
    """
    if request is None or client is None or request.imaging_window:
        return False
    adapter = getattr(async_client(client), "adapter", None)
    if adapter is None:
        return False
    try:
        adapter.validate(request)
    except ValidationError as exc:
        return exc.field == WINDOW_FIELD
    return False


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment is not None else "?"


def window_label(window: ImagingWindow) -> str:
    """One line per window: start → end (UTC), cloud forecast, off-nadir range, satellite.

    >>> from datetime import datetime, timezone
    >>> w = ImagingWindow(provider="planet", id="w1", start=datetime(2027, 3, 2, 10, 31, tzinfo=timezone.utc),
    ...                   end=datetime(2027, 3, 2, 10, 39, tzinfo=timezone.utc), cloud_forecast=23.0,
    ...                   off_nadir_min=5.12, off_nadir_max=18.3, satellite_type="SKYSAT")
    >>> window_label(w)
    '2027-03-02 10:31 → 10:39 UTC · cloud 23 % · off-nadir 5.1–18.3° · SKYSAT'
    """
    start, end = window.start, window.end
    day = start.strftime("%Y-%m-%d") if start is not None else "?"
    if start is not None and end is not None and end.date() != start.date():
        until = end.strftime("%Y-%m-%d %H:%M")
    else:
        until = _clock(end)
    parts = [f"{day} {_clock(start)} → {until} UTC"]
    parts.append(f"cloud {window.cloud_forecast:.0f} %" if window.cloud_forecast is not None else "cloud n/a")
    low, high = window.off_nadir_min, window.off_nadir_max
    if low is not None and high is not None:
        parts.append(f"off-nadir {low:.1f}–{high:.1f}°")
    elif low is not None or high is not None:
        parts.append(f"off-nadir {low if low is not None else high:.1f}°")
    if window.satellite_type:
        parts.append(window.satellite_type)
    return " · ".join(parts)


def _search_key(client: Any, request: TaskingRequest) -> tuple[Any, ...]:
    """What the windows depend on: provider, AOI, dates, sensor and the elevation limit (off-nadir)."""
    return (id(client), request.aoi, request.start, request.end, request.sensor, request.elevation_min)


class ImagingWindowPicker(W.VBox):
    """The imaging windows for the AOI and dates of a request, one to pick; hidden when none is needed.

    :class:`~pixorder.widgets.PricingPreview` (and so the :class:`~pixorder.widgets.OrderForm`) drives
    it: :meth:`show_for` with the request being built searches the windows in the background when the
    provider needs one, and hides the picker otherwise. ``value`` is the chosen
    :class:`pixorder.ImagingWindow` (None until the user picks one); ``windows`` those found. A new AOI,
    new dates, another sensor or another off-nadir limit searches again and clears the choice.

    >>> from pixorder.widgets import ImagingWindowPicker
    >>> picker = ImagingWindowPicker()
    >>> picker.needed, picker.value, picker.layout.display
    (False, None, 'none')
    """

    value = traitlets.Instance(ImagingWindow, allow_none=True, help="the chosen imaging window, None until picked")
    windows: traitlets.List[ImagingWindow] = traitlets.List(help="the ImagingWindow models found for the current request")
    needed = traitlets.Bool(False, help="whether the current request needs an imaging window")

    def __init__(self, *, delay: float = 0.4, scheduler: Scheduler | None = None, **kwargs: Any):
        self.title = W.HTML("<b>Imaging window</b> <span style='color:#555'>(start → end, cloud forecast, "
                            "off-nadir range, satellite)</span>")
        self.status = W.HTML()
        self.choices = W.RadioButtons(options=[], index=None, layout=W.Layout(width="auto"))
        self.choices.add_class("pixorder-window-choices")
        self._runner: LatestWins[tuple[Any, TaskingRequest], list[ImagingWindow]] = LatestWins(
            self._start, self._on_result, self._on_error, delay=delay, scheduler=scheduler,
            on_busy=self._on_busy,
        )
        self._key: tuple[Any, ...] | None = None
        self._filling = False
        super().__init__(children=[self.title, self.status, self.choices], **kwargs)
        self.add_class("pixorder-windows")
        self.layout.display = "none"
        self.choices.observe(self._on_choice, "value")

    # --------------------------------------------------------------------------------- public API
    @property
    def searches_started(self) -> int:
        """How many searches this picker has started (debounced edits are not counted)."""
        return self._runner.started

    def show_for(self, client: Any, request: TaskingRequest | None) -> bool:
        """Follow the request being built (without a window); returns whether it needs a window.

        Needs none (another sensor, no AOI yet): hidden, nothing searched. Needs one: shown, and
        when the AOI, dates, sensor or off-nadir limit changed since the last search, the choice is
        cleared and the windows are searched again (after the debounce delay, in the background).
        """
        if not needs_imaging_window(client, request):
            self._reset(needed=False)
            return False
        assert request is not None
        self.needed = True
        self.layout.display = "flex"
        key = _search_key(client, request)
        if key != self._key:
            self._key = key
            self._clear_choices()
            self.status.value = render.message("Searching imaging windows…", "busy")
            self._runner.submit((client, request))
        return True

    def chosen_for(self, client: Any, request: TaskingRequest) -> ImagingWindow | None:
        """The chosen window when it was found for this client and ``request``'s AOI and dates, else None."""
        if self.value is None or self._key != _search_key(client, request):
            return None
        return self.value

    def choose(self, window_id: str | None) -> None:
        """Pick the window with this id (what a click on it does); None clears the choice."""
        self.choices.value = window_id

    def flush(self) -> None:
        """Search now instead of after the debounce delay."""
        self._runner.flush()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until no search is pending or in flight and its windows are shown (scripts and tests)."""
        return self._runner.wait(timeout, type(self).__name__)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` for a notebook cell whose picker uses an ``AsyncClient``."""
        return await self._runner.wait_async(timeout)

    # ---------------------------------------------------------------------------------- internals
    def _reset(self, *, needed: bool) -> None:
        self._runner.cancel()
        self._key = None
        self.needed = needed
        self.layout.display = "flex" if needed else "none"
        self.status.value = ""
        self._clear_choices()

    def _clear_choices(self) -> None:
        self._filling = True
        try:
            self.choices.options = []
            self.choices.index = None
        finally:
            self._filling = False
        self.windows = []
        self.value = None

    def _start(self, params: tuple[Any, TaskingRequest]) -> Any:
        client, request = params
        self.status.value = render.message("Searching imaging windows…", "busy")

        async def search(aio: Any) -> list[ImagingWindow]:
            return list(await aio.imaging_windows.search(request))

        return run_client_call(client, search)

    def _on_result(self, params: tuple[Any, TaskingRequest], windows: list[ImagingWindow]) -> None:
        found = sorted(windows, key=lambda w: (w.start is None, w.start or datetime.min))
        self._filling = True
        try:
            self.choices.options = [(window_label(w), w.id) for w in found]
            self.choices.index = None  # the user picks: no window is chosen for them
        finally:
            self._filling = False
        self.windows = found
        self.value = None
        if not found:
            self.status.value = render.message(EMPTY, "warning")
        else:
            self.status.value = render.message(
                f"{render.plural(len(found), 'window')} found: choose one to see the price.", "info")

    def _on_error(self, params: tuple[Any, TaskingRequest], error: BaseException) -> None:
        self._clear_choices()
        self.status.value = render.message(
            f"Could not search imaging windows: {render.error_message(error)}", "error")

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.status.value = render.message("Searching imaging windows…", "busy")

    def _on_choice(self, change: dict[str, Any]) -> None:
        if self._filling:
            return
        chosen = next((w for w in self.windows if w.id == change["new"]), None)
        self.value = chosen
        if chosen is not None:
            self.status.value = render.message(f"Chosen: {window_label(chosen)}", "info")
