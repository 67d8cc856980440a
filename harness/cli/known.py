"""``harness known``: the known-issues ledger (what ``harness ack`` and ``harness quarantine``
added), with each entry's reason, owner and expiry; ``--remove ID`` deletes one."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import ValidationError

from harness.cli.common import EXIT_PASSED, UsageError, add_store_flags, stores_from_args
from harness.config import format_validation_error
from harness.judge.ledger import new_entry
from harness.report.text import table
from harness.wire.judging import LedgerKind


def register(commands: Any) -> None:
    known = commands.add_parser(
        "known", help="list acknowledged regressions and quarantined scenarios"
    )
    known.set_defaults(handler=handle)
    known.add_argument("--all", action="store_true", help="include expired entries")
    known.add_argument("--remove", metavar="ID", help="delete one entry")
    add_store_flags(known)


def add_entry_flags(parser: argparse.ArgumentParser) -> None:
    """Why, who and until when: every ledger entry has all three."""
    parser.add_argument("--reason", required=True, help="why (shown wherever it suppresses)")
    parser.add_argument("--owner", required=True, help="who answers for it")
    parser.add_argument(
        "--expires",
        required=True,
        metavar="WHEN",
        help="a duration (12h, 7d, 2w) or a date (2026-12-31); at most a year; expired "
        "entries stop suppressing",
    )
    add_store_flags(parser)


def add_entry(args: argparse.Namespace, kind: LedgerKind, pattern: str, out: TextIO) -> int:
    _, stores = stores_from_args(args)
    now = datetime.now(UTC)
    try:
        entry = new_entry(kind, pattern, args.reason, args.owner, args.expires, now)
    except ValidationError as err:
        raise UsageError(f"invalid {kind}:\n{format_validation_error(err)}") from err
    except ValueError as err:
        raise UsageError(f"--expires: {err}") from err
    stores.known.add(entry)
    print(
        f"{entry.id}: {kind} {entry.pattern} until {entry.expires_at:%Y-%m-%d %H:%M}Z "
        f"(owner {entry.owner}: {entry.reason})",
        file=out,
    )
    return EXIT_PASSED


def handle(args: argparse.Namespace, out: TextIO) -> int:
    _, stores = stores_from_args(args)
    if args.remove:
        if not stores.known.remove(args.remove):
            raise UsageError(f"no known-issues entry {args.remove!r} (see: harness known --all)")
        print(f"removed {args.remove}", file=out)
        return EXIT_PASSED
    now = datetime.now(UTC)
    entries = [e for e in stores.known.entries() if args.all or e.active(now)]
    if not entries:
        print("no known issues" + ("" if args.all else " in force (--all shows expired)"), file=out)
        return EXIT_PASSED
    rows = [["ID", "KIND", "SERIES", "OWNER", "EXPIRES", "STATE", "REASON"]]
    for entry in entries:
        rows.append(
            [
                entry.id,
                entry.kind,
                entry.pattern,
                entry.owner,
                f"{entry.expires_at:%Y-%m-%d %H:%M}Z",
                "active" if entry.active(now) else "expired",
                entry.reason,
            ]
        )
    print("\n".join(table(rows)), file=out)
    return EXIT_PASSED
