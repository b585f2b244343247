"""What a sensor can do, in the field's terms, and the ``Needs`` a comparison filters and ranks by.

Band classes are read from band names (``PAN``, ``B``/``G``/``R``, ``RE``, ``NIR``, ``C`` coastal,
``Y`` yellow, ``SWIR…``, SAR polarisations) or, for hyperspectral bandsets that list wavelengths
(Pixxel), from the wavelength ranges below (nm):

>>> sorted(band_classes(["PAN", "B", "G", "R", "NIR"]))
['BLUE', 'GREEN', 'NIR', 'PAN', 'RED']
>>> sorted(band_classes([{"name": "B001", "wavelength": 960}, {"name": "B002", "wavelength": 1600}]))
['NIR', 'SWIR']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import Field, field_validator

from pixorder import errors as E
from pixorder.models import Sensor, _Request

#: band class → wavelength range in nm (half-open) for sensors that list wavelengths
WAVELENGTHS: dict[str, tuple[float, float]] = {
    "COASTAL": (400, 450), "BLUE": (450, 520), "GREEN": (520, 600), "YELLOW": (585, 625), "RED": (625, 700),
    "RED_EDGE": (700, 750), "NIR": (750, 1000), "SWIR": (1000, 2500.1),
}
_NAMES = {"PAN": "PAN", "P": "PAN", "B": "BLUE", "BLUE": "BLUE", "G": "GREEN", "GREEN": "GREEN", "R": "RED",
          "RED": "RED", "RE": "RED_EDGE", "RED_EDGE": "RED_EDGE", "REDEDGE": "RED_EDGE", "NIR": "NIR",
          "N": "NIR", "C": "COASTAL", "COASTAL": "COASTAL", "Y": "YELLOW", "YELLOW": "YELLOW",
          "DB": "COASTAL", "DEEP_BLUE": "COASTAL"}  # Pléiades Neo's deep blue: 400-450 nm, the coastal band
#: a class's numbered bands (NIR1, NIR-2, RE1, RED_EDGE_2): read as the class
_NUMBERED = re.compile(r"(NIR|RE|RED_?EDGE)[\s_-]?\d+")
BAND_CLASSES = ("PAN", "COASTAL", "BLUE", "GREEN", "YELLOW", "RED", "RED_EDGE", "NIR", "SWIR", "SAR")
#: a sensor with at least this many bands is hyperspectral
HYPERSPECTRAL_MIN_BANDS = 30


def band_classes(bands: Iterable[Any]) -> set[str]:
    """The band classes a list of bands covers (names or ``{name, wavelength}`` dicts).

    Args:
        bands: band names (case-insensitive: ``"NIR"``, ``"RE"``, ``"SWIR2"``, ``"VV"``, …) or
            dicts with a ``name`` and, for hyperspectral bandsets, a ``wavelength`` in nm (which wins
            over the name; see ``WAVELENGTHS``). Names that say no class (``"B12"``) are ignored.

    Returns:
        The classes among ``BAND_CLASSES`` that at least one band falls in.

    >>> sorted(band_classes(["SWIR1", "VV", "re", {"name": "NIR"}, "B12"]))
    ['NIR', 'RED_EDGE', 'SAR', 'SWIR']
    >>> sorted(band_classes(["C", "NIR1", "NIR2", "RE1", "DB"]))   # WorldView-3's, Pléiades Neo's deep blue
    ['COASTAL', 'NIR', 'RED_EDGE']
    """
    found: set[str] = set()
    for band in bands:
        if isinstance(band, Mapping):
            wavelength = band.get("wavelength")
            if isinstance(wavelength, (int, float)):
                found |= {c for c, (low, high) in WAVELENGTHS.items() if low <= wavelength < high}
                continue
            band = band.get("name", "")
        name = str(band).strip().upper()
        numbered = _NUMBERED.fullmatch(name)  # WorldView-3's NIR1/NIR2, RE1, …: a class's numbered bands
        if numbered:
            name = numbered.group(1)
        if name.startswith("SWIR"):
            found.add("SWIR")
        elif name.startswith(("X-BAND", "C-BAND", "L-BAND")) or name in ("VV", "HH", "HV", "VH"):
            found.add("SAR")
        elif name in _NAMES:
            found.add(_NAMES[name])
    return found


def capabilities(sensor: Sensor) -> dict[str, Any]:
    """What a sensor offers, in the terms :class:`Needs` filters by (and ``compare`` adds as columns).

    Band classes come from the wavelengths in ``sensor.raw["bands"]`` when the provider lists them,
    else from ``sensor.bands``' names.

    Args:
        sensor: the sensor.

    Returns:
        ``{"resolution_m": metres or None, "n_bands": int, "bands": "PAN,BLUE,…" (classes in
        ``BAND_CLASSES`` order, comma-joined), "hyperspectral": bool (at least 30 bands),
        "product_type": "sar" | "hyperspectral" | "optical" | "multispectral", "sensor_name": str}``.

    >>> from pixorder.models import Sensor
    >>> capabilities(Sensor(provider="planet", id="Flexible Tasking", resolution_m=0.5,
    ...                     bands=["PAN", "B", "G", "R", "NIR"], image_type="optical"))
    {'resolution_m': 0.5, 'n_bands': 5, 'bands': 'PAN,BLUE,GREEN,RED,NIR', 'hyperspectral': False,
     'product_type': 'optical', 'sensor_name': 'Flexible Tasking'}
    """
    raw_bands = sensor.raw.get("bands") if isinstance(sensor.raw.get("bands"), list) else sensor.bands
    classes = band_classes(raw_bands or sensor.bands)
    n_bands = len(sensor.bands)
    hyper = n_bands >= HYPERSPECTRAL_MIN_BANDS
    kind = (sensor.image_type or "").lower()
    product_type = "sar" if kind == "sar" or "SAR" in classes else ("hyperspectral" if hyper else
                                                                      (kind if kind == "optical" else "multispectral"))
    return {"resolution_m": sensor.resolution_m, "n_bands": n_bands,
            "bands": ",".join(c for c in BAND_CLASSES if c in classes), "hyperspectral": hyper,
            "product_type": product_type, "sensor_name": sensor.name or sensor.id}


class Needs(_Request):
    """What the imagery must offer; ``compare(..., needs=...)`` keeps the sensors that qualify.

    * ``max_gsd_m``: the coarsest ground sample distance accepted, metres (e.g. 1.0);
    * ``bands``: band classes every qualifying sensor covers (``"NIR"``, ``"SWIR"``, ``"RED_EDGE"``, …);
    * ``hyperspectral``: True keeps only hyperspectral sensors, False excludes them, None either;
    * ``sar``: True keeps only radar, False excludes it, None either.

    >>> Needs(max_gsd_m=1, bands=["nir"]).qualifies({"resolution_m": 0.5, "bands": "RED,NIR",
    ...     "hyperspectral": False, "product_type": "optical"})
    True
    >>> Needs(bands=["thermal"])
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: bands: must be band classes among PAN, COASTAL, BLUE, GREEN, YELLOW, RED, RED_EDGE, NIR, SWIR, SAR (got ['thermal'])
    """

    max_gsd_m: float | None = Field(None, gt=0, description="coarsest ground sample distance accepted, m")
    bands: list[str] = Field(default_factory=list, description="band classes required")
    hyperspectral: bool | None = None
    sar: bool | None = None

    @field_validator("bands", mode="before")
    @classmethod
    def _bands(cls, value: Any) -> list[str]:
        values = [value] if isinstance(value, str) else list(value or [])
        upper = [str(v).strip().upper().replace("-", "_").replace(" ", "_") for v in values]
        if any(u not in BAND_CLASSES for u in upper):
            raise E.ValidationError("bands", f"must be band classes among {', '.join(BAND_CLASSES)}", values)
        return upper

    def qualifies(self, caps: Mapping[str, Any]) -> bool:
        """Whether a sensor with these capabilities (see :func:`capabilities`) meets the needs."""
        gsd = caps.get("resolution_m")
        if self.max_gsd_m is not None and (gsd is None or gsd > self.max_gsd_m):
            return False
        have = set(str(caps.get("bands") or "").split(","))
        if not set(self.bands) <= have:
            return False
        if self.hyperspectral is not None and bool(caps.get("hyperspectral")) != self.hyperspectral:
            return False
        return self.sar is None or (caps.get("product_type") == "sar") == self.sar

    def describe(self) -> str:
        """The needs in a few words, as the pricing desk and compare's messages show them.

        Returns:
            E.g. ``"GSD ≤ 1 m, bands NIR, not hyperspectral"``; ``"any sensor"`` without needs.

        >>> Needs(max_gsd_m=1, bands=["nir"], hyperspectral=False).describe(), Needs().describe()
        ('GSD ≤ 1 m, bands NIR, not hyperspectral', 'any sensor')
        """
        parts = []
        if self.max_gsd_m is not None:
            parts.append(f"GSD ≤ {self.max_gsd_m:g} m")
        if self.bands:
            parts.append("bands " + "+".join(self.bands))
        if self.hyperspectral is not None:
            parts.append("hyperspectral" if self.hyperspectral else "not hyperspectral")
        if self.sar is not None:
            parts.append("radar" if self.sar else "not radar")
        return ", ".join(parts) or "any sensor"


def as_needs(value: Needs | Mapping[str, Any] | None) -> Needs | None:
    """``needs=`` as given (a ``Needs``, a dict of its fields, or None).

    Args:
        value: a ``Needs`` (returned as is), a dict of its fields, or None.

    Returns:
        The ``Needs``, or None for None.

    Raises:
        pixorder.ValidationError: ``value`` is of another type, or the dict holds a bad field.

    >>> as_needs({"max_gsd_m": 1, "bands": "NIR"})
    Needs(max_gsd_m=1.0, bands=['NIR'], hyperspectral=None, sar=None)
    >>> as_needs(1)
    Traceback (most recent call last):
    ...
    pixorder.errors.ValidationError: needs: must be a dict like {'max_gsd_m': 1, 'bands': ['NIR']} or a Needs (got 1)
    """
    if value is None or isinstance(value, Needs):
        return value
    if isinstance(value, Mapping):
        return Needs(**value)
    raise E.ValidationError("needs", "must be a dict like {'max_gsd_m': 1, 'bands': ['NIR']} or a Needs", value)


def choose(sensors: Sequence[Sensor], wanted: Any, needs: Needs | None) -> list[Sensor]:
    """The sensors to price: those ``wanted``, then only those that meet ``needs``.

    Args:
        sensors: a provider's sensors.
        wanted: ``"all"`` or None (every sensor), a sensor id or name, or a list of them; ids a
            provider does not have are skipped.
        needs: keeps only the sensors whose :func:`capabilities` qualify; None keeps all.

    Returns:
        The chosen sensors, in the order of ``sensors`` (or of ``wanted`` for a list).

    >>> from pixorder.models import Sensor
    >>> sensors = [Sensor(provider="geopera", id="pneo-30cm", resolution_m=0.3),
    ...            Sensor(provider="geopera", id="spot-1.5m", resolution_m=1.5)]
    >>> [s.id for s in choose(sensors, "all", Needs(max_gsd_m=1))]
    ['pneo-30cm']
    >>> [s.id for s in choose(sensors, ["spot-1.5m", "not-offered"], None)]
    ['spot-1.5m']
    """
    if wanted in (None, "all"):
        chosen = list(sensors)
    else:
        ids = [wanted] if isinstance(wanted, str) else list(wanted)
        by_id = {s.id: s for s in sensors}
        by_id.update({(s.name or ""): s for s in sensors if s.name})
        chosen = [by_id[i] for i in ids if i in by_id]
    if needs is not None:
        chosen = [s for s in chosen if needs.qualifies(capabilities(s))]
    return chosen
