"""OrderBrowser: every provider's orders with filters, a paginated table, footprints on a map."""

from __future__ import annotations

import asyncio
import math
from datetime import date, datetime, timezone
from typing import Any

import ipywidgets as W
import traitlets

from pixorder.models import ItemType, Order, OrderStatus
from pixorder.widgets import render
from pixorder.widgets.aoi_map import MAP_HEIGHT_PX, PANES, basemap_layer, view_for_bounds
from pixorder.widgets.clients import resolve_clients
from pixorder.widgets.scheduling import Background, async_client, loop_client

__all__ = ["OrderBrowser", "filter_orders"]

ANY = "any"
MAX_ROWS = 1000  # per provider: a browser, not an export (use client.orders.list() for that)


def filter_orders(orders: list[Order], *, provider: str = ANY, status: str = ANY, order_type: str = ANY,
                  created_from: date | None = None, created_to: date | None = None) -> list[Order]:
    """The orders matching the filters, newest first; ``"any"`` matches everything.

    Filtering happens here rather than on the server because the three APIs filter on different
    fields (Pixxel by item, Planet by Django lookups, Geopera by body fields).

    Args:
        orders: the orders to filter.
        provider: a provider name, or ``"any"``.
        status: an ``OrderStatus`` word (``"ACTIVE"``, ...), or ``"any"``.
        order_type: an ``ItemType`` word (``"TASKING"``, ``"ARCHIVE"``, ``"RECURRING"``), or ``"any"``.
        created_from: keep orders created on or after this day (UTC); None for no bound.
        created_to: keep orders created on or before this day (UTC); None for no bound. An order
            without ``created_at`` is dropped by either bound.

    Returns:
        A new list, newest ``created_at`` first (orders without one last).

    >>> from datetime import date
    >>> from pixorder.models import Order
    >>> orders = [Order(provider="planet", id="a", status="ACTIVE", created_at="2027-01-05T10:00Z"),
    ...           Order(provider="planet", id="b", status="FULFILLED", created_at="2027-02-01T10:00Z"),
    ...           Order(provider="geopera", id="c", status="ACTIVE", created_at="2027-03-01T10:00Z")]
    >>> [o.id for o in filter_orders(orders)], [o.id for o in filter_orders(orders, status="ACTIVE")]
    (['c', 'b', 'a'], ['c', 'a'])
    >>> [o.id for o in filter_orders(orders, provider="planet", created_from=date(2027, 1, 10))]
    ['b']
    """
    def keep(order: Order) -> bool:
        if provider != ANY and order.provider != provider:
            return False
        if status != ANY and str(order.status) != status:
            return False
        if order_type != ANY and str(order.order_type) != order_type:
            return False
        created = order.created_at.date() if order.created_at is not None else None
        if created_from is not None and (created is None or created < created_from):
            return False
        return not (created_to is not None and (created is None or created > created_to))

    kept = [o for o in orders if keep(o)]
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(kept, key=lambda o: o.created_at or oldest, reverse=True)


def _row_label(order: Order) -> str:
    created = order.created_at.strftime("%Y-%m-%d %H:%M") if order.created_at else "—"
    name = (order.name or "")[:28]
    return (f"{order.provider:<8} {created:<16} {str(order.status or '—'):<12} {str(order.order_type or '—'):<9} "
            f"{render.fmt_amount(order.amount, order.unit):>18}  {name}")


def order_details_html(order: Order) -> str:
    """The order's fields, then its items and their tasks, as the browser shows them.

    Args:
        order: the order; fields it does not have are left out, items and tasks tabled when present.

    Returns:
        HTML: a ``pixorder-order-details`` table, then ``Items`` (``pixorder-items``) and ``Tasks``
        (``pixorder-tasks``) tables, or a line saying the provider does not split orders into items.

    >>> import re
    >>> from pixorder.models import Order, OrderItem, Task
    >>> item = OrderItem(provider="pixxel", id="i-1", type="TASKING", status="ACTIVE", amount=1234.5, unit="USD",
    ...                  tasks=[Task(provider="pixxel", id="t-1", order_item_id="i-1", status="SCHEDULED")])
    >>> html = order_details_html(Order(provider="pixxel", id="o-1", status="ACTIVE", payment_status="PAID",
    ...                                 amount=1234.5, unit="USD", billed_area_km2=100.0, items=[item]))
    >>> details, items, tasks = (re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table)
    ...                          for table in re.findall(r"<table.*?</table>", html))
    >>> details
    ['provider', 'pixxel', 'id', 'o-1', 'status', 'ACTIVE', 'payment', 'PAID', 'price', '1,234.50 USD', 'area billed', '100.00 km²']
    >>> tasks
    ['id', 'item', 'type', 'status', 'delivery', 'start', 'end', 't-1', 'i-1', '—', 'SCHEDULED', '—', '—', '—']
    >>> "not split into items" in order_details_html(Order(provider="planet", id="p-1"))
    True
    """
    fields: list[list[Any]] = [["provider", order.provider], ["id", order.id], ["name", order.name],
              ["status", f"{order.status} ({order.provider_status})"
               if order.provider_status and order.provider_status != str(order.status) else order.status],
              ["payment", order.payment_status],
              ["type", order.order_type], ["price", render.fmt_amount(order.amount, order.unit)],
              ["area drawn", render.fmt_area(order.area_km2) if order.area_km2 is not None else None],
              ["area billed", render.fmt_area(order.billed_area_km2) if order.billed_area_km2 is not None else None],
              ["window", f"{order.start:%Y-%m-%d} → {order.end:%Y-%m-%d}" if order.start and order.end else None],
              ["created", order.created_at], ["reference", order.reference]]
    out = render.table([f for f in fields if f[1] is not None], cls="pixorder-order-details")
    if not order.items:
        out += render.message(f"{order.provider} orders are not split into items; the status above is the "
                              "order's.", "info")
        return out
    items = [[i.id, i.name, i.type, i.status, i.payment_status, render.fmt_amount(i.amount, i.unit),
              render.fmt_area(i.billed_area_km2), i.feasibility, len(i.tasks)] for i in order.items]
    out += "<b>Items</b>" + render.table(items, ["id", "name", "type", "status", "payment", "amount", "area billed",
                                               "feasibility", "tasks"], cls="pixorder-items")
    tasks = [[t.id, t.order_item_id, t.type, t.status, t.delivery_status, t.start, t.end]
             for i in order.items for t in i.tasks]
    if tasks:
        out += "<b>Tasks</b>" + render.table(tasks, ["id", "item", "type", "status", "delivery", "start", "end"],
                                           cls="pixorder-tasks")
    else:
        out += render.message("No tasks yet.", "info")
    return out


class OrderBrowser(W.VBox):
    """Browse orders across providers: filter, page through, see footprints, inspect one order.

    ``value`` is the GeoDataFrame of every order matching the filters (all pages); ``selected``
    the :class:`pixorder.Order` of the chosen row, whose footprint is highlighted on the map and
    whose items and tasks are shown.

    >>> from pixorder.widgets import OrderBrowser
    >>> browser = OrderBrowser()                    # doctest: +SKIP
    >>> browser.provider.value = "planet"           # doctest: +SKIP
    >>> browser.value[["id", "status", "amount"]]   # doctest: +SKIP
    """

    value = traitlets.Any(None, allow_none=True, help="GeoDataFrame of the orders matching the filters")
    selected = traitlets.Instance(Order, allow_none=True, help="the order of the selected row")

    def __init__(self, clients: Any = None, *, page_size: int = 10, load: bool = True, **kwargs: Any):
        import ipyleaflet as L

        self.clients = resolve_clients(clients)
        self.page_size = page_size
        self._orders: list[Order] = []
        self._filtered: list[Order] = []
        self._page = 0
        self._background = Background()
        self.provider = W.Dropdown(options=[ANY, *self.clients], value=ANY, description="Provider")
        self.status = W.Dropdown(options=[ANY, *(s.value for s in OrderStatus)], value=ANY, description="Status")
        self.order_type = W.Dropdown(options=[ANY, *(t.value for t in ItemType)], value=ANY, description="Type")
        self.created_from = W.DatePicker(description="Created ≥")
        self.created_to = W.DatePicker(description="Created ≤")
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.message = W.HTML()
        self.header = W.HTML()
        # A Select is a table whose rows can be picked by mouse and keyboard, in any frontend.
        self.table = W.Select(options=[], rows=page_size, layout=W.Layout(width="100%"))
        self.table.add_class("pixorder-orders-table")
        self.prev_button = W.Button(description="◀ Prev", disabled=True, layout=W.Layout(width="90px"))
        self.next_button = W.Button(description="Next ▶", disabled=True, layout=W.Layout(width="90px"))
        self.page_label = W.HTML()
        self.details = W.HTML()
        self.map = L.Map(center=(20.0, 0.0), zoom=2, scroll_wheel_zoom=True, panes=PANES,
                         layout=W.Layout(height=f"{MAP_HEIGHT_PX}px", width="100%"))
        self.map.add(basemap_layer())  # the same offline coasts and borders as AOIMap's, under the tiles
        self.footprints = L.GeoJSON(data=_collection([]), name="orders",
                                    style={"color": "#3f7fbf", "weight": 1, "fillOpacity": 0.1})
        self.highlight = L.GeoJSON(data=_collection([]), name="selected",
                                   style={"color": "#e65100", "weight": 3, "fillOpacity": 0.3})
        self.map.add(self.footprints)
        self.map.add(self.highlight)
        filters = W.HBox([self.provider, self.status, self.order_type], layout=W.Layout(flex_flow="row wrap"))
        dates = W.HBox([self.created_from, self.created_to, self.refresh_button],
                       layout=W.Layout(flex_flow="row wrap"))
        pager = W.HBox([self.prev_button, self.page_label, self.next_button])
        super().__init__(children=[filters, dates, self.message, self.header, self.table, pager, self.map,
                                   self.details], **kwargs)
        self.add_class("pixorder-orderbrowser")
        for control in (self.provider, self.status, self.order_type, self.created_from, self.created_to):
            control.observe(lambda _: self.apply_filters(), "value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.prev_button.on_click(lambda _: self.show_page(self._page - 1))
        self.next_button.on_click(lambda _: self.show_page(self._page + 1))
        self.table.observe(self._on_row, "value")
        if load:
            self.refresh()

    # --------------------------------------------------------------------------------- public API
    @property
    def page(self) -> int:
        return self._page

    @property
    def n_pages(self) -> int:
        return max(1, math.ceil(len(self._filtered) / self.page_size))

    @property
    def page_orders(self) -> list[Order]:
        start = self._page * self.page_size
        return self._filtered[start:start + self.page_size]

    def refresh(self) -> None:
        """Fetch every provider's orders again (in the background)."""
        self.message.value = render.message("Loading orders…", "busy")
        self.refresh_button.disabled = True
        clients = dict(self.clients)

        async def fetch_all(_: Any) -> list[tuple[str, list[Order] | BaseException]]:
            async def one(provider: str, client: Any) -> tuple[str, list[Order] | BaseException]:
                aio = async_client(client)
                try:
                    return provider, list(await aio.orders.list(limit=MAX_ROWS).collect())
                except Exception as exc:  # one provider failing must not hide the others
                    return provider, exc

            return list(await asyncio.gather(*(one(p, c) for p, c in clients.items())))

        def done(results: list[tuple[str, Any]] | None, error: BaseException | None) -> None:
            self.refresh_button.disabled = False
            if error is not None:
                self.message.value = render.message(f"Could not list orders: {render.error_message(error)}",
                                                    "error")
                return
            orders, problems = [], []
            for provider, found in results or []:
                if isinstance(found, BaseException):
                    problems.append(f"{provider}: {render.error_message(found)}")
                else:
                    orders.extend(found)
            self._orders = orders
            self.message.value = render.message("; ".join(problems), "warning") if problems else ""
            self.apply_filters()

        self._background.run(loop_client(clients.values()), fetch_all, done)

    def apply_filters(self) -> None:
        """Filter the loaded orders, back to the first page."""
        from pixorder.frames import orders_frame

        self._filtered = filter_orders(
            self._orders, provider=self.provider.value, status=self.status.value,
            order_type=self.order_type.value, created_from=self.created_from.value,
            created_to=self.created_to.value)
        self.value = orders_frame(self._filtered)
        self.show_page(0)

    def show_page(self, page: int) -> None:
        """Show one page of the filtered orders: its rows in the table and its footprints on the map.

        The selection and details are cleared and the map fits the page's footprints.

        Args:
            page: the page number, 0-based; clamped to ``0 .. n_pages - 1``.

        >>> import pixorder
        >>> from pixorder.widgets import OrderBrowser
        >>> client = pixorder.connect("sandbox", api="planet", progress=False)
        >>> _ = client.orders.create(pixorder.TaskingRequest(aoi="POINT (5.45 52.5)", start="2030-03-01",
        ...                                                  end="2030-03-21"))
        >>> browser = OrderBrowser(client, page_size=1)
        >>> browser.wait()
        True
        >>> browser.show_page(10**6)            # past the end: the last page
        >>> browser.page == browser.n_pages - 1, len(browser.page_orders), browser.selected
        (True, 1, None)
        """
        self._page = max(0, min(page, self.n_pages - 1))
        rows = self.page_orders
        first = self._page * self.page_size
        self.table.options = [(_row_label(o), first + i) for i, o in enumerate(rows)]
        self.table.value = None
        # Layout has no font setting: a scoped style makes the Select's rows line up as columns.
        self.header.value = ("<style>.pixorder-orders-table select{font-family:monospace;font-size:12px}</style>"
                             "<pre style='margin:0;font-size:12px'>"
                             + render.esc(f"{'provider':<8} {'created':<16} {'status':<12} {'type':<9} "
                                          f"{'amount':>18}  name") + "</pre>")
        self.page_label.value = (f"&nbsp;page {self._page + 1} of {self.n_pages} · {render.plural(len(self._filtered), 'order')}"
                                 f" (of {len(self._orders)} loaded)&nbsp;")
        self.prev_button.disabled = self._page == 0
        self.next_button.disabled = self._page >= self.n_pages - 1
        self.footprints.data = _collection(rows)
        self.highlight.data = _collection([])
        self.selected = None
        self.details.value = ""
        bounds = _bounds(rows)
        if bounds is not None:
            self.map.center, self.map.zoom = view_for_bounds(bounds)

    def select(self, order_id: str) -> bool:
        """Select the row of ``order_id`` (switching page if needed); False when it is filtered out."""
        for index, order in enumerate(self._filtered):
            if order.id == order_id:
                self.show_page(index // self.page_size)
                self.table.value = index
                return True
        return False

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the listing and details asked for so far have loaded; True when settled."""
        return self._background.wait(timeout, type(self).__name__)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` for a notebook cell whose widget uses an ``AsyncClient``."""
        return await self._background.wait_async(timeout)

    # ---------------------------------------------------------------------------------- internals
    def _on_row(self, change: dict[str, Any]) -> None:
        index = change["new"]
        if index is None or not (0 <= index < len(self._filtered)):
            return
        order: Order = self._filtered[index]
        self.selected = order
        self.highlight.data = _collection([order])
        bounds = _bounds([order])
        if bounds is not None:
            self.map.center, self.map.zoom = view_for_bounds(bounds)
        self.details.value = order_details_html(order)
        if order.items or order.provider not in self.clients:
            return
        # Listings may omit items and tasks: fetch the order itself for them.
        self.details.value += render.message("Loading items…", "busy")

        def done(full: Order | None, error: BaseException | None) -> None:
            if self.selected is not order:
                return
            if error is not None or full is None:
                self.details.value = order_details_html(order)
                return
            self.details.value = order_details_html(full)

        self._background.run(self.clients[order.provider], lambda aio: aio.orders.get(order.id), done)


def _collection(orders: list[Order]) -> dict[str, Any]:
    features = [{"type": "Feature", "properties": {"id": o.id, "provider": o.provider}, "geometry": o.geometry}
                for o in orders if o.geometry]
    return {"type": "FeatureCollection", "features": features}


def _bounds(orders: list[Order]) -> tuple[float, float, float, float] | None:
    import shapely.geometry

    shapes = [shapely.geometry.shape(o.geometry) for o in orders if o.geometry]
    if not shapes:
        return None
    boxes = [s.bounds for s in shapes]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
