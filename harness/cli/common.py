"""What every ``harness`` command shares: exit codes, usage errors, and the config a command
runs with (the config file plus the flags that override it)."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.config import HarnessConfig, TargetConfig, format_validation_error, load_config
from harness.errors import (
    ArchiveError,
    ConfigError,
    HarnessError,
    InvalidRunRequestError,
    ScenarioDefinitionError,
    UnknownScenarioError,
)
from harness.judge.judgement import Stores
from harness.ports import HistoryStore

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_HARNESS = 0, 1, 2, 3
EXIT_BUSY = 4  # nothing ran: another run held the target for longer than [leases] wait_seconds
EXIT_INTERRUPTED = 130


class UsageError(HarnessError):
    """Bad flags: exit code 2."""


# Errors that mean nothing was started: the user has something to fix (exit 2); a broken
# scenario plugin is one.
USAGE_ERRORS = (
    UsageError,
    ConfigError,
    InvalidRunRequestError,
    UnknownScenarioError,
    ScenarioDefinitionError,
    ArchiveError,
)


def add_selection_flags(parser: argparse.ArgumentParser) -> None:
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--suite", choices=["smoke", "full"], help="suite to run (default: full)")
    choice.add_argument(
        "--scenario", action="append", metavar="NAME", help="run just this scenario (repeatable)"
    )


def add_config_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="config file (default: ./harness.toml if any)")


def add_state_dir_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-dir", type=Path, help="history and reports (default: .harness)")


def add_store_flags(parser: argparse.ArgumentParser) -> None:
    """--config, --state-dir, and --aws for commands that read or edit stored state."""
    add_config_flag(parser)
    add_state_dir_flag(parser)
    parser.add_argument(
        "--aws",
        action="store_true",
        help="use the deployed DynamoDB tables ([history] runs_table, [storage] "
        "baselines_table, with your AWS credentials) instead of the local state folder",
    )


def stores_from_args(args: argparse.Namespace) -> tuple[HarnessConfig, Stores]:
    """The config and the history, baseline and ledger stores a command works on: the local
    state folder, or with ``--aws`` the deployed tables (see ``history_config``)."""
    from harness.wiring import judge_stores

    config, _ = history_config(args, config_from_args(args))
    return config, judge_stores(config)


def config_from_args(args: argparse.Namespace) -> HarnessConfig:
    config = load_config(args.config)
    updates: dict[str, Any] = {}
    if getattr(args, "target", None):
        updates["target"] = _target_from_flag(args.target, config.target)
    if getattr(args, "fault", None):  # run only
        if (updates.get("target") or config.target).endpoint:
            raise UsageError("--fault applies only to the bundled reference target")
        updates["reference_target"] = config.reference_target.model_copy(
            update={"faults": list(args.fault)}
        )
    if getattr(args, "state_dir", None) is not None:
        updates["local"] = config.local.model_copy(update={"state_dir": str(args.state_dir)})
    return config.model_copy(update=updates)


def target_fields(value: str) -> dict[str, Any]:
    """What ``--target`` sets: an endpoint URL, or the keys of a TOML file's [target]."""
    if value.startswith(("http://", "https://")):
        return {"endpoint": value.rstrip("/")}
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"--target {value}: neither an http(s) URL nor an existing file")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"--target {value}: not valid TOML: {err}") from err
    fields = data.get("target", data)
    if not isinstance(fields, dict):
        raise UsageError(f"--target {value}: [target] must be a table")
    return fields


def _target_from_flag(value: str, current: TargetConfig) -> TargetConfig:
    fields = target_fields(value)
    if "endpoint" in fields and "name" not in fields:
        fields["name"] = ""  # another target: its identity comes from its endpoint
    try:
        return TargetConfig.model_validate({**current.model_dump(), **fields})
    except ValidationError as err:
        raise UsageError(f"--target {value}:\n{format_validation_error(err)}") from err


def add_aws_history_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--aws",
        action="store_true",
        help="read the deployed history (DynamoDB table [history] runs_table) instead of the "
        "local state folder",
    )


def history_config(args: argparse.Namespace, config: HarnessConfig) -> tuple[HarnessConfig, str]:
    """The config whose stores a history command reads, and how to name them: with ``--aws``
    the deployed tables (``[history] runs_table``, ``[storage] alert_state_table``; region
    ``[deploy] region``, else ``[history] region``), else the local state folder."""
    if not getattr(args, "aws", False):
        return config, config.local.state_dir
    region = config.deploy.region or config.history.region
    history = config.history.model_copy(update={"backend": "dynamodb", "region": region})
    where = f"DynamoDB table {history.runs_table} ({region})"
    return config.model_copy(update={"history": history}), where


def history_from_args(args: argparse.Namespace, config: HarnessConfig) -> tuple[HistoryStore, str]:
    """The run history a command reads (see ``history_config``), and how to name it."""
    from harness.wiring import history_store

    effective, where = history_config(args, config)
    return history_store(effective), where
