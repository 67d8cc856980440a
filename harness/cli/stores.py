"""The stores a command reads: the local state folder, or with ``--aws`` the deployed
DynamoDB tables named in the config (``[history] runs_table`` and ``region``, ``[storage]``
tables; credentials and endpoint from the usual boto3 chain)."""

from __future__ import annotations

import argparse
from typing import cast

from harness.archive import JudgeArchive
from harness.cli.common import history_config
from harness.config import HarnessConfig
from harness.ports import Archivable, HistoryStore, Journal
from harness.wiring import alert_store, history_store, journal, judge_stores


def add_aws_flag(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--aws",
        action="store_true",
        help=f"{what} the deployed history ([history] runs_table in [history] region) "
        "instead of the local state folder",
    )


def _where(args: argparse.Namespace, config: HarnessConfig) -> HarnessConfig:
    return history_config(args, config)[0]


def stores(args: argparse.Namespace, config: HarnessConfig) -> tuple[HistoryStore, Journal]:
    config = _where(args, config)
    return history_store(config), journal(config)


def archivable_stores(
    args: argparse.Namespace, config: HarnessConfig
) -> tuple[str, list[Archivable]]:
    """Every store whose records go into the history archive, and a name for where they are.

    A store that keeps history between runs adds itself here (and ``Archivable`` to itself)."""
    config = _where(args, config)
    if config.history.backend == "dynamodb":
        source = f"dynamodb:{config.history.runs_table} ({config.history.region})"
    else:
        source = f"sqlite:{config.local.state_dir}"
    found = [history_store(config), journal(config), alert_store(config)]
    judge = judge_stores(config)
    judging = JudgeArchive(judge.history, judge.baselines, judge.known)
    return source, [*(cast(Archivable, store) for store in found), judging]
