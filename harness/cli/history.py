"""``harness history``: the recorded runs, newest first (local, or the deployed table);
``history export FILE`` and ``history import FILE`` move every store's records through one
archive (docs/dr.md)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from harness.archive import import_archive, write_archive
from harness.cli.common import (
    EXIT_PASSED,
    UsageError,
    add_aws_history_flag,
    add_config_flag,
    add_state_dir_flag,
    config_from_args,
    history_from_args,
)
from harness.cli.stores import add_aws_flag, archivable_stores
from harness.report.text import render_history


def register(commands: Any) -> None:
    history = commands.add_parser(
        "history", help="list recorded runs, newest first; export or import the history"
    )
    history.set_defaults(handler=handle)
    add_config_flag(history)
    add_state_dir_flag(history)
    add_aws_history_flag(history)
    history.add_argument("--limit", type=int, default=20)
    actions = history.add_subparsers(dest="action")
    export = actions.add_parser("export", help="write every record to FILE (JSON lines)")
    export.set_defaults(handler=handle_export)
    import_ = actions.add_parser("import", help="read an export back (validated first)")
    import_.set_defaults(handler=handle_import)
    for parser, verb in ((export, "export from"), (import_, "import into")):
        parser.add_argument("file", type=Path, metavar="FILE")
        add_config_flag(parser)
        add_state_dir_flag(parser)
        add_aws_flag(parser, verb)


def handle(args: argparse.Namespace, out: TextIO) -> int:
    store, _ = history_from_args(args, config_from_args(args))
    print(render_history(store.list_runs(args.limit)), file=out)
    return EXIT_PASSED


def handle_export(args: argparse.Namespace, out: TextIO) -> int:
    config = config_from_args(args)
    source, stores = archivable_stores(args, config)
    target: Path = args.file
    staging = target.with_name(target.name + ".partial")
    with staging.open("w", encoding="utf-8") as handle:
        counts = write_archive(stores, handle, source, datetime.now(UTC))
    staging.replace(target)  # a crash never leaves a truncated archive under FILE
    shown = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"
    print(f"exported {shown} from {source} to {target}", file=out)
    return EXIT_PASSED


def handle_import(args: argparse.Namespace, out: TextIO) -> int:
    config = config_from_args(args)
    if not args.file.is_file():
        raise UsageError(f"history import: {args.file} does not exist")
    source, stores = archivable_stores(args, config)
    with args.file.open(encoding="utf-8") as handle:
        counts = import_archive(handle, stores)
    shown = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"
    print(f"imported {shown} from {args.file} into {source}", file=out)
    return EXIT_PASSED
