"""Shared pieces of the reliability runs: figures that always show, requests, sandboxes, subprocesses.

Every test prints its figures through :func:`figures` (a fixture): they go to the terminal even under
``pytest -q`` (``capsys.disabled()``) and are appended to ``tests/output/reliability-figures.txt``
(gitignored), which the session truncates once at its first use.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import pixorder

ROOT = Path(__file__).resolve().parents[2]
FIGURES_FILE = ROOT / "tests" / "output" / "reliability-figures.txt"
PROVIDERS = ("pixxel", "planet", "geopera")
START = "2027-03-01T00:00:00Z"
END = "2027-03-21T00:00:00Z"
# Geopera wants a sensor id; the others pick their default when the sensor is None.
SENSOR = {"pixxel": None, "planet": None, "geopera": "pneo-30cm"}


def field(i: int = 0) -> dict[str, Any]:
    """A ≈19 km² field, shifted a little per ``i`` so orders differ."""
    lon, lat = 10.0 + (i % 97) * 0.1, 45.0 + (i % 31) * 0.1
    ring = [[lon, lat], [lon + 0.06, lat], [lon + 0.06, lat + 0.04], [lon, lat + 0.04], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def tasking(provider: str, i: int = 0, **kwargs: Any) -> pixorder.TaskingRequest:
    kwargs.setdefault("sensor", SENSOR[provider])
    return pixorder.TaskingRequest(aoi=field(i), start=START, end=END, **kwargs)


_truncated = False


@pytest.fixture
def figures(capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest) -> Callable[..., None]:
    """``figures(line, ...)``: print lines to the terminal (even with -q) and to the figures file."""
    global _truncated
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    if not _truncated:
        FIGURES_FILE.write_text(f"# pixorder reliability figures, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n")
        _truncated = True
    header = [f"\n== {request.node.name}"]

    def emit(*lines: str) -> None:
        text = "\n".join([*header, *lines])
        header.clear()
        with FIGURES_FILE.open("a") as out:
            out.write(text + "\n")
        with capsys.disabled():
            print(text, flush=True)

    return emit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedSandbox:
    """``python -m pixorder.sandbox serve`` as a real subprocess (own process, own core, own log)."""

    def __init__(self, db: Path | None, log: Path, port: int | None = None):
        self.db, self.log_path = db, log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> ServedSandbox:
        args = [sys.executable, "-m", "pixorder.sandbox", "serve", "--port", str(self.port)]
        if self.db is not None:
            args += ["--db", str(self.db)]
        log = self.log_path.open("ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sandbox exited with {self.proc.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/_sandbox/health", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the sandbox subprocess did not become healthy")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, exactly like a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., ServedSandbox]]:
    """Factory of subprocess sandboxes; every one started is stopped at teardown."""
    made: list[ServedSandbox] = []

    def make(db: Path | None = None, log: Path | None = None, port: int | None = None) -> ServedSandbox:
        box = ServedSandbox(db, log or tmp_path / f"sandbox-{len(made)}.log", port)
        made.append(box)
        return box.start()

    yield make
    for box in made:
        box.stop()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]
