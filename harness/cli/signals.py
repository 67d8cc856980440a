"""Ctrl-C and SIGTERM end a run the same way: the first one interrupts it (its cleanup runs),
every later one is noted and ignored, so shutdown always finishes: the verdict is kept, the
temporary folders are removed, the run's test data is deleted."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType, TracebackType

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was interrupted by a signal; the exit code is 128 + its number (130, 143)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class Interruptions:
    """``with Interruptions() as signals:`` the first SIGINT/SIGTERM raises ``Interrupted``
    in the main thread, unless ``shield()`` was called (the run has ended: nothing may cut
    its report short); any later signal only prints a note."""

    def __init__(self) -> None:
        self._fired = False
        self._shielded = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Interruptions:
        if threading.current_thread() is threading.main_thread():
            for signum in HANDLED:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]

    def shield(self) -> None:
        self._shielded = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self._fired or self._shielded:
            print(
                f"harness: {name} noted; finishing up first (this takes seconds)", file=sys.stderr
            )
            return
        self._fired = True
        raise Interrupted(signum)
