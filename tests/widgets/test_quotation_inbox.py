"""QuotationInbox: pending studies and quotations, decided only through the confirmation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import pixorder
from pixorder.models import FeasibilityOption, FeasibilityStudy, Order, Quotation
from pixorder.widgets import QuotationInbox
from tests.widgets.helpers import assert_no_key_in_widget_state, box


# ------------------------------------------------------------------- against the Geopera sandbox
def _place(geopera: Any, sensor: str, west: float, south: float) -> Order:
    # The Geopera sandbox asks for a feasibility study beyond ±60° latitude, else quotes at once.
    request = pixorder.TaskingRequest(aoi=box(west, south, west + 0.1, south + 0.05)["geometry"], sensor=sensor,
                                      start=date(2027, 8, 1).isoformat(), end=date(2027, 8, 30).isoformat(),
                                      name="inbox test")
    return geopera.orders.create(request)


def _until(inbox: QuotationInbox, sandbox: Any, condition: Any, days: float = 3) -> bool:
    """Advance the sandbox clock in 3 h steps until ``condition()`` holds for the refreshed inbox."""
    for _ in range(int(days * 8)):
        inbox.refresh()
        assert inbox.wait(30)
        if condition():
            return True
        sandbox.advance(hours=3)
    return False


def _pick(select: Any, match: Any) -> None:
    select.value = next(value for _, value in select.options if match(value))


def test_accept_and_reject_on_the_geopera_sandbox(clients, sandbox):
    geopera = clients["geopera"]
    sensor = geopera.sensors()[0].id
    study_order, dropped_order = (_place(geopera, sensor, 20.0 + i, 69.0) for i in range(2))
    accept_order, reject_order = (_place(geopera, sensor, 150.0 + i, -33.9) for i in range(2))
    inbox = QuotationInbox(geopera, load=False)
    assert inbox.value is None  # nothing loaded yet

    def waiting() -> set[str]:
        return {s.order_id for s in inbox.pending_studies} | {q.order_id for q in inbox.pending_quotations}

    ours = {study_order.id, dropped_order.id, accept_order.id, reject_order.id}
    assert _until(inbox, sandbox, lambda: ours <= waiting()), inbox.message.value
    assert {s.order_id for s in inbox.pending_studies} >= {study_order.id, dropped_order.id}
    assert set(inbox.value["order_id"]) >= {accept_order.id, reject_order.id}

    # A feasibility option, chosen through the confirmation that shows its price.
    study = next(s for s in inbox.pending_studies if s.order_id == study_order.id)
    option = study.options[0]
    _pick(inbox.study_list, lambda v: v[0].id == study.id and v[1].id == option.id)
    inbox.accept_option_button.click()
    assert inbox.confirmation.layout.display != "none"
    assert f"{option.amount:,.2f} AUD" in inbox.confirm_text.value
    inbox.refresh()
    assert inbox.wait(30) and study.id in {s.id for s in inbox.pending_studies}  # asking decided nothing
    inbox.confirm_button.click()
    assert inbox.wait(30)
    assert isinstance(inbox.decided, FeasibilityStudy) and str(inbox.decided.decision) == "ACCEPTED", \
        inbox.message.value
    assert study.id not in {s.id for s in inbox.pending_studies}

    # A study rejected: its order is cancelled.
    _pick(inbox.study_list, lambda v: v[0].order_id == dropped_order.id)
    inbox.reject_study_button.click()
    inbox.confirm_button.click()
    assert inbox.wait(30)
    assert str(geopera.orders.get(dropped_order.id).status) == "CANCELLED"
    assert dropped_order.id not in waiting()

    # Quotations accepted and rejected.
    quote = next(q for q in inbox.pending_quotations if q.order_id == accept_order.id)
    _pick(inbox.quotation_list, lambda q: q.id == quote.id)
    inbox.accept_quotation_button.click()
    assert f"{quote.amount:,.2f} AUD" in inbox.confirm_text.value
    inbox.confirm_button.click()
    assert inbox.wait(30)
    assert isinstance(inbox.decided, Quotation) and str(inbox.decided.status) == "ACCEPTED", inbox.message.value
    assert "accepted" in inbox.message.value and quote.id not in set(inbox.value["id"])

    _pick(inbox.quotation_list, lambda q: q.order_id == reject_order.id)
    inbox.reject_quotation_button.click()
    inbox.confirm_button.click()
    assert inbox.wait(30)
    assert str(inbox.decided.status) == "REJECTED"
    assert reject_order.id not in waiting()

    # The chosen option becomes a quotation after the provider's delay.
    assert _until(inbox, sandbox, lambda: study_order.id in {q.order_id for q in inbox.pending_quotations})
    assert_no_key_in_widget_state()


# ------------------------------------------------------------------ the UI logic, with a fake API
class _Listing:
    def __init__(self, rows: list[Any]):
        self.rows = rows

    async def collect(self) -> list[Any]:
        return list(self.rows)


class _FakeAPI:
    """Just enough of AsyncClient for the inbox: studies and quotations that can be decided."""

    provider = "geopera"

    def __init__(self) -> None:
        option = FeasibilityOption(id="opt-1", description="2 passes", amount=120.0, unit="AUD")
        self.studies = [FeasibilityStudy(provider="geopera", id="st-1", order_id="o-1", decision="NOT_DECIDED",
                                         options=[option])]
        self.quotations = [Quotation(provider="geopera", id="q-1", order_id="o-2", status="NOT_DECIDED",
                                     amount=340.5, unit="AUD", credits=3405)]
        self.cancelled: list[str] = []
        api = self

        class Feasibility:
            def list(self) -> _Listing:
                return _Listing(api.studies)

            async def decide(self, study_id: str, option_id: str) -> FeasibilityStudy:
                study = next(s for s in api.studies if s.id == study_id)
                study.decision = "ACCEPTED"
                return study

        class Quotations:
            def list(self) -> _Listing:
                return _Listing(api.quotations)

            async def decide(self, quotation_id: str, accept: bool) -> Quotation:
                quotation = next(q for q in api.quotations if q.id == quotation_id)
                quotation.status = "ACCEPTED" if accept else "REJECTED"
                return quotation

        class Orders:
            async def cancel(self, order_id: str) -> Order:
                api.cancelled.append(order_id)
                for s in api.studies:
                    if s.order_id == order_id:
                        s.decision = "REJECTED"
                return Order(provider="geopera", id=order_id, status="CANCELLED")

        self.feasibility, self.quotations_api, self.orders = Feasibility(), Quotations(), Orders()


class _FakeClient:
    provider = "geopera"

    def __init__(self) -> None:
        self.api = _FakeAPI()
        self.aio = type("Aio", (), {"feasibility": self.api.feasibility, "quotations": self.api.quotations_api,
                                    "orders": self.api.orders, "provider": "geopera"})()


def test_confirmation_shows_the_amount_and_cancel_decides_nothing():
    client = _FakeClient()
    inbox = QuotationInbox(client)
    assert inbox.wait(10)
    assert len(inbox.value) == 1 and len(inbox.studies) == 1
    assert inbox.accept_quotation_button.disabled  # nothing picked yet
    inbox.quotation_list.value = inbox.quotation_list.options[0][1]
    inbox.accept_quotation_button.click()
    assert "340.50 AUD" in inbox.confirm_text.value
    inbox.cancel_button.click()
    assert inbox.confirmation.layout.display == "none" and "Nothing was decided" in inbox.message.value
    inbox.confirm_button.click()  # a hidden confirmation confirms nothing
    assert inbox.wait(10) and str(client.api.quotations[0].status) == "NOT_DECIDED"

    inbox.study_list.value = inbox.study_list.options[0][1]
    inbox.reject_study_button.click()
    assert "o-1" in inbox.confirm_text.value and "cancelled" in inbox.confirm_text.value
    inbox.confirm_button.click()
    assert inbox.wait(10)
    assert client.api.cancelled == ["o-1"] and inbox.pending_studies == []
    assert "rejected" in inbox.message.value


@pytest.mark.parametrize("accept", [True, False])
def test_quotation_decisions(accept):
    client = _FakeClient()
    inbox = QuotationInbox(client)
    assert inbox.wait(10)
    inbox.quotation_list.value = inbox.quotation_list.options[0][1]
    (inbox.accept_quotation_button if accept else inbox.reject_quotation_button).click()
    inbox.confirm_button.click()
    assert inbox.wait(10)
    assert str(inbox.decided.status) == ("ACCEPTED" if accept else "REJECTED")
    assert inbox.pending_quotations == [] and len(inbox.value) == 0
