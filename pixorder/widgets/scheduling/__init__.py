"""Scheduling for widgets, one job per module: :mod:`.timers` (debounce clocks, a manual one for tests),
:mod:`.dispatch` (callbacks onto the kernel's thread), :mod:`.latest_wins` (debounce, one call in flight,
the latest wins) and :mod:`.background` (client calls off the kernel's thread).

>>> sched = ManualScheduler()
>>> runs = []
>>> def start(params):
...     from concurrent.futures import Future
...     runs.append(params); done = Future(); done.set_result(params * 10); return done
>>> lw = LatestWins(start, on_result=lambda p, r: None, on_error=lambda p, e: None, delay=0.5,
...                 scheduler=sched)
>>> for n in range(20):
...     lw.submit(n)
>>> sched.advance(0.5)
>>> runs
[19]
"""

from __future__ import annotations

from pixorder.widgets.scheduling.background import Background, loop_client, run_client_call
from pixorder.widgets.scheduling.dispatch import Dispatcher
from pixorder.widgets.scheduling.latest_wins import LatestWins
from pixorder.widgets.scheduling.timers import Cancellable, ManualScheduler, Scheduler, ThreadScheduler

__all__ = ["Background", "Cancellable", "Dispatcher", "LatestWins", "ManualScheduler", "Scheduler", "ThreadScheduler",
           "loop_client", "run_client_call"]
