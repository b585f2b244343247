"""The documented payloads the tests read, one copy each (see ``doc_payload``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent


def doc_path(name: str) -> Path:
    """Where the documented payload ``<provider>-<operation>.<request|response>.json`` is kept.

    One copy of each: ``tests/data/<provider>/`` (Planet's without the ``planet-`` prefix), or
    ``tests/data/docs/`` for payloads kept only verbatim (e.g. Planet's example with its typo).
    """
    provider, _, rest = name.partition("-")
    for candidate in (DATA / provider / name, DATA / provider / rest, DATA / "docs" / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(name)


def doc_payload(name: str) -> Any:
    return json.loads(doc_path(name).read_text())
