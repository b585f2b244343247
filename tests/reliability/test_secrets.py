"""Secrets: a canary key never shows anywhere a user, a log or a saved notebook could keep it.

Each provider gets a valid key that carries a canary (the sandbox's ``<key>.<org>`` form, e.g.
``sandbox-planet-key.canary9f8e7d``), and one wrong key ``canary-SECRET-9f8e7d`` checks that an auth
failure does not echo what was sent. One sweep, all three providers, against a sandbox running as a
subprocess (so its own log is a file), collects text from:

* ``repr``/``str`` of clients, transports, facades, listings, results, models, frames, the sandbox
  handle; ``_repr_html_`` of models, results and frames;
* exceptions (``str``, ``repr``, ``args``, ``body``, the formatted traceback with its chain): a 404,
  an ``AmbiguousSpend`` (every request dropped), the wrong key's ``AuthError``;
* every log record at DEBUG of ``pixorder``, ``httpx`` and ``httpcore`` (message and exception);
* the sandbox subprocess's log (uvicorn access and error log);
* a notebook executed with nbclient (keys from the environment, as a user would), saved as .ipynb;
* ``get_state()`` of every live widget after building pixorder's widgets on canary clients.

No canary key, its Basic-auth base64 form, or the wrong key's secret part may appear in any of it.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
import textwrap
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pixorder
from pixorder import errors as E
from pixorder.sandbox import Sandbox
from pixorder.sandbox.keys import SANDBOX_KEYS
from tests.reliability.conftest import PROVIDERS, tasking

pytestmark = pytest.mark.reliability

ORG = "canary9f8e7d"
WRONG = "canary-SECRET-9f8e7d"
CANARY = {p: f"{SANDBOX_KEYS[p]}.{ORG}" for p in PROVIDERS}
ENV = {"pixxel": "PIXXEL_API_KEY", "planet": "PL_API_KEY", "geopera": "GEOPERA_API_KEY"}


def _needles() -> dict[str, str]:
    needles = {f"{p} canary key": key for p, key in CANARY.items()}
    needles |= {f"{p} canary key (base64)": base64.b64encode(key.encode()).decode() for p, key in CANARY.items()}
    needles |= {f"{p} canary key (basic auth)": base64.b64encode(f"{key}:".encode()).decode()
                for p, key in CANARY.items()}
    needles["wrong key"] = WRONG
    needles["wrong key's secret part"] = "SECRET-9f8e7d"
    return needles


class Sweep:
    """Text gathered from every place a key could leak, by where it came from."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, value: Any) -> None:
        self.texts.append((where, value if isinstance(value, str) else repr(value)))

    def obj(self, where: str, value: Any) -> None:
        self.add(f"{where} repr", repr(value))
        self.add(f"{where} str", str(value))
        html = getattr(value, "_repr_html_", None)
        if callable(html):
            self.add(f"{where} html", html() or "")

    def exc(self, where: str, exc: BaseException) -> None:
        self.obj(where, exc)
        self.add(f"{where} args", repr(exc.args))
        self.add(f"{where} body", repr(getattr(exc, "body", None)))
        self.add(f"{where} vars", repr({k: v for k, v in vars(exc).items()}))
        self.add(f"{where} traceback", "".join(traceback.format_exception(exc)))

    def leaks(self) -> list[str]:
        found = []
        for where, text in self.texts:
            for name, needle in _needles().items():
                if needle in text:
                    at = text.index(needle)
                    found.append(f"{name} in {where}: …{text[max(0, at - 60):at + len(needle) + 20]!r}…")
        return found


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _expect(exc_type: type[BaseException], call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except exc_type as exc:
        return exc
    raise AssertionError(f"expected {exc_type.__name__}")


def _client_sweep(sweep: Sweep, url: str, provider: str) -> int:
    client = pixorder.connect("sandbox", api=provider, base_url=url, api_key=CANARY[provider], retries=2,
                              backoff=0.01, reconcile_delay=0.0, reconcile_patience=0.3, progress=False)
    handle = Sandbox.attach(url)
    try:
        for name, value in (("client", client), ("transport", client.transport), ("orders facade", client.orders),
                            ("pricing facade", client.pricing), ("adapter", client.aio.adapter),
                            ("async client", client.aio), ("client vars", vars(client.aio)),
                            ("transport vars", {k: v for k, v in vars(client.transport).items() if k != "_api_key"}),
                            ("sandbox handle", handle)):
            sweep.obj(f"{provider} {name}", value)
        sensors = client.sensors()
        sweep.obj(f"{provider} sensors", sensors)
        sweep.obj(f"{provider} sensors frame", sensors.to_geodataframe())
        quote = client.pricing.estimate(tasking(provider, 1))
        sweep.obj(f"{provider} quote", quote)
        quotes = client.pricing.estimate([tasking(provider, i) for i in range(3)])
        sweep.obj(f"{provider} quotes", quotes)
        sweep.obj(f"{provider} quotes frame", quotes.to_geodataframe())
        sweep.obj(f"{provider} dry run", client.orders.create(tasking(provider, 2), dry_run=True))
        order = client.orders.create(tasking(provider, 3, name="canary order"))
        sweep.obj(f"{provider} order", order)
        sweep.obj(f"{provider} order get", client.orders.get(order.id))
        listing = client.orders.list()
        sweep.obj(f"{provider} listing", listing)
        sweep.obj(f"{provider} orders", listing.collect())
        sweep.obj(f"{provider} orders frame", client.orders.list().to_geodataframe())
        sweep.exc(f"{provider} not found", _expect(E.ApiError, lambda: client.orders.get("no-such-order-0000")))
        handle.faults(rate=1.0, drop_after=True, provider=provider)
        try:
            ambiguous = _expect(E.AmbiguousSpend, lambda: client.orders.create(tasking(provider, 4)))
        finally:
            handle.faults(rate=0)
        sweep.exc(f"{provider} ambiguous spend", ambiguous)
        sweep.obj(f"{provider} reconciled", client.orders.reconcile(ambiguous.reference))  # type: ignore[attr-defined]
        sweep.obj(f"{provider} stats", client.transport.stats)
    finally:
        client.close()
    wrong = pixorder.connect("sandbox", api=provider, base_url=url, api_key=WRONG, retries=1, progress=False)
    try:
        sweep.obj(f"{provider} wrong-key client", wrong)
        auth = _expect(E.AuthError, lambda: wrong.pricing.estimate(tasking(provider, 5)) if provider == "planet"
                       else wrong.sensors())
        sweep.exc(f"{provider} wrong-key AuthError", auth)
    finally:
        wrong.close()
    return len(sweep.texts)


NOTEBOOK_CELLS = [
    "import os, pixorder\nURL = os.environ['PIXORDER_CANARY_URL']",
    textwrap.dedent("""\
        clients = {p: pixorder.connect("sandbox", api=p, base_url=URL, api_key=os.environ[v], progress=False)
                   for p, v in {"pixxel": "PIXXEL_API_KEY", "planet": "PL_API_KEY",
                                "geopera": "GEOPERA_API_KEY"}.items()}
        clients"""),
    textwrap.dedent("""\
        sensors = {"pixxel": None, "planet": None, "geopera": "pneo-30cm"}
        field = {"type": "Polygon", "coordinates": [[[10, 50], [10.06, 50], [10.06, 50.04], [10, 50.04], [10, 50]]]}
        req = {p: pixorder.TaskingRequest(aoi=field, start="2027-03-01", end="2027-03-21", sensor=s)
               for p, s in sensors.items()}
        quotes = {p: c.pricing.estimate(req[p]) for p, c in clients.items()}
        quotes["planet"]"""),
    "orders = {p: c.orders.create(req[p]) for p, c in clients.items()}\norders['geopera']",
    "clients['pixxel'].orders.list().to_geodataframe()",
    "clients['planet'].transport",
    "pixorder.connect('sandbox', api='planet', base_url=URL, api_key='canary-SECRET-9f8e7d').pricing.estimate(req['planet'])",
    "pixorder.connect('sandbox', api='geopera', base_url=URL, api_key=os.environ['WRONG_KEY']).sensors()",
    "clients['geopera'].orders.get('no-such-order')",
]


def _run_notebook(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    import nbformat
    from nbclient import NotebookClient

    for provider, var in ENV.items():
        monkeypatch.setenv(var, CANARY[provider])
    monkeypatch.setenv("PIXORDER_CANARY_URL", url)
    monkeypatch.setenv("WRONG_KEY", WRONG)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS])
    nb.cells[6].source = nb.cells[6].source.replace("'canary-SECRET-9f8e7d'", "os.environ['WRONG_KEY']")
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(Path(__file__).resolve().parents[2])}}).execute()
    path = tmp_path / "canary.ipynb"
    nbformat.write(nb, path)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    names = sorted(o["ename"] for o in errors)
    assert names == ["AuthError", "AuthError", "NotFound"], (names, [o.get("evalue") for o in errors])
    ok = [c for c in nb.cells[:6] if not any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(ok) == 6, "the notebook's ordinary cells must run"
    return path.read_text(), len(nb.cells)


def _widget_states(url: str) -> tuple[list[tuple[str, str]], str]:
    if importlib.util.find_spec("pixorder.widgets") is None or importlib.util.find_spec("ipywidgets") is None:
        return [], "SKIPPED: pixorder.widgets or ipywidgets is not importable"
    from ipywidgets.widgets.widget import _instances

    from pixorder.widgets import OrderBrowser, OrderForm, QuotationInbox, SensorPicker

    clients = {p: pixorder.connect("sandbox", api=p, base_url=url, api_key=CANARY[p], progress=False, backoff=0.01)
               for p in PROVIDERS}
    built = []
    try:
        picker = SensorPicker(clients)
        picker.wait(30)
        built.append(picker)
        for provider in PROVIDERS:
            form = OrderForm(clients, provider=provider, name="canary widget")
            form.sensor_picker.wait(30)
            built.append(form)
        browser = OrderBrowser(clients)
        browser.wait(30)
        inbox = QuotationInbox(clients["geopera"])
        inbox.wait(30)
        built += [browser, inbox]
        states = [(type(w).__name__, json.dumps(w.get_state(), default=repr)) for w in list(_instances.values())]
    finally:
        for client in clients.values():
            client.close()
    return states, f"{len(built)} pixorder widgets built, {len(states)} live widgets' get_state() swept"


def test_no_canary_key_anywhere(tmp_path, served, monkeypatch, figures):
    capture = Capture()
    loggers = [logging.getLogger(name) for name in ("pixorder", "httpx", "httpcore")]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.addHandler(capture)
    box = served(log=tmp_path / "sandbox.log")
    sweep = Sweep()
    try:
        for provider in PROVIDERS:
            _client_sweep(sweep, box.url, provider)
        notebook, cells = _run_notebook(tmp_path, box.url, monkeypatch)
        sweep.add("executed notebook (.ipynb JSON)", notebook)
        states, widget_note = _widget_states(box.url)
        for name, state in states:
            sweep.add(f"widget {name} get_state()", state)
    finally:
        for lg, level in saved:
            lg.removeHandler(capture)
            lg.setLevel(level)
    box.stop()
    sandbox_log = box.log_path.read_text()
    for line in capture.lines:
        sweep.add("DEBUG log", line)
    sweep.add("sandbox subprocess log", sandbox_log)

    leaks = sweep.leaks()
    figures(f"canary keys (<sandbox key>.{ORG} for {', '.join(PROVIDERS)}) and a wrong key: {len(sweep.texts)} "
            f"texts swept ({sum(len(t) for _, t in sweep.texts):,} chars)",
            f"  DEBUG log records {len(capture.lines)} (pixorder {sum(x.startswith('pixorder') for x in capture.lines)}"
            f", httpx {sum(x.startswith('httpx') for x in capture.lines)}, httpcore "
            f"{sum(x.startswith('httpcore') for x in capture.lines)}); sandbox log {len(sandbox_log.splitlines())} "
            f"lines; notebook {cells} cells ({len(notebook):,} chars) incl. 2 AuthError + 1 NotFound tracebacks",
            f"  widgets: {widget_note}", f"  leaks found: {len(leaks)}", *leaks)
    # The sweep is only worth something if it saw real traffic and real failures.
    assert sum("httpx" in line for line in capture.lines) > 50
    assert "GET /v0/bandsets" in sandbox_log or "/v0/bandsets" in sandbox_log, "the sandbox's access log is empty"
    assert any(w.startswith("pixxel wrong-key AuthError") for w, _ in sweep.texts)
    assert not leaks, "\n".join(leaks)


def test_the_sweep_would_see_a_leak():
    """A control: every needle is found when planted (plain, in a header, base64 as Basic auth)."""
    planted = Sweep()
    planted.add("plain", f"key={CANARY['planet']}")
    planted.add("header", f"Authorization: Basic {base64.b64encode((CANARY['pixxel'] + ':').encode()).decode()}")
    planted.add("wrong", f"HTTP 401: bad key {WRONG}")
    assert len(planted.leaks()) >= 3
