"""The provider table: every fact pixorder knows about a provider's API, written once.

Dependency-free on purpose (no pydantic, no httpx): ``pixorder.aoi``, ``frames``, the client, the
widgets and the CLI all read it, and the adapter named here is imported only when a client needs it
(:func:`pixorder.client.core.make_adapter`).
Adding a provider is one row here, one adapter module, one sandbox package and their tests.

>>> from pixorder.providers import table
>>> table.NAMES
('pixxel', 'planet', 'geopera')
>>> table.get("Planet").env_var, table.get("planet").min_billed_area_km2
('PL_API_KEY', 25.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from pixorder.errors import ValidationError

__all__ = ["NAMES", "PROVIDERS", "ProviderInfo", "get"]


@dataclass(frozen=True)
class ProviderInfo:
    """One provider's API as pixorder uses it.

    Units: areas in km², body limits in bytes, lead times in hours; ``rate_limits`` maps a bucket to
    ``(requests, per seconds)`` (a second limit on one bucket is ``"<bucket>/<anything>"``).
    ``None`` means "the provider documents no such limit". Read rows with :func:`get`; the adapters
    copy their limits from their row.

    >>> row = get("planet")
    >>> row.api_root, row.body_limit, row.bulk_order_limit, row.reference_carrier, row.one_geometry_per_order
    ('/tasking/v2', 1000000, 1000, 'name', True)
    >>> row.rate_limits["default/minute"]  # 300 requests per 60 s
    (300, 60.0)
    """

    name: str
    #: how the provider is named to a person ("Planet")
    label: str
    #: the environment variable ``connect(name)`` reads the key from
    env_var: str
    #: scheme and host of the live API
    host: str
    #: the path every call starts with; a ``base_url`` ending in it is accepted
    api_root: str
    #: the smallest area billed per order (or per part / per archive scene where billed apart), km²
    min_billed_area_km2: float
    #: requests per bulk pricing call
    bulk_price_limit: int
    #: orders per bulk create call (0: no bulk create; ``orders.create_many`` places one by one)
    bulk_order_limit: int
    #: largest request body, bytes
    body_limit: int | None
    #: client-side pacing, bucket → (requests, seconds)
    rate_limits: Mapping[str, tuple[int, float]]
    #: where an order carries pixorder's client reference: its ``"name"`` or its ``"tags"``
    reference_carrier: Literal["name", "tags"]
    #: the longest order name the API accepts (the reference fits inside), characters
    name_limit: int | None
    #: how long before its start a tasking window must be ordered, hours
    min_lead_hours: float
    #: True when the API takes one polygon per order (multi-part AOIs are placed part by part)
    one_geometry_per_order: bool
    #: ``"module:Class"`` of the adapter, imported on first use
    adapter: str
    #: keyword options the adapter takes from ``connect(..., **options)``
    adapter_options: tuple[str, ...] = field(default=())
    #: archive requests per bulk pricing call (None: as ``bulk_price_limit``)
    archive_bulk_price_limit: int | None = None
    #: the recurrences a tasking order may have (``"RRULE"``: an iCalendar rule, Planet's Monitoring)
    recurrences: tuple[str, ...] = ("ONCE",)
    #: the most acquisitions one recurring order may have (None: not documented)
    max_recurrence_instances: int | None = None
    #: billed areas are rounded up to a multiple of this, km² (None: billed as measured)
    billed_area_step_km2: float | None = None
    #: how far apart the parts of one multi-part AOI may be, km (None: no such rule)
    max_part_gap_km: float | None = None
    #: the longest tasking window, days: of a one-off order, and of any order (None: no such rule)
    max_once_window_days: float | None = None
    max_window_days: float | None = None
    #: True when the API takes a drawn Point or LineString itself (and makes its own square or strip)
    takes_points_and_lines: bool = False
    #: the request field a picked sensor goes in (``"bandset"`` where the sensors are bandsets)
    sensor_field: str = "sensor"
    #: what a person calls the provider's sensors ("Bandset" at Pixxel)
    sensor_label: str = "Sensor"
    #: True when tasking orders come back with quotations to accept or reject (``client.quotations``)
    quotations: bool = False


PROVIDERS: Mapping[str, ProviderInfo] = MappingProxyType({
    "pixxel": ProviderInfo(
        name="pixxel", label="Pixxel", env_var="PIXXEL_API_KEY",
        host="https://api.pixxel.space", api_root="/v0",
        min_billed_area_km2=100.0,  # per order item, whole km² rounded up; per scene for archive
        bulk_price_limit=50,  # items per dry-run order (the sandbox's limit; Pixxel publishes none)
        bulk_order_limit=0, body_limit=None,
        rate_limits={"default": (10, 1.0)},  # none published; be polite
        reference_carrier="name",
        name_limit=100,  # official OpenAPI: order-item name maxLength 100
        min_lead_hours=24.0, one_geometry_per_order=False,
        adapter="pixorder.providers.pixxel:PixxelAdapter",
        recurrences=("ONCE", "MONTHLY", "BIMONTHLY", "QUARTERLY"),  # official clerk.OrderItemRecurrence
        billed_area_step_km2=1.0,  # Pixxel reports and bills whole km², rounded up
        max_part_gap_km=200.0,  # the parts of one AOI at most 200 km apart [V]
        max_once_window_days=90,  # a one-off window of at most 90 days (the sandbox's rule)
        sensor_field="bandset", sensor_label="Bandset",  # Pixxel's sensors are bandsets (VNIR, SWIR, …)
    ),
    "planet": ProviderInfo(
        name="planet", label="Planet", env_var="PL_API_KEY",
        host="https://api.planet.com", api_root="/tasking/v2",
        min_billed_area_km2=25.0,
        bulk_price_limit=100,  # payloads per POST /pricing/ (the sandbox's; Planet documents only the body)
        bulk_order_limit=1000,  # order payloads per POST /bulk/ [V bulk guide]
        body_limit=1_000_000,  # "POST bodies are limited to 1 MB" [V], read as 10⁶ bytes (the smaller)
        rate_limits={"default": (40, 1.0), "default/minute": (300, 60.0)},  # Tasking API 2.0.0 reference
        reference_carrier="name",
        name_limit=255,  # Planet answers 400 "no more than 255 characters"
        min_lead_hours=24.0, one_geometry_per_order=True,
        adapter="pixorder.providers.planet:PlanetAdapter",
        # Monitoring Tasking: a cadence or an RRULE of at most 365 instances [V]
        recurrences=("ONCE", "MONTHLY", "BIMONTHLY", "QUARTERLY", "RRULE"), max_recurrence_instances=365,
        takes_points_and_lines=True,  # Planet makes its own 5×5 km square of a Point and strip of a line
    ),
    "geopera": ProviderInfo(
        name="geopera", label="Geopera", env_var="GEOPERA_API_KEY",
        host="https://api.geopera.com", api_root="/v1",
        min_billed_area_km2=0.0,  # none documented: minimums are per sensor (``Sensor.min_area_km2``)
        bulk_price_limit=100,  # groups per tasking estimate (the sandbox's limit; Geopera publishes none)
        bulk_order_limit=0, body_limit=None,
        rate_limits={"default": (600, 60.0), "place": (60, 60.0), "spend": (30, 60.0)},  # [V rate-limits]
        reference_carrier="tags",
        name_limit=None,
        min_lead_hours=24.0,  # none documented; 24 h assumed
        one_geometry_per_order=False,
        adapter="pixorder.providers.geopera:GeoperaAdapter",
        adapter_options=("workspace_id", "default_sensor"),
        # orders.archive.estimate answers one group for all the captures it is sent (groups carry capture
        # ids and totals, never the request), so archive requests priced together cannot be told apart.
        archive_bulk_price_limit=1,
        # its tasking params take ONCE, DAILY, WEEKLY or MONTHLY (the sandbox's; Geopera documents none):
        # of pixorder's recurrences, ONCE and MONTHLY
        recurrences=("ONCE", "MONTHLY"),
        max_window_days=180,  # an acquisition window of at most 180 days (the sandbox's rule)
        quotations=True,  # a tasking order is quoted; the quotation is accepted or rejected
    ),
})

#: every provider's name, in the order pixorder shows them
NAMES: tuple[str, ...] = tuple(PROVIDERS)


def get(provider: Any) -> ProviderInfo:
    """The table's row for ``provider`` (case and surrounding spaces ignored).

    Args:
        provider: a provider name, e.g. ``"planet"`` or ``" Pixxel "``.

    Returns:
        ProviderInfo: the provider's row.

    Raises:
        ValidationError: ``provider`` is not a name in :data:`NAMES`.

    >>> get(" Pixxel ").label
    'Pixxel'
    """
    key = provider.strip().lower() if isinstance(provider, str) else None
    info = PROVIDERS.get(key) if key is not None else None
    if info is None:
        raise ValidationError("provider", f"must be one of {', '.join(NAMES)}", provider)
    return info
