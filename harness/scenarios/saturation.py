"""How saturated the load generator itself is, measured while it runs (like Locust's CPU
warning): the process's CPU time over wall time, the time its threads waited for a CPU they
were ready to use (Linux's run queue: a machine busy with other work starves the generator
without its own CPU time showing it), and how late a 10 ms timer fires.

A saturated generator sends its requests late and reads answers late, so a healthy target
looks slow; results measured that way must blame the harness, not the target.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import TracebackType

from harness.judge.stats import percentile
from harness.wire import Saturation

TICK_SECONDS = 0.01
TASKS = Path("/proc/self/task")


def run_queue_seconds() -> float:
    """Seconds this process's live threads spent runnable but not running (Linux; 0 where
    ``/proc/self/task/*/schedstat`` does not exist)."""
    total = 0
    try:
        for task in TASKS.iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the thread ended meanwhile
    except OSError:
        return 0.0
    return total / 1e9


class SaturationMonitor:
    """``with SaturationMonitor(cpu_limit, lag_limit_ms) as monitor: ...``, then
    ``monitor.result()``. The sampler is one sleeping thread; it costs next to nothing."""

    def __init__(self, cpu_limit_percent: float, lag_limit_ms: float) -> None:
        self._cpu_limit = cpu_limit_percent
        self._lag_limit = lag_limit_ms
        self._lags: list[float] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wall = 0.0
        self._cpu = 0.0
        self._waited = 0.0

    def __enter__(self) -> SaturationMonitor:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        self._waited = run_queue_seconds()
        self._thread = threading.Thread(target=self._sample, name="saturation", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._wall = time.perf_counter() - self._wall
        self._cpu = time.process_time() - self._cpu
        self._waited = max(0.0, run_queue_seconds() - self._waited)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)

    def _sample(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            time.sleep(TICK_SECONDS)
            self._lags.append(max(0.0, time.perf_counter() - started - TICK_SECONDS) * 1000)

    def result(self) -> Saturation:
        wall = self._wall if self._wall > 0 else float("inf")
        return saturation(
            100.0 * self._cpu / wall,
            100.0 * self._waited / wall,
            list(self._lags),
            self._cpu_limit,
            self._lag_limit,
        )


def saturation(
    cpu_percent: float,
    cpu_wait_percent: float,
    lags_ms: list[float],
    cpu_limit: float,
    lag_limit: float,
) -> Saturation:
    """Saturated when the process used, or was ready to use but waited for, ``cpu_limit`` %
    of a core or more (a GIL-bound process cannot use much more than one), or a 10 ms timer
    fired ``lag_limit`` ms late or more (p95)."""
    lags = lags_ms or [0.0]
    lag_p95 = percentile(lags, 95)
    return Saturation(
        cpu_percent=round(cpu_percent, 1),
        cpu_wait_percent=round(cpu_wait_percent, 1),
        lag_p95_ms=round(lag_p95, 1),
        lag_max_ms=round(max(lags), 1),
        saturated=cpu_percent + cpu_wait_percent >= cpu_limit or lag_p95 >= lag_limit,
    )
