"""Deterministic prices for every emulated provider: the same request always gets the same price.

Common rules (issue #3): a rate per km² per sensor/product, a minimum billable area, percentage
uplifts (expedited delivery +20 %, tight cloud cover ≤10 % +15 %, tight off-nadir ≤10° or high
elevation angle ≥75° +10 %) and recurrence × occurrences. Every function here is pure: inputs in,
numbers out, no clock and no randomness.

Sections:

* Planet Tasking v2: quota units (``SQKM``); ``pricing_model.base_price`` is the billable area and the
  ``multipliers`` list says how the estimate was built (Planet's documented response shape).
* Pixxel v0: amounts and tokens with ``base_amount``/``final_amount``/``uplifts``. The numbers below
  are sandbox choices (Pixxel publishes none); the Pixxel module may tune them.
* Geopera v1: AUD and credits per tasking sensor. Sandbox choices too; the Geopera module may tune them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

EXPEDITED_UPLIFT = 0.20
TIGHT_CLOUD_UPLIFT = 0.15
TIGHT_CLOUD_MAX_PERCENT = 10
TIGHT_ANGLE_UPLIFT = 0.10
TIGHT_OFF_NADIR_MAX_DEG = 10
HIGH_ELEVATION_MIN_DEG = 75


def billable_area(area_km2: float, minimum_km2: float) -> float:
    """Areas below the provider's minimum are billed as the minimum."""
    return max(float(area_km2), minimum_km2)


@dataclass(frozen=True)
class Multiplier:
    name: str
    value: float
    description: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "description": self.description}


# ---------------------------------------------------------------------------------------------
# Planet Tasking v2
# ---------------------------------------------------------------------------------------------

PLANET_UNITS = "SQKM"
PLANET_MIN_BILLABLE_SQKM = 25.0
PLANET_DEFAULT_PL_NUMBER = "PL-SANDBOX01"
PLANET_DEFAULT_PRODUCT = "Flexible Tasking"

# order_type → imaging_mode multiplier. "single-image" at 1.0 is what Planet's examples show.
PLANET_IMAGING_MODES: dict[str, tuple[str, float]] = {
    "IMAGE": ("single-image", 1.0),
    "STEREO": ("stereo", 2.0),
    "VIDEO": ("video", 3.0),
}
# scheduling_type → tasking_tier multiplier; "normal" tiers are not listed in the response,
# matching the documented single-image examples that show only imaging_mode.
PLANET_TASKING_TIERS: dict[str, tuple[str, float]] = {
    "FLEXIBLE": ("normal", 1.0),
    "MONITORING": ("normal", 1.0),
    "ARCHIVE": ("normal", 1.0),
    "LOCK_IN": ("lock-in", 1.1),
    "EXPRESS": ("expedited", 1.0 + EXPEDITED_UPLIFT),
    "ASSURED": ("assured", 1.5),
}
# Products the sandbox contract allows, and the tier each implies. "one_time_tasking" appears in
# Planet's order-creation example; "Assured Tasking" in its pricing and imaging-window examples.
PLANET_PRODUCTS: dict[str, str] = {
    "Flexible Tasking": "FLEXIBLE",
    "one_time_tasking": "FLEXIBLE",
    "Monitoring Tasking": "MONITORING",
    "Express Tasking": "EXPRESS",
    "Assured Tasking": "ASSURED",
}


def planet_tier(scheduling_type: str, product: str) -> str:
    """The tasking tier: the scheduling type, unless a plain one is overridden by the product."""
    product_tier = PLANET_PRODUCTS.get(product, "FLEXIBLE")
    return product_tier if scheduling_type in ("FLEXIBLE", "") else scheduling_type


def planet_multipliers(
    *,
    order_type: str = "IMAGE",
    tier: str = "FLEXIBLE",
    sat_elevation_angle_min: float = 60.0,
    cloud_threshold: float | None = None,
    occurrences: int = 1,
) -> list[Multiplier]:
    mode, mode_value = PLANET_IMAGING_MODES.get(order_type, PLANET_IMAGING_MODES["IMAGE"])
    multipliers = [Multiplier("imaging_mode", mode_value, mode)]
    tier_name, tier_value = PLANET_TASKING_TIERS.get(tier, PLANET_TASKING_TIERS["FLEXIBLE"])
    if tier_value != 1.0:
        multipliers.append(Multiplier("tasking_tier", tier_value, tier_name))
    if sat_elevation_angle_min >= HIGH_ELEVATION_MIN_DEG:
        multipliers.append(
            Multiplier("elevation_angle", 1.0 + TIGHT_ANGLE_UPLIFT, f"high elevation (min >= {HIGH_ELEVATION_MIN_DEG})")
        )
    if cloud_threshold is not None and cloud_threshold <= TIGHT_CLOUD_MAX_PERCENT:
        multipliers.append(
            Multiplier("cloud_threshold", 1.0 + TIGHT_CLOUD_UPLIFT, f"tight cloud cover (<= {TIGHT_CLOUD_MAX_PERCENT}%)")
        )
    if occurrences > 1:
        multipliers.append(Multiplier("occurrences", float(occurrences), "monitoring rrule occurrences"))
    return multipliers


def planet_pricing(area_sqkm: float, multipliers: list[Multiplier]) -> dict[str, Any]:
    """Planet's pricing body (without ``order_id``): estimate = max(area, 25) × Π multipliers."""
    base_price = round(billable_area(area_sqkm, PLANET_MIN_BILLABLE_SQKM), 3)
    estimate = base_price
    for multiplier in multipliers:
        estimate *= multiplier.value
    return {
        "units": PLANET_UNITS,
        "estimated_quota_cost": round(estimate, 3),
        "determined_by": "pricing_model",
        "pricing_model": {"base_price": base_price, "multipliers": [m.as_json() for m in multipliers]},
    }


# ---------------------------------------------------------------------------------------------
# Pixxel v0 (amounts in USD-equivalent and tokens; sandbox numbers)
# ---------------------------------------------------------------------------------------------

PIXXEL_MIN_BILLABLE_KM2 = 100.0
PIXXEL_RATE_PER_KM2: dict[str, float] = {"VNIR": 10.0, "SWIR": 14.0, "VSWIR": 18.0}  # by image type
PIXXEL_ARCHIVE_DISCOUNT = 0.5  # archive imagery costs half of tasking
PIXXEL_TOKENS_PER_AMOUNT = 0.1  # tokens_used = final_amount / 10


def pixxel_quote(
    area_km2: float,
    bandset: str = "VNIR",
    *,
    delivery_speed: str = "STANDARD",
    cloud_cover: int | None = None,
    off_nadir: int | None = None,
    occurrences: int = 1,
    archive: bool = False,
) -> dict[str, Any]:
    """``{area, base_amount, uplifts[{title,subtitle,percentage,amount}], final_amount, tokens_used}``."""
    area = math.ceil(billable_area(area_km2, PIXXEL_MIN_BILLABLE_KM2))  # Pixxel reports integer km²
    rate = PIXXEL_RATE_PER_KM2.get(bandset.upper(), PIXXEL_RATE_PER_KM2["VNIR"])
    if archive:
        rate *= PIXXEL_ARCHIVE_DISCOUNT
    base = round(area * rate * max(occurrences, 1), 2)
    uplifts: list[dict[str, Any]] = []
    for applies, title, subtitle, percentage in (
        (delivery_speed.upper() == "EXPEDITED", "Delivery speed", "EXPEDITED", EXPEDITED_UPLIFT),
        (cloud_cover is not None and cloud_cover <= TIGHT_CLOUD_MAX_PERCENT, "Cloud cover", f"<= {TIGHT_CLOUD_MAX_PERCENT}%", TIGHT_CLOUD_UPLIFT),
        (off_nadir is not None and off_nadir <= TIGHT_OFF_NADIR_MAX_DEG, "Off nadir", f"<= {TIGHT_OFF_NADIR_MAX_DEG} deg", TIGHT_ANGLE_UPLIFT),
    ):
        if applies and not archive:
            uplifts.append({"title": title, "subtitle": subtitle, "percentage": round(percentage * 100), "amount": round(base * percentage, 2)})
    final = round(base + sum(u["amount"] for u in uplifts), 2)
    return {
        "area": area,
        "base_amount": base,
        "uplifts": uplifts,
        "final_amount": final,
        "tokens_used": round(final * PIXXEL_TOKENS_PER_AMOUNT, 2),
    }


def pixxel_archive_rate(image_type: str = "VNIR") -> float:
    """Price per km² of an archive scene (what ``POST /v0/archives/search`` shows per scene)."""
    return PIXXEL_RATE_PER_KM2.get(image_type.upper(), PIXXEL_RATE_PER_KM2["VNIR"]) * PIXXEL_ARCHIVE_DISCOUNT


def pixxel_archive_quote(area_km2: float, image_type: str = "VNIR", *, delivery_speed: str = "STANDARD") -> dict[str, Any]:
    """One archive scene: max(area, 100 km²) × archive rate; EXPEDITED +20 % (per scene, like Pixxel's
    per-item archive uplifts). Same keys as :func:`pixxel_quote`."""
    area = math.ceil(billable_area(area_km2, PIXXEL_MIN_BILLABLE_KM2))
    base = round(area * pixxel_archive_rate(image_type), 2)
    uplifts: list[dict[str, Any]] = []
    if delivery_speed.upper() == "EXPEDITED":
        uplifts.append({"title": "Delivery speed", "subtitle": "EXPEDITED", "percentage": round(EXPEDITED_UPLIFT * 100),
                        "amount": round(base * EXPEDITED_UPLIFT, 2)})
    final = round(base + sum(u["amount"] for u in uplifts), 2)
    return {"area": area, "base_amount": base, "uplifts": uplifts, "final_amount": final,
            "tokens_used": round(final * PIXXEL_TOKENS_PER_AMOUNT, 2)}


# ---------------------------------------------------------------------------------------------
# Geopera v1 (AUD and credits; sandbox numbers). The Geopera module owns the sensor catalogue and
# may replace this table; keep prices here so every provider's numbers live in one place.
# ---------------------------------------------------------------------------------------------

GEOPERA_CREDITS_PER_AUD = 10.0  # Geopera sells prepaid credits; 10 credits buy 1 AUD of imagery
GEOPERA_SENSOR_RATES_AUD: dict[str, dict[str, float]] = {
    # sensor id → {aud_per_km2, min_km2}; the catalogue metadata lives in sandbox/geopera_catalog.py.
    "pneo-30cm": {"aud_per_km2": 28.0, "min_km2": 25.0},
    "wv3-31cm": {"aud_per_km2": 32.0, "min_km2": 25.0},
    "wvlegion-34cm": {"aud_per_km2": 26.0, "min_km2": 25.0},
    "skysat-50cm": {"aud_per_km2": 14.0, "min_km2": 25.0},
    "satellogic-70cm": {"aud_per_km2": 8.0, "min_km2": 25.0},
    "spot-1.5m": {"aud_per_km2": 6.0, "min_km2": 100.0},
    "iceye-sar-1m": {"aud_per_km2": 20.0, "min_km2": 25.0},
    "capella-sar-50cm": {"aud_per_km2": 24.0, "min_km2": 25.0},
    # Generic ids from the first price book, still priced (not listed in the sensor catalogue).
    "sandbox-optical-50cm": {"aud_per_km2": 22.0, "min_km2": 25.0},
    "sandbox-optical-30cm": {"aud_per_km2": 35.0, "min_km2": 25.0},
    "sandbox-sar-1m": {"aud_per_km2": 18.0, "min_km2": 100.0},
}
# Archive imagery: one rate per captured km², each capture billed at least the minimum area.
GEOPERA_ARCHIVE_AUD_PER_KM2 = 12.0
GEOPERA_ARCHIVE_MIN_KM2 = 25.0


def geopera_quote(
    sensor_id: str,
    area_km2: float,
    *,
    priority: str = "STANDARD",
    max_cloud: float | None = None,
    max_off_nadir: float | None = None,
    occurrences: int = 1,
) -> dict[str, Any]:
    """``{sensor, area_km2, billable_km2, base_aud, aud, credits, uplifts[{name, percentage, aud}]}``; KeyError
    if unknown. Uplift percentages apply to the base (billable area × rate × occurrences) and add up."""
    rates = GEOPERA_SENSOR_RATES_AUD[sensor_id]
    billable = billable_area(area_km2, rates["min_km2"])
    base = billable * rates["aud_per_km2"] * max(occurrences, 1)
    uplifts: list[dict[str, Any]] = []
    for applies, name, percentage in (
        (priority.upper() in ("EXPEDITED", "PRIORITY", "HIGH"), "expedited", EXPEDITED_UPLIFT),
        (max_cloud is not None and max_cloud <= TIGHT_CLOUD_MAX_PERCENT, "tight_cloud", TIGHT_CLOUD_UPLIFT),
        (max_off_nadir is not None and max_off_nadir <= TIGHT_OFF_NADIR_MAX_DEG, "tight_off_nadir", TIGHT_ANGLE_UPLIFT),
    ):
        if applies:
            uplifts.append({"name": name, "percentage": round(percentage * 100), "aud": round(base * percentage, 2)})
    aud = round(base + sum(u["aud"] for u in uplifts), 2)
    return {
        "sensor": sensor_id,
        "area_km2": round(area_km2, 3),
        "billable_km2": round(billable, 3),
        "base_aud": round(base, 2),
        "aud": aud,
        "credits": math.ceil(round(aud * GEOPERA_CREDITS_PER_AUD, 6)),
        "uplifts": uplifts,
    }


def geopera_archive_quote(area_km2: float) -> dict[str, Any]:
    """One archive capture: ``{area_km2, billable_km2, aud, credits}`` with the per-capture minimum."""
    billable = billable_area(area_km2, GEOPERA_ARCHIVE_MIN_KM2)
    aud = round(billable * GEOPERA_ARCHIVE_AUD_PER_KM2, 2)
    return {"area_km2": round(area_km2, 3), "billable_km2": round(billable, 3), "aud": aud,
            "credits": math.ceil(round(aud * GEOPERA_CREDITS_PER_AUD, 6))}
