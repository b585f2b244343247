"""LatestWins: debounce and the one-in-flight, latest-wins rule, on a clock moved by hand."""

from __future__ import annotations

import doctest
from concurrent.futures import Future

import pixorder.widgets.scheduling as scheduling
from pixorder.widgets.scheduling import LatestWins, ManualScheduler


class Calls:
    """A fake service: every start returns a future the test completes when it wants."""

    def __init__(self) -> None:
        self.started: list[tuple[int, Future]] = []
        self.results: list[tuple[int, int]] = []
        self.errors: list[tuple[int, str]] = []

    def start(self, params: int) -> Future:
        future: Future = Future()
        self.started.append((params, future))
        return future


def make(delay: float = 0.5) -> tuple[LatestWins, ManualScheduler, Calls]:
    calls = Calls()
    sched = ManualScheduler()
    lw = LatestWins(calls.start, lambda p, r: calls.results.append((p, r)),
                    lambda p, e: calls.errors.append((p, str(e))), delay=delay, scheduler=sched)
    return lw, sched, calls


def test_rapid_edits_start_one_call_with_the_last_inputs():
    lw, sched, calls = make()
    for n in range(20):
        lw.submit(n)
        sched.advance(0.1)  # each edit comes before the previous one settled
    assert calls.started == []
    sched.advance(0.5)
    assert [p for p, _ in calls.started] == [19]
    calls.started[0][1].set_result(190)
    assert calls.results == [(19, 190)]
    assert not lw.busy


def test_at_most_one_call_in_flight_and_stale_answers_are_dropped():
    lw, sched, calls = make()
    lw.submit(1)
    sched.advance(0.5)
    lw.submit(2)
    sched.advance(0.5)
    lw.submit(3)
    sched.advance(0.5)
    assert [p for p, _ in calls.started] == [1]  # 2 and 3 wait: one call in flight
    calls.started[0][1].set_result(10)
    assert calls.results == []  # the answer for 1 is stale: inputs moved on
    assert [p for p, _ in calls.started] == [1, 3]  # the latest starts at once, 2 never
    calls.started[1][1].set_result(30)
    assert calls.results == [(3, 30)]
    assert lw.started == 2
    assert not lw.busy


def test_editing_during_a_call_waits_for_the_edits_to_settle():
    lw, sched, calls = make()
    lw.submit(1)
    sched.advance(0.5)
    lw.submit(2)  # still editing when the call ends: nothing starts until the debounce fires
    calls.started[0][1].set_result(10)
    assert [p for p, _ in calls.started] == [1]
    sched.advance(0.5)
    assert [p for p, _ in calls.started] == [1, 2]


def test_errors_are_delivered_and_flush_skips_the_delay():
    lw, sched, calls = make()
    lw.submit(7)
    lw.flush()
    calls.started[0][1].set_exception(RuntimeError("boom"))
    assert calls.errors == [(7, "boom")]
    assert lw.wait(0.1)


def test_cancel_drops_an_answer_in_flight():
    lw, sched, calls = make()
    lw.submit(1)
    sched.advance(0.5)
    lw.cancel()
    calls.started[0][1].set_result(10)
    assert calls.results == [] and not lw.busy


def test_docstring_examples():
    result = doctest.testmod(scheduling.latest_wins, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ----------------------------------------------------------------- the kernel's thread (Dispatcher)
def _worker_answer(value: int, delay: float = 0.05) -> Future:
    """A future completed by another thread, like pixorder's loop thread answering a price."""
    import threading

    future: Future = Future()
    threading.Timer(delay, lambda: future.set_result(value)).start()
    return future


def test_in_a_running_loop_answers_are_shown_on_the_loop_thread():
    """As in a kernel: the widget is made in a running loop, answers come from worker threads."""
    import asyncio
    import threading

    seen: list[tuple[int, int, int]] = []  # (params, result, thread that delivered it)

    async def cell() -> tuple[int, LatestWins]:
        lw = LatestWins(lambda p: _worker_answer(p * 10),
                        lambda p, r: seen.append((p, r, threading.get_ident())),
                        lambda p, e: None, delay=0.05)  # a real timer thread fires the debounce
        lw.submit(4)
        for _ in range(400):  # the loop stays free, as between cells
            if seen:
                break
            await asyncio.sleep(0.01)
        return threading.get_ident(), lw

    owner, lw = asyncio.run(cell())
    assert lw.dispatcher.deferred
    assert seen == [(4, 40, owner)]
    assert not lw.busy


def test_wait_inside_the_loop_runs_the_queued_answer_itself():
    """A cell that calls ``preview.wait()`` holds the kernel's loop: wait must still see the answer."""
    import asyncio
    import threading

    seen: list[tuple[int, int, int]] = []

    async def cell() -> tuple[int, bool, list]:
        lw = LatestWins(lambda p: _worker_answer(p + 1),
                        lambda p, r: seen.append((p, r, threading.get_ident())),
                        lambda p, e: None, delay=0.05)
        lw.submit(1)
        idle = lw.wait(5)  # blocks the loop: nothing but wait() itself can run the callbacks
        return threading.get_ident(), idle, list(seen)

    owner, idle, at_return = asyncio.run(cell())
    assert idle
    assert at_return == [(1, 2, owner)]


def test_background_calls_report_on_the_loop_thread_and_wait_in_the_loop():
    import asyncio
    import threading

    from pixorder.widgets.scheduling import Background

    done: list[tuple[object, object, int]] = []

    async def make_answer() -> int:
        return 7

    async def cell() -> tuple[int, bool]:
        background = Background()
        background.run(None, lambda _: make_answer(), lambda r, e: done.append((r, e, threading.get_ident())))
        return threading.get_ident(), background.wait(5)

    owner, idle = asyncio.run(cell())
    assert idle
    assert done == [(7, None, owner)]


def test_outside_a_loop_callbacks_run_on_the_answering_thread_at_once():
    lw, sched, calls = make()
    assert not lw.dispatcher.deferred
    lw.submit(2)
    sched.advance(0.5)
    calls.started[0][1].set_result(20)
    assert calls.results == [(2, 20)]
