"""Scheduling for widgets, one job per module: :mod:`.timers` (debounce clocks, a manual one for tests),
:mod:`.dispatch` (callbacks onto the kernel's thread), :mod:`.latest_wins` (debounce, one call in flight,
the latest wins) and :mod:`.background` (client calls off the kernel's thread).

The example of the whole mechanism is in :mod:`.latest_wins`.
"""

from __future__ import annotations

from pixorder.widgets.scheduling.background import Background, async_client, loop_client, run_client_call
from pixorder.widgets.scheduling.dispatch import Dispatcher
from pixorder.widgets.scheduling.latest_wins import LatestWins
from pixorder.widgets.scheduling.timers import Cancellable, ManualScheduler, Scheduler, ThreadScheduler

__all__ = ["Background", "Cancellable", "Dispatcher", "LatestWins", "ManualScheduler", "Scheduler", "ThreadScheduler",
           "async_client", "loop_client", "run_client_call"]
