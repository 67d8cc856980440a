"""Where ``run`` and ``select`` learn what changed: ``--changed-files`` (a comma-separated
list, or ``@FILE`` with one path a line, ``@-`` for stdin) and ``--since REF`` (git)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from harness.cli.common import UsageError

GIT_TIMEOUT_SECONDS = 60


def add_change_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--changed-files",
        action="append",
        metavar="LIST",
        help="run only what these changed files can affect: paths separated by commas, or "
        "@FILE with one path a line (@- reads stdin); repeatable",
    )
    parser.add_argument(
        "--since",
        metavar="REF",
        help="like --changed-files, with what `git diff --name-only REF` lists (plus new "
        "untracked files) in the repository at --repo",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the repository --since looks at (default: the current folder)",
    )


def _read_list(value: str) -> list[str]:
    if not value.startswith("@"):
        return [part for part in value.split(",") if part.strip()]
    name = value[1:]
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"--changed-files {value}: cannot read it: {err}") from err
    return [line.strip() for line in text.splitlines() if line.strip()]


def _git(repo: Path, *args: str) -> list[str]:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise UsageError(f"--since needs git: {err}") from err
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise UsageError(f"--since: git {' '.join(args)} failed in {repo}: {message[0]}")
    return [line for line in done.stdout.splitlines() if line.strip()]


def changed_since(repo: Path, ref: str) -> list[str]:
    """Files changed since ``ref`` (committed or not) and new untracked files, as paths
    relative to the repository's top folder (what selection patterns are written against)."""
    if ref.startswith("-"):
        raise UsageError(f"--since {ref}: not a git revision")
    (top,) = _git(repo, "rev-parse", "--show-toplevel")
    root = Path(top)
    changed = _git(root, "diff", "--name-only", ref, "--")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--full-name")
    return list(dict.fromkeys(changed + untracked))


def changed_files_from_args(args: argparse.Namespace) -> list[str] | None:
    """The change list, or None when neither flag was given (then the suite runs whole)."""
    if not args.changed_files and args.since is None:
        return None
    files: list[str] = []
    for value in args.changed_files or []:
        files += _read_list(value)
    if args.since is not None:
        files += changed_since(args.repo, args.since)
    return list(dict.fromkeys(path.strip() for path in files))
