"""What every ``harness`` command shares: exit codes, usage errors, and the config a command
runs with (the config file plus the flags that override it)."""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.config import (
    HarnessConfig,
    TargetConfig,
    format_validation_error,
    load_config,
    read_toml,
)
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
from harness.validation import endpoint_problem

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
DEBUG_ENV = "HARNESS_DEBUG"


def environment_error(err: Exception) -> tuple[int, str]:
    """An unexpected exception as an exit code and one line: missing AWS credentials are the
    user's to fix (2); anything else is the harness's failure (3)."""
    from botocore.exceptions import (
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
    )

    if isinstance(err, (NoCredentialsError, PartialCredentialsError, ProfileNotFound)):
        return EXIT_USAGE, (
            f"no usable AWS credentials ({err}): the target's AWS side (or --aws) needs them; "
            "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(err, NoRegionError):
        return EXIT_USAGE, f"no AWS region ({err}): set AWS_REGION or the target's region"
    return EXIT_HARNESS, (
        f"unexpected {type(err).__name__}: {err} (set {DEBUG_ENV}=1 to see where)"
    )[:500]


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
        problem = endpoint_problem(value)
        if problem is not None:
            raise UsageError(f"--target {value!r}: the URL {problem}")
        return {"endpoint": value}
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"--target {value}: a folder; give an http(s) URL or a TOML file")
    if not path.is_file():
        raise UsageError(f"--target {value}: neither an http(s) URL nor an existing file")
    try:
        data = read_toml(path)
    except UnicodeDecodeError as err:
        raise UsageError(f"--target {value}: not UTF-8 text ({err.reason})") from err
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"--target {value}: not valid TOML: {err}") from err
    except OSError as err:
        raise UsageError(f"--target {value}: cannot be read: {err.strerror}") from err
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


def checked_state_dir(path: Path) -> Path:
    """The state folder exists (created if need be) and is a folder: else a usage error."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"state folder {path} is a file (--state-dir / [local] state_dir)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"state folder {path} cannot be created: {err.strerror}") from err
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"state folder {path} is not writable")
    return path


def checked_output_file(path: Path | None, flag: str) -> Path | None:
    """A file the command will write at the end: checked now, not after the suite."""
    if path is None:
        return None
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a folder; name a file, e.g. {path / 'junit.xml'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"{flag} {path}: its folder cannot be created: {err.strerror}") from err
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"{flag} {path} is not writable")
    return path


def history_config(args: argparse.Namespace, config: HarnessConfig) -> tuple[HarnessConfig, str]:
    """The config whose stores a history command reads, and how to name them: with ``--aws``
    the deployed tables (``[history] runs_table``, ``[storage] alert_state_table``; region
    ``[deploy] region``, else ``[history] region``), else the local state folder."""
    if not getattr(args, "aws", False):
        checked_state_dir(Path(config.local.state_dir))
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
