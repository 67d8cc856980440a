"""Heartbeat lines while a run is quiet: which scenarios are running, for how long, until when,
and (in a local run, where the scenarios run in this process) what each one is waiting for.

A run can wait minutes without a state change (a recovery SLA of 10 minutes, a slow cold
start); the person watching must see that it is alive and when it will give up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.execution.history import ExecutionOutcome, Progress

HEARTBEAT_SECONDS = 15.0


@dataclass(frozen=True)
class Wait:
    """What a scenario is waiting for right now (``harness.scenarios.base.current_wait``)."""

    what: str
    started: float  # time.monotonic()
    gives_up_at: float  # time.monotonic()


WaitLookup = Callable[[str, str], Wait | None]


@dataclass
class Heartbeat:
    """Fed every progress line; ``due`` returns a heartbeat after ``every`` quiet seconds."""

    every: float = HEARTBEAT_SECONDS
    current_wait: WaitLookup | None = None  # harness.scenarios.base.current_wait, locally
    clock: Callable[[], float] = time.monotonic
    _running: dict[str, float] = field(default_factory=dict)
    _last: float | None = None

    def seen(self, progress: Progress) -> None:
        now = self.clock()
        self._last = now
        if progress.kind == "started" and progress.scenario:
            self._running[progress.scenario] = now
        elif progress.kind == "finished" and progress.scenario:
            self._running.pop(progress.scenario, None)

    def due(self, outcome: ExecutionOutcome) -> Progress | None:
        now = self.clock()
        if self._last is None:
            self._last = now
        if now - self._last < self.every:
            return None
        self._last = now
        if not self._running:
            return Progress("heartbeat", f"still running ({outcome.status.lower()})")
        return Progress(
            "heartbeat", "; ".join(self._describe(outcome, name, now) for name in self._running)
        )

    def _describe(self, outcome: ExecutionOutcome, name: str, now: float) -> str:
        text = f"{name} running for {now - self._running[name]:.0f}s"
        timeouts = (
            {spec.name: spec.timeout_seconds for spec in outcome.plan.scenarios}
            if (outcome.plan)
            else {}
        )
        if name in timeouts:
            text += f" (timeout {timeouts[name]}s)"
        wait = (
            self.current_wait(outcome.plan.run.run_id, name)
            if self.current_wait is not None and outcome.plan is not None
            else None
        )
        if wait is not None:
            text += (
                f", waiting for {wait.what} for {now - wait.started:.0f}s"
                f" (gives up in {max(0.0, wait.gives_up_at - now):.0f}s)"
            )
        return text
