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
def _place(geopera: Any, sensor: str, west: float) -> Order:
    request = pixorder.TaskingRequest(aoi=box(west, -33.9, west + 0.1, -33.8)["geometry"], sensor=sensor,
                                      start=date(2027, 8, 1).isoformat(), end=date(2027, 8, 30).isoformat(),
                                      name="inbox test")
    return geopera.orders.create(request)


def _until(inbox: QuotationInbox, sandbox: Any, condition: Any, days: float = 30) -> bool:
    """Advance the sandbox clock in 6 h steps until ``condition()`` holds for the refreshed inbox."""
    for _ in range(int(days * 4)):
        inbox.refresh()
        assert inbox.wait(30)
        if condition():
            return True
        sandbox.advance(hours=6)
    return False


def test_accept_and_reject_on_the_geopera_sandbox(clients, sandbox):
    geopera = clients["geopera"]
    sensors = geopera.sensors()
    orders = [_place(geopera, sensors[0].id, 150.0 + 0.3 * i) for i in range(3)]
    ours = {o.id for o in orders}
    inbox = QuotationInbox(geopera, load=False)

    def ours_waiting() -> set[str]:
        return {s.order_id for s in inbox.pending_studies} | {q.order_id for q in inbox.pending_quotations}

    assert _until(inbox, sandbox, lambda: ours <= ours_waiting() or len(ours & ours_waiting()) >= 2), \
        "no studies or quotations appeared for the placed orders"

    decided = 0
    # A study: choose an option through the confirmation.
    studies = [s for s in inbox.pending_studies if s.order_id in ours and s.options]
    if studies:
        study = studies[0]
        inbox.study_list.value = (study, study.options[0])
        inbox.accept_option_button.click()
        assert inbox.confirmation.layout.display != "none" and study.id in inbox.confirm_text.value
        assert study.id in {s.id for s in inbox.pending_studies}  # nothing decided before confirming
        inbox.confirm_button.click()
        assert inbox.wait(30)
        assert isinstance(inbox.decided, FeasibilityStudy) and str(inbox.decided.decision) == "ACCEPTED", \
            inbox.message.value
        assert study.id not in {s.id for s in inbox.pending_studies}
        decided += 1

    assert _until(inbox, sandbox, lambda: len([q for q in inbox.pending_quotations if q.order_id in ours]) >= 1)
    quotations = [q for q in inbox.pending_quotations if q.order_id in ours]
    first = quotations[0]
    inbox.quotation_list.value = first
    inbox.accept_quotation_button.click()
    assert f"{first.amount:,.2f}" in inbox.confirm_text.value
    inbox.confirm_button.click()
    assert inbox.wait(30)
    assert isinstance(inbox.decided, Quotation) and str(inbox.decided.status) == "ACCEPTED", inbox.message.value
    assert first.id not in {q.id for q in inbox.pending_quotations}
    assert "accepted" in inbox.message.value

    assert _until(inbox, sandbox, lambda: any(q.order_id in ours for q in inbox.pending_quotations))
    second = next(q for q in inbox.pending_quotations if q.order_id in ours)
    inbox.quotation_list.value = second
    inbox.reject_quotation_button.click()
    inbox.confirm_button.click()
    assert inbox.wait(30)
    assert str(inbox.decided.status) == "REJECTED"
    assert second.id not in {q.id for q in inbox.pending_quotations}
    assert decided + 2 >= 2
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
