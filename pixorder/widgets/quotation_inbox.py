"""QuotationInbox: pending feasibility options and quotations, accepted or rejected after a confirmation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import traitlets

from pixorder.models import FeasibilityStudy, Quotation, QuotationStatus
from pixorder.providers import table
from pixorder.widgets import render
from pixorder.widgets.clients import resolve_clients
from pixorder.widgets.scheduling import Background

__all__ = ["QuotationInbox", "pending"]


def pending(decision: Any) -> bool:
    """Still waiting for a decision (a provider that sends no decision is treated as waiting).

    Args:
        decision: a study's ``decision`` or a quotation's ``status`` (``QuotationStatus``, its word, or None).

    Returns:
        True for None or ``NOT_DECIDED``; False once accepted, rejected or otherwise decided.

    >>> from pixorder.models import QuotationStatus
    >>> pending(None), pending("NOT_DECIDED"), pending(QuotationStatus.ACCEPTED)
    (True, True, False)
    """
    return decision is None or decision == QuotationStatus.NOT_DECIDED


@dataclass
class _Action:
    """A decision waiting for its confirmation."""

    text: str
    run: Callable[[Any], Coroutine[Any, Any, Any]]
    done_text: str


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else "—"


class QuotationInbox(W.VBox):
    """Decide what a provider is waiting for: feasibility options and quotations (Geopera).

    Choosing a feasibility option or accepting a quotation reserves credits, so every decision
    first shows a confirmation with the amount. Rejecting a study cancels its order (the API has
    no other way to decline one). ``value`` is the GeoDataFrame of pending quotations, ``studies``
    that of pending feasibility options, ``decided`` the last decided study, quotation or order.

    >>> from pixorder.widgets import QuotationInbox
    >>> inbox = QuotationInbox()            # doctest: +SKIP
    >>> # the Geopera sandbox by default; or QuotationInbox(pixorder.connect("geopera"))
    >>> inbox                               # doctest: +SKIP
    >>> inbox.value[["id", "amount", "unit", "expires_at"]]   # doctest: +SKIP
    """

    value = traitlets.Any(None, allow_none=True, help="GeoDataFrame of the pending quotations")
    studies = traitlets.Any(None, allow_none=True, help="GeoDataFrame of the pending feasibility options")
    decided = traitlets.Any(None, allow_none=True, help="the last decided study, quotation or cancelled order")

    def __init__(self, client: Any = None, *, load: bool = True, **kwargs: Any):
        clients = resolve_clients(client, providers=tuple(p.name for p in table.PROVIDERS.values() if p.quotations))
        self.provider, self.client = next(iter(clients.items()))
        self._background = Background()
        self._studies: list[FeasibilityStudy] = []
        self._quotations: list[Quotation] = []
        self._action: _Action | None = None
        self._done_text = ""
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.message = W.HTML()
        self.study_list = W.Select(options=[], rows=5, layout=W.Layout(width="100%"))
        self.accept_option_button = W.Button(description="Choose option…", icon="check", disabled=True)
        self.reject_study_button = W.Button(description="Reject study…", icon="times", disabled=True)
        self.quotation_list = W.Select(options=[], rows=5, layout=W.Layout(width="100%"))
        self.accept_quotation_button = W.Button(description="Accept…", icon="check", disabled=True)
        self.reject_quotation_button = W.Button(description="Reject…", icon="times", disabled=True)
        self.confirmation, self.confirm_text, self.confirm_button, self.cancel_button = render.confirmation(
            "Confirm")
        super().__init__(children=[
            W.HBox([W.HTML(f"<b>{render.esc(self.provider)}</b> decisions waiting for you"), self.refresh_button]),
            self.message,
            W.HTML("<b>Feasibility studies</b> (pick one option per study)"), self.study_list,
            W.HBox([self.accept_option_button, self.reject_study_button]),
            W.HTML("<b>Quotations</b>"), self.quotation_list,
            W.HBox([self.accept_quotation_button, self.reject_quotation_button]),
            self.confirmation,
        ], **kwargs)
        self.add_class("pixorder-quotationinbox")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.study_list.observe(self._on_pick, "value")
        self.quotation_list.observe(self._on_pick, "value")
        self.accept_option_button.on_click(lambda _: self.ask_choose_option())
        self.reject_study_button.on_click(lambda _: self.ask_reject_study())
        self.accept_quotation_button.on_click(lambda _: self.ask_decide_quotation(True))
        self.reject_quotation_button.on_click(lambda _: self.ask_decide_quotation(False))
        self.confirm_button.on_click(lambda _: self.confirm())
        self.cancel_button.on_click(lambda _: self._hide("Nothing was decided."))
        if load:
            self.refresh()

    # --------------------------------------------------------------------------------- public API
    @property
    def pending_studies(self) -> list[FeasibilityStudy]:
        return list(self._studies)

    @property
    def pending_quotations(self) -> list[Quotation]:
        return list(self._quotations)

    def refresh(self) -> None:
        """Fetch the pending studies and quotations again (in the background)."""
        self.message.value = render.message("Loading…", "busy")

        async def fetch(aio: Any) -> tuple[Any, Any]:
            async def collect(listing: Callable[[], Any]) -> Any:
                try:
                    return list(await listing().collect())
                except Exception as exc:  # e.g. NotSupported for a provider without quotations
                    return exc

            return tuple(await asyncio.gather(collect(aio.feasibility.list), collect(aio.quotations.list)))

        self._background.run(self.client, fetch, self._loaded)

    def ask_choose_option(self) -> None:
        """Ask to choose the feasibility option picked in ``study_list``: show the confirmation with its price.

        Nothing is sent until :meth:`confirm` (choosing reserves credits); nothing happens when no
        option is picked.

        >>> from pixorder.models import FeasibilityOption, FeasibilityStudy
        >>> inbox = QuotationInbox(load=False)           # the Geopera sandbox, nothing listed yet
        >>> study = FeasibilityStudy(provider="geopera", id="st-1", order_id="o-1", options=[
        ...     FeasibilityOption(id="opt-1", description="2 passes", amount=120.0, unit="AUD")])
        >>> inbox.study_list.options = [("study st-1, 2 passes", (study, study.options[0]))]
        >>> inbox.study_list.value = (study, study.options[0])
        >>> inbox.ask_choose_option()
        >>> inbox.confirmation.layout.display, "120.00 AUD" in inbox.confirm_text.value
        ('flex', True)
        """
        picked = self.study_list.value
        if picked is None:
            return
        study, option = picked
        amount = render.fmt_amount(option.amount, option.unit)
        self._ask(_Action(
            f"Choose option <b>{render.esc(option.description or option.id)}</b> of study {render.esc(study.id)} "
            f"for <b class='pixorder-confirm-price'>{render.esc(amount)}</b>? This reserves credits.",
            lambda aio: aio.feasibility.decide(study.id, option.id),
            f"Option {option.id} chosen for study {study.id}."))

    def ask_reject_study(self) -> None:
        """Ask to reject the study picked in ``study_list``, which cancels its order (the API has no other way).

        Shows the confirmation naming the order to cancel; nothing is sent until :meth:`confirm`.
        A study that names no order gets an error in ``message`` instead; nothing happens when no
        study is picked.

        >>> from pixorder.models import FeasibilityOption, FeasibilityStudy
        >>> inbox = QuotationInbox(load=False)
        >>> study = FeasibilityStudy(provider="geopera", id="st-2", options=[FeasibilityOption(id="opt-1")])
        >>> inbox.study_list.options = [("study st-2", (study, study.options[0]))]
        >>> inbox.study_list.value = (study, study.options[0])
        >>> inbox.ask_reject_study()
        >>> inbox.confirmation.layout.display, "names no order" in inbox.message.value
        ('none', True)
        """
        picked = self.study_list.value
        if picked is None:
            return
        study, _ = picked
        if not study.order_id:
            self.message.value = render.message("This study names no order to cancel.", "error")
            return
        self._ask(_Action(
            f"Reject study {render.esc(study.id)}? Its order {render.esc(study.order_id)} will be cancelled.",
            lambda aio: aio.orders.cancel(study.order_id),
            f"Study {study.id} rejected: order {study.order_id} cancelled."))

    def ask_decide_quotation(self, accept: bool) -> None:
        """Ask to accept or reject the quotation picked in ``quotation_list``: show the confirmation.

        The confirmation shows the amount; nothing is sent until :meth:`confirm` (accepting reserves
        credits); nothing happens when no quotation is picked.

        Args:
            accept: True to accept, False to reject.

        >>> from pixorder.models import Quotation
        >>> inbox = QuotationInbox(load=False)
        >>> quotation = Quotation(provider="geopera", id="q-1", order_id="o-2", amount=340.5, unit="AUD")
        >>> inbox.quotation_list.options = [("quotation q-1", quotation)]
        >>> inbox.quotation_list.value = quotation
        >>> inbox.ask_decide_quotation(accept=True)
        >>> inbox.confirmation.layout.display, "Accept quotation q-1" in inbox.confirm_text.value
        ('flex', True)
        >>> inbox.cancel_button.click()                  # decided nothing
        >>> inbox.confirmation.layout.display, "Nothing was decided" in inbox.message.value
        ('none', True)
        """
        quotation = self.quotation_list.value
        if quotation is None:
            return
        amount = render.fmt_amount(quotation.amount, quotation.unit)
        verb = "Accept" if accept else "Reject"
        consequence = "This reserves credits." if accept else "The order will not go ahead."
        self._ask(_Action(
            f"{verb} quotation {render.esc(quotation.id)} of <b class='pixorder-confirm-price'>{render.esc(amount)}"
            f"</b>? {consequence}",
            lambda aio: aio.quotations.decide(quotation.id, accept),
            f"Quotation {quotation.id} {'accepted' if accept else 'rejected'}."))

    def confirm(self) -> None:
        """Carry out the decision the confirmation shows."""
        action = self._action
        if action is None or self.confirmation.layout.display == "none":
            return
        self._hide()
        self.message.value = render.message("Sending the decision…", "busy")

        def done(result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.message.value = render.message(f"The decision failed: {render.error_message(error)}",
                                                    "error")
                return
            self.decided = result
            self._done_text = action.done_text
            self.refresh()

        self._background.run(self.client, action.run, done)

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the listing and any decision in progress are done; True when settled."""
        return self._background.wait(timeout, type(self).__name__)

    async def wait_async(self, timeout: float = 30.0) -> bool:
        """``wait()`` for a notebook cell whose widget uses an ``AsyncClient``."""
        return await self._background.wait_async(timeout)

    # ---------------------------------------------------------------------------------- internals
    def _ask(self, action: _Action) -> None:
        self._action = action
        self.confirm_text.value = action.text
        self.confirmation.layout.display = "flex"

    def _hide(self, text: str = "") -> None:
        self.confirmation.layout.display = "none"
        if text:
            self._action = None
            self.message.value = render.message(text, "info")

    def _loaded(self, result: tuple[Any, Any] | None, error: BaseException | None) -> None:
        from pixorder.frames import feasibility_frame, quotations_frame

        if error is not None or result is None:
            why = render.error_message(error) if error is not None else "no answer"
            self.message.value = render.message(f"Could not load: {why}", "error")
            return
        studies, quotations = result
        problems = []
        if isinstance(studies, BaseException):
            problems.append(f"feasibility studies: {render.error_message(studies)}")
            studies = []
        if isinstance(quotations, BaseException):
            problems.append(f"quotations: {render.error_message(quotations)}")
            quotations = []
        self._studies = [s for s in studies if pending(s.decision)]
        self._quotations = [q for q in quotations if pending(q.status)]
        self.studies = feasibility_frame(self._studies)
        self.value = quotations_frame(self._quotations)
        self.study_list.options = [
            (f"study {s.id} · order {s.order_id or '—'} · {o.description or o.id} · "
             f"{render.fmt_amount(o.amount, o.unit)} · {_when(o.start)} → {_when(o.end)}", (s, o))
            for s in self._studies for o in s.options]
        self.quotation_list.options = [
            (f"quotation {q.id} · order {q.order_id or '—'} · {render.fmt_amount(q.amount, q.unit)} · "
             f"credits {q.credits if q.credits is not None else '—'} · expires {_when(q.expires_at)}", q)
            for q in self._quotations]
        self.study_list.value = None
        self.quotation_list.value = None
        self._on_pick()
        done = getattr(self, "_done_text", "")
        self._done_text = ""
        summary = (f"{render.plural(len(self._studies), 'study', 'studies')} and "
                   f"{render.plural(len(self._quotations), 'quotation')} wait for a decision.")
        text = " ".join(t for t in (done, summary) if t)
        self.message.value = render.message(text + (" " + "; ".join(problems) if problems else ""),
                                            "warning" if problems else "info")

    def _on_pick(self, change: Any = None) -> None:
        has_study = self.study_list.value is not None
        has_quotation = self.quotation_list.value is not None
        self.accept_option_button.disabled = not has_study
        self.reject_study_button.disabled = not has_study
        self.accept_quotation_button.disabled = not has_quotation
        self.reject_quotation_button.disabled = not has_quotation
