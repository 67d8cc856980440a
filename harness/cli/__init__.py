"""The ``harness`` command. Exit codes: 0 suite passed, 1 suite failed, 2 bad usage or
config, 3 the harness itself failed (the run could not be judged), 4 nothing ran because a
target stayed busy with another run, 130 interrupted.

One module per command (``run``, ``history``, ``cleanup``, ``scenarios``, ``report``,
``trends``, ``baseline``, ``ack``, ``quarantine``, ``known``, ``plan``, ``select``); each
registers its parser and handler here.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import NoReturn, TextIO

from harness.cli import (
    ack,
    baseline,
    cleanup,
    cost,
    history,
    known,
    maintenance,
    plan,
    quarantine,
    report,
    run,
    scenarios,
    select,
    sla,
    trends,
)
from harness.cli.common import (
    DEBUG_ENV,
    EXIT_HARNESS,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    USAGE_ERRORS,
    environment_error,
)
from harness.cli.signals import HANDLED, Interrupted
from harness.errors import HarnessError

COMMANDS = (
    run,
    history,
    cleanup,
    scenarios,
    report,
    trends,
    baseline,
    ack,
    quarantine,
    known,
    sla,
    cost,
    maintenance,
    plan,
    select,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness", description="Integration tests for a deployed web stack."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(commands)
    return parser


# Collect cyclic garbage after 100 000 new objects rather than 700: a local run builds
# botocore's and moto's models, pydantic's validators and its back ends at start, and the
# collector rescanned them hundreds of times (0.25-0.35 s before the first scenario).
GC_THRESHOLDS = (100_000, 50, 100)


def entry() -> NoReturn:
    """The ``harness`` command: ``main``, then exit; a signal while the process winds down is
    ignored (the command has finished, its exit code says how). What the imports built lives
    as long as the process, so no collection scans it again (``gc.freeze``)."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    code = main()
    for signum in HANDLED:
        signal.signal(signum, signal.SIG_IGN)
    exit_now(code)


def exit_now(code: int) -> NoReturn:
    """Exit as ``sys.exit`` would, without tearing the interpreter down: as at any exit, the
    threads still running are waited for (``threading._shutdown``, which first lets thread
    pools wind down) and the exit handlers run (logging, multiprocessing, temporary
    folders); but the modules are not emptied one by one nor every object freed, which took
    0.5 s after a local run (moto's back ends, botocore's models). Every file the command
    wrote is closed before ``main`` returns."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args, out)
        return code
    except Interrupted as stop:
        print(f"harness: interrupted by {stop.name}", file=sys.stderr)
        return stop.exit_code
    except KeyboardInterrupt:
        print("harness: interrupted (a run started with --aws goes on in AWS)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except HarnessError as err:
        print(f"harness: {err}", file=sys.stderr)
        return EXIT_USAGE if isinstance(err, USAGE_ERRORS) else EXIT_HARNESS
    except Exception as err:  # noqa: BLE001 - never a traceback: one line naming the cause
        code, message = environment_error(err)
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        print(f"harness: {message}", file=sys.stderr)
        return code
