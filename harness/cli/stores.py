"""The stores a command reads: the local state folder, or with ``--aws`` the deployed
DynamoDB table named by ``[history] runs_table`` and ``region`` (credentials and endpoint
from the usual boto3 chain)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import cast

from harness.config import HarnessConfig
from harness.ports import Archivable, HistoryStore, Journal


def add_aws_flag(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--aws",
        action="store_true",
        help=f"{what} the deployed history ([history] runs_table in [history] region) "
        "instead of the local state folder",
    )


def stores(args: argparse.Namespace, config: HarnessConfig) -> tuple[HistoryStore, Journal]:
    if getattr(args, "aws", False):
        from harness.aws.dynamodb_history import DynamoDbHistory
        from harness.aws.dynamodb_journal import DynamoDbJournal

        history = DynamoDbHistory(
            table_name=config.history.runs_table,
            region=config.history.region,
            retention_days=config.storage.run_history_days,
        )
        return history, DynamoDbJournal(history)
    from harness.local.sqlite_history import SqliteHistory
    from harness.local.sqlite_journal import SqliteJournal

    state_dir = Path(config.local.state_dir)
    return SqliteHistory.in_state_dir(state_dir), SqliteJournal.in_state_dir(state_dir)


def archivable_stores(
    args: argparse.Namespace, config: HarnessConfig
) -> tuple[str, list[Archivable]]:
    """Every store whose records go into the history archive, and a name for where they are.

    A store that keeps history between runs adds itself here (and ``Archivable`` to itself)."""
    history, journal = stores(args, config)
    if getattr(args, "aws", False):
        source = f"dynamodb:{config.history.runs_table} ({config.history.region})"
    else:
        source = f"sqlite:{config.local.state_dir}"
    return source, [cast(Archivable, history), cast(Archivable, journal)]
